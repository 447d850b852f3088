//! The card issuer behind linking, top-ups and card payments. The sandbox issuer decides by
//! test card number, so every path can be tried without a bank; its table is in the README.

/// What an issuer answers when a card is linked, and remembers for the card's charges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuerDecision {
    Approve,
    /// Refuses to link the card.
    Decline,
    /// Links the card, then declines every charge for lack of funds.
    InsufficientFunds,
    /// Says the card has expired, whatever date it carries.
    Expired,
}

impl IssuerDecision {
    /// How the decision is stored with the card.
    pub fn as_str(self) -> &'static str {
        match self {
            IssuerDecision::Approve => "approve",
            IssuerDecision::Decline => "decline",
            IssuerDecision::InsufficientFunds => "insufficient_funds",
            IssuerDecision::Expired => "expired",
        }
    }

    pub fn from_stored(text: &str) -> IssuerDecision {
        match text {
            "decline" => IssuerDecision::Decline,
            "insufficient_funds" => IssuerDecision::InsufficientFunds,
            "expired" => IssuerDecision::Expired,
            _ => IssuerDecision::Approve,
        }
    }
}

/// A card issuer: who issued a card number, and whether it may be linked and charged.
pub trait Issuer: Send + Sync {
    /// The decision for a card number (digits only) and the issuing bank's name.
    fn decide(&self, digits: &str) -> (IssuerDecision, &'static str);
}

/// The sandbox issuer of the README's table.
#[derive(Clone, Copy, Debug, Default)]
pub struct SandboxIssuer;

/// (card number, decision, issuer name). Any other valid number is approved by
/// [`DEFAULT_ISSUER`].
const SANDBOX_CARDS: &[(&str, IssuerDecision, &str)] = &[
    ("4242424242424242", IssuerDecision::Approve, DEFAULT_ISSUER),
    ("5555555555554444", IssuerDecision::Approve, DEFAULT_ISSUER),
    (
        "6200000000000005",
        IssuerDecision::Approve,
        "Sandbox UnionPay Bank",
    ),
    (
        "3566002020360505",
        IssuerDecision::Approve,
        "Sandbox JCB Bank",
    ),
    ("378282246310005", IssuerDecision::Approve, "Sandbox Amex"),
    ("4000000000000002", IssuerDecision::Decline, DEFAULT_ISSUER),
    (
        "4000000000009995",
        IssuerDecision::InsufficientFunds,
        DEFAULT_ISSUER,
    ),
    ("4000000000000069", IssuerDecision::Expired, DEFAULT_ISSUER),
];

const DEFAULT_ISSUER: &str = "Saifu Sandbox Bank";

impl Issuer for SandboxIssuer {
    fn decide(&self, digits: &str) -> (IssuerDecision, &'static str) {
        SANDBOX_CARDS
            .iter()
            .find(|(number, _, _)| *number == digits)
            .map_or(
                (IssuerDecision::Approve, DEFAULT_ISSUER),
                |&(_, decision, issuer)| (decision, issuer),
            )
    }
}
