//! The double-entry ledger: typed accounts that know their currency and limits, and the
//! postings of each kind of money move, built by pure functions that balance per currency
//! and keep every amount under its currency's ceiling. [`post`] writes them through the
//! store inside the caller's transaction.

use std::collections::BTreeMap;

use saifu_core::money::{Currency, Money, MoneyError};

use crate::store::{AccountRow, EntryRow, FundedBy, StoreError, WriteTx};

/// No balance and no entry goes past this many minor units either way: adding an amount
/// under a currency's ceiling (at most 10^14) to any balance never overflows an i64. The
/// tables check it too (migration 0004).
pub const BALANCE_LIMIT: i64 = 1_000_000_000_000_000_000;

/// Whose money an account holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// A customer's balance: it must not go negative.
    Wallet { wallet_id: String },
    /// What a shop is owed.
    Merchant { merchant_id: String },
    /// Money arriving from (or owed to) card issuers.
    CardClearing,
    /// The operator's position in a currency when it converts for a cross-border payment.
    Fx,
    /// What a promotion's funder has given away, apart from its other accounts.
    Promotion { funded_by: FundedBy },
}

/// An account: whose, and in which currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub kind: AccountKind,
    pub currency: Currency,
}

impl Account {
    pub fn wallet(wallet_id: &str, currency: Currency) -> Account {
        Account {
            kind: AccountKind::Wallet {
                wallet_id: wallet_id.to_owned(),
            },
            currency,
        }
    }

    pub fn merchant(merchant_id: &str, currency: Currency) -> Account {
        Account {
            kind: AccountKind::Merchant {
                merchant_id: merchant_id.to_owned(),
            },
            currency,
        }
    }

    pub fn card_clearing(currency: Currency) -> Account {
        Account {
            kind: AccountKind::CardClearing,
            currency,
        }
    }

    pub fn fx(currency: Currency) -> Account {
        Account {
            kind: AccountKind::Fx,
            currency,
        }
    }

    pub fn promotion(funded_by: &FundedBy, currency: Currency) -> Account {
        Account {
            kind: AccountKind::Promotion {
                funded_by: funded_by.clone(),
            },
            currency,
        }
    }

    /// Its id in the books: `wallet:<wallet>:<CUR>`, `merchant:<merchant>:<CUR>`,
    /// `card-clearing:<CUR>`, `fx:<CUR>`, `promo:merchant:<merchant>:<CUR>`,
    /// `promo:issuer:<issuer>:<CUR>` or `promo:operator:<CUR>`.
    pub fn id(&self) -> String {
        let currency = self.currency;
        match &self.kind {
            AccountKind::Wallet { wallet_id } => format!("wallet:{wallet_id}:{currency}"),
            AccountKind::Merchant { merchant_id } => format!("merchant:{merchant_id}:{currency}"),
            AccountKind::CardClearing => format!("card-clearing:{currency}"),
            AccountKind::Fx => format!("fx:{currency}"),
            AccountKind::Promotion { funded_by } => match funded_by {
                FundedBy::Merchant(merchant_id) => {
                    format!("promo:merchant:{merchant_id}:{currency}")
                }
                FundedBy::Issuer(issuer) => format!("promo:issuer:{issuer}:{currency}"),
                FundedBy::Operator => format!("promo:operator:{currency}"),
            },
        }
    }

    fn kind_name(&self) -> &'static str {
        match self.kind {
            AccountKind::Wallet { .. } => "wallet",
            AccountKind::Merchant { .. } => "merchant",
            AccountKind::CardClearing => "card_clearing",
            AccountKind::Fx => "fx",
            AccountKind::Promotion { .. } => "promotion",
        }
    }

    /// Whether its balance may be below zero: every account's but a customer's.
    pub fn may_go_negative(&self) -> bool {
        !matches!(self.kind, AccountKind::Wallet { .. })
    }

    /// The most it may hold: a customer's balance its currency's ceiling, the operator's
    /// and the shops' accounts [`BALANCE_LIMIT`].
    pub fn max_balance(&self) -> i64 {
        match self.kind {
            AccountKind::Wallet { .. } => self.currency.ceiling_minor(),
            _ => BALANCE_LIMIT,
        }
    }

    fn row(&self) -> AccountRow {
        AccountRow {
            account_id: self.id(),
            kind: self.kind_name(),
            currency: self.currency,
            min_balance: if self.may_go_negative() {
                -BALANCE_LIMIT
            } else {
                0
            },
            max_balance: self.max_balance(),
        }
    }
}

/// One leg of a ledger transaction: `amount` into `account` (out when negative).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    pub account: Account,
    pub amount: Money,
}

impl Posting {
    fn new(account: Account, amount: Money) -> Posting {
        Posting { account, amount }
    }
}

