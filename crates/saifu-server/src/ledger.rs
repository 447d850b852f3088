//! Money in the database: a double-entry ledger, cards, quotes, payments, idempotency keys
//! and the wallet's activity. Every change of money is one [`post`] inside the caller's
//! transaction, balanced per currency, and no wallet account goes below zero.

use std::collections::BTreeMap;

use saifu_api::QuoteOffer;
use saifu_core::money::{Currency, Money};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::db::Db;
use crate::promotions::FundedBy;

pub type Tx = Transaction<'static, Any>;

pub fn wallet_account(wallet_id: &str, currency: Currency) -> String {
    format!("wallet:{wallet_id}:{currency}")
}

pub fn merchant_account(merchant_id: &str, currency: Currency) -> String {
    format!("merchant:{merchant_id}:{currency}")
}

/// Money arriving from (or owed to) card issuers.
pub fn card_clearing_account(currency: Currency) -> String {
    format!("card-clearing:{currency}")
}

/// The operator's position in a currency when it converts for a cross-border payment.
pub fn fx_account(currency: Currency) -> String {
    format!("fx:{currency}")
}

/// What a promotion's funder has given away, apart from its other accounts:
/// `promo:merchant:<merchant>:<CUR>`, `promo:issuer:<issuer>:<CUR>` or `promo:operator:<CUR>`.
pub fn promo_account(funded_by: &FundedBy, currency: Currency) -> String {
    match funded_by {
        FundedBy::Merchant(merchant_id) => format!("promo:merchant:{merchant_id}:{currency}"),
        FundedBy::Issuer(issuer) => format!("promo:issuer:{issuer}:{currency}"),
        FundedBy::Operator => format!("promo:operator:{currency}"),
    }
}

#[derive(Clone, Debug)]
pub struct Posting {
    pub account: String,
    pub amount: Money,
}

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error("a wallet balance does not cover the amount")]
    InsufficientFunds,
    #[error("the postings do not balance in {0}")]
    Unbalanced(Currency),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Posts one ledger transaction. Wallet accounts are debited only if they cover the amount,
