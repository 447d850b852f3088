//! Money in the database: a double-entry ledger, cards, quotes, payments, idempotency keys
//! and the wallet's activity. Every change of money is one [`post`] inside the caller's
//! transaction, balanced per currency, and no wallet account goes below zero.

use std::collections::BTreeMap;

use saifu_api::QuoteOffer;
use saifu_core::money::{Currency, Money};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

use crate::db::{Db, MerchantRow};
use crate::promotions::FundedBy;

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

/// Posts one ledger transaction: [`open_transaction`], then [`post_entries`].
pub async fn post(
    connection: &mut AnyConnection,
    transaction_id: &str,
    wallet_id: &str,
    kind: &str,
    now: i64,
    postings: &[Posting],
) -> Result<(), PostError> {
    open_transaction(connection, transaction_id, wallet_id, kind, now).await?;
    post_entries(connection, transaction_id, postings).await
}

fn check_balanced(postings: &[Posting]) -> Result<(), PostError> {
    let mut sums: BTreeMap<Currency, i64> = BTreeMap::new();
    for posting in postings {
        let sum = sums.entry(posting.amount.currency()).or_default();
        *sum = sum
            .checked_add(posting.amount.minor())
            .ok_or(PostError::Unbalanced(posting.amount.currency()))?;
    }
    match sums.iter().find(|(_, sum)| **sum != 0) {
        Some((currency, _)) => Err(PostError::Unbalanced(*currency)),
        None => Ok(()),
    }
}