/// What a ledger transaction records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionKind {
    Payment,
    TopUp,
    Refund,
}

impl TransactionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Payment => "payment",
            TransactionKind::TopUp => "top_up",
            TransactionKind::Refund => "refund",
        }
    }

    pub fn from_stored(text: &str) -> Option<TransactionKind> {
        match text {
            "payment" => Some(TransactionKind::Payment),
            "top_up" => Some(TransactionKind::TopUp),
            "refund" => Some(TransactionKind::Refund),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("the postings do not balance in {0}")]
    Unbalanced(Currency),
    #[error("a posting of {0} is above its currency's ceiling")]
    AboveCeiling(Money),
    #[error("a posting mixes {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("a wallet balance does not cover the amount")]
    InsufficientFunds,
    #[error("the amount would take an account past its balance limit")]
    BalanceLimit,
    #[error("a refund must be more than zero and, with those before it, at most the price")]
    BeyondPrice,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for LedgerError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BelowMinimum(_) => LedgerError::InsufficientFunds,
            StoreError::AboveMaximum(_) => LedgerError::BalanceLimit,
            other => LedgerError::Store(other),
        }
    }
}

impl From<MoneyError> for LedgerError {
    fn from(error: MoneyError) -> Self {
        match error {
            MoneyError::AboveCeiling(amount) => LedgerError::AboveCeiling(amount),
            MoneyError::CurrencyMismatch(one, other) => LedgerError::CurrencyMismatch(one, other),
            // Only sums overflow here, and every summand is under its ceiling.
            _ => LedgerError::BalanceLimit,
        }
    }
}

/// A top-up: `amount` from the card issuers into the wallet.
pub fn top_up(wallet_id: &str, amount: Money) -> Result<Vec<Posting>, LedgerError> {
    let amount = amount.within_ceiling()?;
    let out = Money::from_minor(-amount.minor(), amount.currency());
    let postings = vec![
        Posting::new(Account::card_clearing(amount.currency()), out),
        Posting::new(Account::wallet(wallet_id, amount.currency()), amount),
    ];
    check(&postings)?;
    Ok(postings)
}

/// Where a payment's money comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The wallet's balance.
    Balance { wallet_id: String },
    /// A card, charged through the card issuers.
    Card,
}

/// One promotion's saving in a payment, in the merchant's currency, and who funds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saving {
    pub funded_by: FundedBy,
    pub amount: Money,
}

/// A payment of `price` at `merchant_id`: `pay` leaves the source (in the wallet's
/// currency, converted when it is not the price's), each saving comes from its funder's
/// promotion account, and the merchant gets the whole price.
pub fn payment(
    source: &Source,
    pay: Money,
    merchant_id: &str,
    price: Money,
    savings: &[Saving],
) -> Result<Vec<Posting>, LedgerError> {
    let pay = pay.within_ceiling()?;
    let price = price.within_ceiling()?;
    let source_account = match source {
        Source::Balance { wallet_id } => Account::wallet(wallet_id, pay.currency()),
        Source::Card => Account::card_clearing(pay.currency()),
    };
    let mut postings = vec![Posting::new(
        source_account,
        Money::from_minor(-pay.minor(), pay.currency()),
    )];
    let mut discount = Money::zero(price.currency());
    for saving in savings {
        let amount = saving.amount.within_ceiling()?;
        discount = discount.checked_add(amount)?;
        postings.push(Posting::new(
            Account::promotion(&saving.funded_by, amount.currency()),
            Money::from_minor(-amount.minor(), amount.currency()),
        ));
    }
    if pay.currency() != price.currency() {
        // The operator takes the wallet's money and pays what is due in the shop's.
        let due = price.checked_sub(discount)?;
        postings.push(Posting::new(Account::fx(pay.currency()), pay));
        postings.push(Posting::new(
            Account::fx(price.currency()),
            Money::from_minor(-due.minor(), due.currency()),
        ));
    }
    postings.push(Posting::new(
        Account::merchant(merchant_id, price.currency()),
        price,
    ));
    check(&postings)?;
    Ok(postings)
}

/// A payment being refunded: what it was, and how much of its price was refunded before.
#[derive(Clone, Debug)]
pub struct Refunded<'a> {
    pub source: &'a Source,
    pub merchant_id: &'a str,
    /// The price the merchant got, in its currency.
    pub price: Money,
    /// What left the source, in its currency.
    pub pay: Money,
    pub savings: &'a [Saving],
    /// Of `price`, refunded by earlier refunds.
    pub before: Money,
}

/// A refund's postings and what goes back to the source, in the currency it paid in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub postings: Vec<Posting>,
    pub returned: Money,
    /// What each saving's funder takes back, in the order of the payment's savings.
    pub shares: Vec<Money>,
}