/// checked and changed in one statement, so concurrent payments cannot overspend.
pub async fn post(
    tx: &mut Tx,
    transaction_id: &str,
    wallet_id: &str,
    kind: &str,
    now: i64,
    postings: &[Posting],
) -> Result<(), PostError> {
    let mut sums: BTreeMap<Currency, i64> = BTreeMap::new();
    for posting in postings {
        let sum = sums.entry(posting.amount.currency()).or_default();
        *sum = sum
            .checked_add(posting.amount.minor())
            .ok_or(PostError::Unbalanced(posting.amount.currency()))?;
    }
    if let Some((currency, _)) = sums.iter().find(|(_, sum)| **sum != 0) {
        return Err(PostError::Unbalanced(*currency));
    }
    sqlx::query("INSERT INTO ledger_transactions (transaction_id, wallet_id, kind, created_at) VALUES ($1, $2, $3, $4)")
        .bind(transaction_id)
        .bind(wallet_id)
        .bind(kind)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    for posting in postings {
        let currency = posting.amount.currency().code();
        sqlx::query("INSERT INTO accounts (account_id, currency, balance) VALUES ($1, $2, 0) ON CONFLICT (account_id) DO NOTHING")
            .bind(&posting.account)
            .bind(currency)
            .execute(&mut **tx)
            .await?;
        let guarded = posting.account.starts_with("wallet:") && posting.amount.is_negative();
        let update = if guarded {
            "UPDATE accounts SET balance = balance + $1 WHERE account_id = $2 AND balance + $1 >= 0"
        } else {
            "UPDATE accounts SET balance = balance + $1 WHERE account_id = $2"
        };
        let updated = sqlx::query(update)
            .bind(posting.amount.minor())
            .bind(&posting.account)
            .execute(&mut **tx)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(PostError::InsufficientFunds);
        }
        sqlx::query("INSERT INTO ledger_entries (transaction_id, account_id, amount, currency) VALUES ($1, $2, $3, $4)")
            .bind(transaction_id)
            .bind(&posting.account)
            .bind(posting.amount.minor())
            .bind(currency)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn balance(db: &Db, account_id: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT balance FROM accounts WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(&db.pool)
        .await?;
    row.map_or(Ok(0), |row| row.try_get("balance"))
}

/// Per currency, the sum of every ledger entry: zero everywhere when the books balance.
pub async fn ledger_sums(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT currency, CAST(SUM(amount) AS BIGINT) AS total FROM ledger_entries GROUP BY currency ORDER BY currency")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("currency")?, row.try_get("total")?)))
        .collect()
}

/// The postings of one ledger transaction, by account.
pub async fn transaction_postings(
    db: &Db,
    transaction_id: &str,
) -> Result<Vec<Posting>, sqlx::Error> {
    let rows = sqlx::query("SELECT account_id, amount, currency FROM ledger_entries WHERE transaction_id = $1 ORDER BY account_id")
        .bind(transaction_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|row| {
            let code: String = row.try_get("currency")?;
            let currency =
                Currency::from_code(&code).map_err(|error| sqlx::Error::Decode(error.into()))?;
            Ok(Posting {
                account: row.try_get("account_id")?,
                amount: Money::from_minor(row.try_get("amount")?, currency),
            })
        })
        .collect()
}

pub async fn wallet_currency(db: &Db, wallet_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT home_currency FROM wallets WHERE wallet_id = $1")
        .bind(wallet_id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|row| row.try_get("home_currency")).transpose()
}

/// Claims an idempotency key for this transaction; a unique violation means it was used.
pub async fn claim_idempotency_key(
    tx: &mut Tx,
    wallet_id: &str,
    key: &str,
    request_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO idempotency_keys (wallet_id, idempotency_key, request_hash, response, created_at)
         VALUES ($1, $2, $3, '', $4)",
    )
    .bind(wallet_id)
    .bind(key)
    .bind(request_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn store_idempotent_response(
    tx: &mut Tx,
    wallet_id: &str,
    key: &str,
    response: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET response = $1 WHERE wallet_id = $2 AND idempotency_key = $3",
    )
    .bind(response)
    .bind(wallet_id)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The request hash and response stored under a key.
pub async fn idempotent_response(
    db: &Db,
    wallet_id: &str,
    key: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT request_hash, response FROM idempotency_keys WHERE wallet_id = $1 AND idempotency_key = $2")
        .bind(wallet_id)
        .bind(key)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|row| Ok((row.try_get("request_hash")?, row.try_get("response")?)))
        .transpose()
}

#[derive(Clone, Debug)]
pub struct CardRow {
    pub card_id: String,
    pub wallet_id: String,
    pub brand: String,
    pub issuer: String,
    pub last4: String,
    /// The first six digits; `None` for cards linked before they were kept.
    pub bin: Option<String>,
    pub expiry_month: i32,
    pub expiry_year: i32,
    pub sandbox_rule: String,
    pub linked_at: i64,
}

macro_rules! select_cards {
    ($rest:literal) => {
        concat!(
            "SELECT card_id, wallet_id, brand, issuer, last4, bin, expiry_month, expiry_year, sandbox_rule, linked_at FROM cards ",
            $rest
        )
    };
}

fn card(row: &AnyRow) -> Result<CardRow, sqlx::Error> {
    Ok(CardRow {
        card_id: row.try_get("card_id")?,
        wallet_id: row.try_get("wallet_id")?,
        brand: row.try_get("brand")?,
        issuer: row.try_get("issuer")?,
        last4: row.try_get("last4")?,
        bin: row.try_get("bin")?,
        expiry_month: row.try_get("expiry_month")?,
        expiry_year: row.try_get("expiry_year")?,
        sandbox_rule: row.try_get("sandbox_rule")?,
        linked_at: row.try_get("linked_at")?,
    })
}

pub async fn insert_card(db: &Db, card: &CardRow, fingerprint: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cards (card_id, wallet_id, fingerprint, brand, issuer, last4, bin, expiry_month, expiry_year, sandbox_rule, linked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&card.card_id)
    .bind(&card.wallet_id)
    .bind(fingerprint)
    .bind(&card.brand)
    .bind(&card.issuer)
    .bind(&card.last4)
    .bind(&card.bin)
    .bind(card.expiry_month)
    .bind(card.expiry_year)
    .bind(&card.sandbox_rule)
    .bind(card.linked_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn linked_cards(db: &Db, wallet_id: &str) -> Result<Vec<CardRow>, sqlx::Error> {
    let rows = sqlx::query(select_cards!(
        "WHERE wallet_id = $1 AND unlinked_at IS NULL ORDER BY linked_at, card_id"
    ))
    .bind(wallet_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(card).collect()
}

pub async fn linked_card(
    db: &Db,
    wallet_id: &str,
    card_id: &str,
) -> Result<Option<CardRow>, sqlx::Error> {
    let row = sqlx::query(select_cards!(
        "WHERE wallet_id = $1 AND card_id = $2 AND unlinked_at IS NULL"
    ))
    .bind(wallet_id)
    .bind(card_id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(card).transpose()
}

pub async fn unlink_card(
    db: &Db,
    wallet_id: &str,
    card_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query("UPDATE cards SET unlinked_at = $1 WHERE wallet_id = $2 AND card_id = $3 AND unlinked_at IS NULL")
        .bind(now)
        .bind(wallet_id)
        .bind(card_id)
        .execute(&db.pool)
        .await?;
    Ok(updated.rows_affected() == 1)
}

/// The service's key for card fingerprints, made on first use.
pub async fn fingerprint_key(db: &Db, fresh: &str) -> Result<String, sqlx::Error> {
    sqlx::query("INSERT INTO server_secrets (name, value) VALUES ('card_fingerprint_key', $1) ON CONFLICT (name) DO NOTHING")
        .bind(fresh)
        .execute(&db.pool)
        .await?;
    sqlx::query("SELECT value FROM server_secrets WHERE name = 'card_fingerprint_key'")
        .fetch_one(&db.pool)
        .await?
        .try_get("value")
}

pub async fn upsert_rate(
    db: &Db,
    base: Currency,
    quote: Currency,
    rate: &str,
    as_of: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO fx_rates (base_currency, quote_currency, rate, as_of) VALUES ($1, $2, $3, $4)
         ON CONFLICT (base_currency, quote_currency) DO UPDATE SET rate = $3, as_of = $4",
    )
    .bind(base.code())
    .bind(quote.code())
    .bind(rate)
    .bind(as_of)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The rate from `base` to `quote` and when it was set.
pub async fn rate(
    db: &Db,
    base: Currency,
    quote: Currency,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT rate, as_of FROM fx_rates WHERE base_currency = $1 AND quote_currency = $2",
    )
    .bind(base.code())
    .bind(quote.code())
    .fetch_optional(&db.pool)
    .await?;
    row.map(|row| Ok((row.try_get("rate")?, row.try_get("as_of")?)))
        .transpose()
}

#[derive(Clone, Debug)]
pub struct QuoteRow {
    pub quote_id: String,
    pub wallet_id: String,
    pub merchant_id: String,
    pub price: Money,
    /// The best offer's pay, as the quote shows it on top.
    pub pay: Money,
    pub rate: Option<(String, i64)>,
    pub created_at: i64,
    pub expires_at: i64,
    /// The seed the quote's random discounts were drawn with: kept to show how they came out.
    pub promo_seed: i64,
    /// What the quote promised for each funding; the payment honours the one it names.
    pub offers: Vec<QuoteOffer>,
}

pub async fn insert_quote(db: &Db, quote: &QuoteRow) -> Result<(), sqlx::Error> {
    let offers =
        serde_json::to_string(&quote.offers).map_err(|error| sqlx::Error::Encode(error.into()))?;
    sqlx::query(
        "INSERT INTO quotes (quote_id, wallet_id, merchant_id, price_minor, price_currency, pay_minor, pay_currency, rate, rate_as_of, created_at, expires_at, promo_seed, offers)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&quote.quote_id)
    .bind(&quote.wallet_id)
    .bind(&quote.merchant_id)
    .bind(quote.price.minor())
    .bind(quote.price.currency().code())
    .bind(quote.pay.minor())
    .bind(quote.pay.currency().code())
    .bind(quote.rate.as_ref().map(|(rate, _)| rate.clone()))
    .bind(quote.rate.as_ref().map(|(_, as_of)| *as_of))
    .bind(quote.created_at)
    .bind(quote.expires_at)
    .bind(quote.promo_seed)
    .bind(offers)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// A quote; quotes never change once made, so any connection reads the same.
pub async fn quote(db: &Db, quote_id: &str) -> Result<Option<QuoteRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT quote_id, wallet_id, merchant_id, price_minor, price_currency, pay_minor, pay_currency, rate, rate_as_of, created_at, expires_at, promo_seed, offers
         FROM quotes WHERE quote_id = $1",
    )
    .bind(quote_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let money = |minor: &str, currency: &str| -> Result<Money, sqlx::Error> {
        let code: String = row.try_get(currency)?;
        let currency =
            Currency::from_code(&code).map_err(|error| sqlx::Error::Decode(error.into()))?;
        Ok(Money::from_minor(row.try_get(minor)?, currency))
    };
    let rate: Option<String> = row.try_get("rate")?;
    let rate_as_of: Option<i64> = row.try_get("rate_as_of")?;
    let offers: String = row.try_get("offers")?;
    Ok(Some(QuoteRow {
        quote_id: row.try_get("quote_id")?,
        wallet_id: row.try_get("wallet_id")?,
        merchant_id: row.try_get("merchant_id")?,
        price: money("price_minor", "price_currency")?,
        pay: money("pay_minor", "pay_currency")?,
        rate: rate.zip(rate_as_of),
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        promo_seed: row.try_get("promo_seed")?,
        offers: serde_json::from_str(&offers).map_err(|error| sqlx::Error::Decode(error.into()))?,
    }))
}

/// Records the payment of a quote; a unique violation means the quote was paid already.
pub async fn insert_payment(
    tx: &mut Tx,
    payment_id: &str,
    quote: &QuoteRow,
    device_id: &str,
    receipt: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payments (payment_id, wallet_id, device_id, quote_id, transaction_id, receipt, created_at)
         VALUES ($1, $2, $3, $4, $1, $5, $6)",
    )
    .bind(payment_id)
    .bind(&quote.wallet_id)
    .bind(device_id)
    .bind(&quote.quote_id)
    .bind(receipt)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_activity(
    tx: &mut Tx,
    activity_id: &str,
    wallet_id: &str,
    kind: &str,
    title: &str,
    amount: Money,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO activity (activity_id, wallet_id, kind, title, amount_minor, currency, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(activity_id)
    .bind(wallet_id)
    .bind(kind)
    .bind(title)
    .bind(amount.minor())
    .bind(amount.currency().code())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct ActivityRow {
    pub activity_id: String,
    pub kind: String,
    pub title: String,
    pub amount_minor: i64,
    pub currency: String,
    pub created_at: i64,
}

/// Newest first, strictly after `(before_time, before_id)` when given.
pub async fn activity_page(
    db: &Db,
    wallet_id: &str,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    let (time, id) = before.unwrap_or((i64::MAX, String::new()));
    let rows = sqlx::query(
        "SELECT activity_id, kind, title, amount_minor, currency, created_at FROM activity
         WHERE wallet_id = $1 AND (created_at < $2 OR (created_at = $2 AND activity_id < $3))
         ORDER BY created_at DESC, activity_id DESC LIMIT $4",
    )
    .bind(wallet_id)
    .bind(time)
    .bind(id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ActivityRow {
                activity_id: row.try_get("activity_id")?,
                kind: row.try_get("kind")?,
                title: row.try_get("title")?,
                amount_minor: row.try_get("amount_minor")?,
                currency: row.try_get("currency")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}