/// The row of a ledger transaction, before its entries: what other rows refer to.
pub async fn open_transaction(
    connection: &mut AnyConnection,
    transaction_id: &str,
    wallet_id: &str,
    kind: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO ledger_transactions (transaction_id, wallet_id, kind, created_at) VALUES ($1, $2, $3, $4)")
        .bind(transaction_id)
        .bind(wallet_id)
        .bind(kind)
        .bind(now)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// The entries of the opened ledger transaction `transaction_id`, balanced per currency, and
/// the balances they change. A wallet account is debited only if it covers the amount,
/// checked and changed in one statement, so concurrent payments cannot overspend. Every
/// other account is created at its first entry, all in one statement; the entries follow,
/// in one more, since they refer to their accounts. Called last in a transaction, the rows
/// many payments share (a busy shop's account) stay locked only for its end; they change in
/// the same order in every transaction: debited wallets first, then by account.
pub async fn post_entries(
    connection: &mut AnyConnection,
    transaction_id: &str,
    postings: &[Posting],
) -> Result<(), PostError> {
    check_balanced(postings)?;
    if postings.is_empty() {
        return Ok(());
    }
    // Each account's change, by account.
    let mut changes: BTreeMap<&str, (Currency, i64)> = BTreeMap::new();
    for posting in postings {
        let change = changes
            .entry(&posting.account)
            .or_insert((posting.amount.currency(), 0));
        change.1 = change
            .1
            .checked_add(posting.amount.minor())
            .ok_or(PostError::Unbalanced(posting.amount.currency()))?;
    }
    let debits_wallet = |account: &str, amount: i64| account.starts_with("wallet:") && amount < 0;
    for (account, (_, amount)) in &changes {
        if debits_wallet(account, *amount) {
            let updated = sqlx::query(
                "UPDATE accounts SET balance = balance + $1 WHERE account_id = $2 AND balance + $1 >= 0",
            )
            .bind(*amount)
            .bind(*account)
            .execute(&mut *connection)
            .await?;
            if updated.rows_affected() != 1 {
                return Err(PostError::InsufficientFunds);
            }
        }
    }
    let others: Vec<(&str, Currency, i64)> = changes
        .iter()
        .filter(|(account, (_, amount))| !debits_wallet(account, *amount))
        .map(|(account, (currency, amount))| (*account, *currency, *amount))
        .collect();
    if !others.is_empty() {
        // ($1, $2, $3), ($4, $5, $6), ...
        let mut upsert =
            String::from("INSERT INTO accounts (account_id, currency, balance) VALUES ");
        for index in 0..others.len() {
            let first = 1 + 3 * index;
            if index > 0 {
                upsert.push_str(", ");
            }
            upsert.push_str(&format!("(${first}, ${}, ${})", first + 1, first + 2));
        }
        upsert.push_str(
            " ON CONFLICT (account_id) DO UPDATE SET balance = accounts.balance + excluded.balance",
        );
        // Only numbered placeholders are formatted into the statement.
        let mut balances = sqlx::query(sqlx::AssertSqlSafe(upsert));
        for (account, currency, amount) in others {
            balances = balances.bind(account).bind(currency.code()).bind(amount);
        }
        balances.execute(&mut *connection).await?;
    }
    // One statement for the entries: ($1, $2, $3, $4), ($1, $5, $6, $7), ...
    let mut insert = String::from(
        "INSERT INTO ledger_entries (transaction_id, account_id, amount, currency) VALUES ",
    );
    for index in 0..postings.len() {
        let first = 2 + 3 * index;
        if index > 0 {
            insert.push_str(", ");
        }
        insert.push_str(&format!("($1, ${first}, ${}, ${})", first + 1, first + 2));
    }
    let mut entries = sqlx::query(sqlx::AssertSqlSafe(insert)).bind(transaction_id);
    for posting in postings {
        entries = entries
            .bind(&posting.account)
            .bind(posting.amount.minor())
            .bind(posting.amount.currency().code());
    }
    entries.execute(&mut *connection).await?;
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

/// Claims an idempotency key for this transaction with the response to store under it:
/// false when the key was claimed already (by a committed transaction: one under way is
/// waited for). `response` may be empty and stored later with [`store_idempotent_response`].
pub async fn claim_idempotency_key(
    connection: &mut AnyConnection,
    wallet_id: &str,
    key: &str,
    request_hash: &str,
    response: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys (wallet_id, idempotency_key, request_hash, response, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (wallet_id, idempotency_key) DO NOTHING",
    )
    .bind(wallet_id)
    .bind(key)
    .bind(request_hash)
    .bind(response)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

pub async fn store_idempotent_response(
    connection: &mut AnyConnection,
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
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// The request hash and response stored under a key, read through `executor`.
pub async fn idempotent_response<'c>(
    executor: impl sqlx::Executor<'c, Database = Any>,
    wallet_id: &str,
    key: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT request_hash, response FROM idempotency_keys WHERE wallet_id = $1 AND idempotency_key = $2")
        .bind(wallet_id)
        .bind(key)
        .fetch_optional(executor)
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

/// Stores a quote, through [`Db::write_one`]: on SQLite in the writer's batches, never
/// waiting on the file lock beside it.
pub async fn insert_quote(db: &Db, quote: &QuoteRow) -> Result<(), sqlx::Error> {
    let offers =
        serde_json::to_string(&quote.offers).map_err(|error| sqlx::Error::Encode(error.into()))?;
    let quote = quote.clone();
    db.write_one(move |connection| {
        Box::pin(async move {
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
            .execute(&mut *connection)
            .await?;
            Ok(())
        })
    })
    .await
}

/// The columns of a quote, for [`quote_row`].
macro_rules! quote_columns {
    () => {
        "q.quote_id, q.wallet_id, q.merchant_id, q.price_minor, q.price_currency, q.pay_minor, q.pay_currency, q.rate, q.rate_as_of, q.created_at, q.expires_at, q.promo_seed, q.offers"
    };
}

/// A quote; quotes never change once made, so any connection reads the same.
pub async fn quote(db: &Db, quote_id: &str) -> Result<Option<QuoteRow>, sqlx::Error> {
    let row = sqlx::query(concat!(
        "SELECT ",
        quote_columns!(),
        " FROM quotes q WHERE q.quote_id = $1"
    ))
    .bind(quote_id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(quote_row).transpose()
}

/// A quote with the merchant it prices, in one read: what a payment needs of both.
pub async fn quote_and_merchant(
    db: &Db,
    quote_id: &str,
) -> Result<Option<(QuoteRow, MerchantRow)>, sqlx::Error> {
    let row = sqlx::query(concat!(
        "SELECT ",
        quote_columns!(),
        ", m.name, m.city, m.country, m.mcc, m.currency, m.merchant_group, m.utc_offset_minutes
         FROM quotes q JOIN merchants m ON m.merchant_id = q.merchant_id WHERE q.quote_id = $1"
    ))
    .bind(quote_id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref()
        .map(|row| Ok((quote_row(row)?, crate::db::merchant(row)?)))
        .transpose()
}

fn quote_row(row: &AnyRow) -> Result<QuoteRow, sqlx::Error> {
    let money = |minor: &str, currency: &str| -> Result<Money, sqlx::Error> {
        let code: String = row.try_get(currency)?;
        let currency =
            Currency::from_code(&code).map_err(|error| sqlx::Error::Decode(error.into()))?;
        Ok(Money::from_minor(row.try_get(minor)?, currency))
    };
    let rate: Option<String> = row.try_get("rate")?;
    let rate_as_of: Option<i64> = row.try_get("rate_as_of")?;
    let offers: String = row.try_get("offers")?;
    Ok(QuoteRow {
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
    })
}

/// Records the payment of a quote; a unique violation means the quote was paid already.
pub async fn insert_payment(
    connection: &mut AnyConnection,
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
    .execute(&mut *connection)
    .await?;
    Ok(())
}

pub async fn insert_activity(
    connection: &mut AnyConnection,
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
    .execute(&mut *connection)
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