/// A refund of `amount` of a payment's price: the merchant gives back `amount`, each funder
/// its share of the discount and the source the rest, at the payment's own rate. Shares are
/// pro rata to the price, each rounded down on the running total, so refunds that add up to
/// the price give back exactly what was paid and what each funder gave.
pub fn refund(payment: &Refunded<'_>, amount: Money) -> Result<Refund, LedgerError> {
    let price = payment.price.within_ceiling()?;
    let amount = amount.within_ceiling()?;
    let after = payment.before.checked_add(amount)?;
    if amount.minor() <= 0 || after.minor() > price.minor() {
        return Err(LedgerError::BeyondPrice);
    }
    // part * refunded / price, rounded down; i128 so the product cannot overflow.
    let share = |part: Money, refunded: Money| -> Money {
        let minor =
            i128::from(part.minor()) * i128::from(refunded.minor()) / i128::from(price.minor());
        Money::from_minor(minor as i64, part.currency())
    };
    let mut postings = vec![Posting::new(
        Account::merchant(payment.merchant_id, price.currency()),
        Money::from_minor(-amount.minor(), price.currency()),
    )];
    let mut discount_back = Money::zero(price.currency());
    let mut shares = Vec::with_capacity(payment.savings.len());
    for saving in payment.savings {
        let back = share(saving.amount, after).checked_sub(share(saving.amount, payment.before))?;
        discount_back = discount_back.checked_add(back)?;
        shares.push(back);
        postings.push(Posting::new(
            Account::promotion(&saving.funded_by, back.currency()),
            back,
        ));
    }
    let due = amount.checked_sub(discount_back)?;
    let pay = payment.pay;
    let returned = if pay.currency() == price.currency() {
        due
    } else {
        let returned = share(pay, after).checked_sub(share(pay, payment.before))?;
        postings.push(Posting::new(Account::fx(price.currency()), due));
        postings.push(Posting::new(
            Account::fx(pay.currency()),
            Money::from_minor(-returned.minor(), returned.currency()),
        ));
        returned
    };
    let source_account = match payment.source {
        Source::Balance { wallet_id } => Account::wallet(wallet_id, pay.currency()),
        Source::Card => Account::card_clearing(pay.currency()),
    };
    postings.push(Posting::new(source_account, returned));
    postings.retain(|posting| posting.amount.minor() != 0);
    check(&postings)?;
    Ok(Refund {
        postings,
        returned,
        shares,
    })
}

/// Every amount is under its currency's ceiling, and the amounts sum to zero per currency.
pub fn check(postings: &[Posting]) -> Result<(), LedgerError> {
    let mut sums: BTreeMap<Currency, Money> = BTreeMap::new();
    for posting in postings {
        let amount = posting.amount.within_ceiling()?;
        if amount.currency() != posting.account.currency {
            return Err(LedgerError::CurrencyMismatch(
                posting.account.currency,
                amount.currency(),
            ));
        }
        let sum = sums
            .entry(amount.currency())
            .or_insert_with(|| Money::zero(amount.currency()));
        *sum = sum.checked_add(amount)?;
    }
    match sums.values().find(|sum| sum.minor() != 0) {
        Some(sum) => Err(LedgerError::Unbalanced(sum.currency())),
        None => Ok(()),
    }
}

/// The row of ledger transaction `transaction_id`, before its entries: what other rows of
/// the same money move refer to.
pub async fn open(
    tx: &mut WriteTx<'_>,
    transaction_id: &str,
    wallet_id: &str,
    kind: TransactionKind,
    now: i64,
) -> Result<(), LedgerError> {
    Ok(tx
        .open_transaction(transaction_id, wallet_id, kind.as_str(), now)
        .await?)
}

/// The entries of the opened transaction `transaction_id`, checked with [`check`], and the
/// balances they change, each within its account's limits.
pub async fn post_entries(
    tx: &mut WriteTx<'_>,
    transaction_id: &str,
    postings: &[Posting],
) -> Result<(), LedgerError> {
    check(postings)?;
    let entries: Vec<EntryRow> = postings
        .iter()
        .map(|posting| EntryRow {
            account: posting.account.row(),
            amount: posting.amount.minor(),
        })
        .collect();
    Ok(tx.post_entries(transaction_id, &entries).await?)
}

/// [`open`], then [`post_entries`].
pub async fn post(
    tx: &mut WriteTx<'_>,
    transaction_id: &str,
    wallet_id: &str,
    kind: TransactionKind,
    now: i64,
    postings: &[Posting],
) -> Result<(), LedgerError> {
    open(tx, transaction_id, wallet_id, kind, now).await?;
    post_entries(tx, transaction_id, postings).await
}

#[cfg(test)]
mod tests;
