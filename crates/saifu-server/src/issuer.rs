//! The sandbox card issuer: decides by test card number, so every path of linking, topping
//! up and paying by card can be tried without a bank. The table is in the README.

/// What the sandbox issuer answers for a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Approve,
    /// Refuses to link the card.
    Decline,
    /// Links the card, then declines every charge for lack of funds.
    InsufficientFunds,
    /// Says the card has expired, whatever date it carries.
    Expired,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Approve => "approve",
            Rule::Decline => "decline",
            Rule::InsufficientFunds => "insufficient_funds",
            Rule::Expired => "expired",
        }
    }

    pub fn from_stored(text: &str) -> Rule {
        match text {
            "decline" => Rule::Decline,
            "insufficient_funds" => Rule::InsufficientFunds,
            "expired" => Rule::Expired,
            _ => Rule::Approve,
        }
    }
}

/// (card number, rule, issuer name). Any other valid number is approved by
/// "Saifu Sandbox Bank".
pub const SANDBOX_CARDS: &[(&str, Rule, &str)] = &[
    ("4242424242424242", Rule::Approve, "Saifu Sandbox Bank"),
    ("5555555555554444", Rule::Approve, "Saifu Sandbox Bank"),
    ("6200000000000005", Rule::Approve, "Sandbox UnionPay Bank"),
    ("3566002020360505", Rule::Approve, "Sandbox JCB Bank"),
    ("378282246310005", Rule::Approve, "Sandbox Amex"),
    ("4000000000000002", Rule::Decline, "Saifu Sandbox Bank"),
    (
        "4000000000009995",
        Rule::InsufficientFunds,
        "Saifu Sandbox Bank",
    ),
    ("4000000000000069", Rule::Expired, "Saifu Sandbox Bank"),
];

const DEFAULT_ISSUER: &str = "Saifu Sandbox Bank";

/// The rule and issuer for a card number (digits only).
pub fn decide(digits: &str) -> (Rule, &'static str) {
    SANDBOX_CARDS
        .iter()
        .find(|(number, _, _)| *number == digits)
        .map_or((Rule::Approve, DEFAULT_ISSUER), |&(_, rule, issuer)| {
            (rule, issuer)
        })
}
