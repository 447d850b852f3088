//! The wallet's history as facts: what happened, with which payment or top-up, at which
//! shop, with which card. The words are the app's.

use saifu_core::card::Brand;
use saifu_core::money::Money;
use saifu_core::qr::LocalName;
use sqlx::Row as _;

use super::{Store, StoreError, WriteTx};

/// A history line to write.
#[derive(Clone, Debug)]
pub struct NewActivity<'a> {
    pub activity_id: &'a str,
    pub wallet_id: &'a str,
    /// `payment` or `top_up`, as `ledger::TransactionKind` names them.
    pub kind: &'a str,
    /// The payment or top-up it records.
    pub reference_id: &'a str,
    pub merchant_id: Option<&'a str>,
    pub card_id: Option<&'a str>,
    /// Money out is negative.
    pub amount: Money,
    pub created_at: i64,
    /// For a refund, the payment it gives back.
    pub payment_id: Option<&'a str>,
}

/// A history line as read, with the shop's and the card's facts.
#[derive(Clone, Debug)]
pub struct ActivityRow {
    pub activity_id: String,
    pub kind: String,
    pub reference_id: String,
    pub amount: Money,
    pub created_at: i64,
    /// (id, name, city, local name)
    pub merchant: Option<(String, String, String, Option<LocalName>)>,
    /// (id, brand, issuer, last four)
    pub card: Option<(String, Brand, String, String)>,
    pub payment_id: Option<String>,
}

impl WriteTx<'_> {
    pub async fn insert_activity(&mut self, line: &NewActivity<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO activity (activity_id, wallet_id, kind, reference_id, merchant_id, card_id, amount_minor, currency, created_at, payment_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(line.activity_id)
        .bind(line.wallet_id)
        .bind(line.kind)
        .bind(line.reference_id)
        .bind(line.merchant_id)
        .bind(line.card_id)
        .bind(line.amount.minor())
        .bind(line.amount.currency().code())
        .bind(line.created_at)
        .bind(line.payment_id)
        .execute(&mut *self.connection)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Newest first, strictly after `(before_time, before_id)` when given.
    pub async fn activity_page(
        &self,
        wallet_id: &str,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        let (time, id) = before.unwrap_or((i64::MAX, String::new()));
        let rows = sqlx::query(
            "SELECT a.activity_id, a.kind, a.reference_id, a.amount_minor, a.currency, a.created_at,
                    a.merchant_id, m.name AS merchant_name, m.city AS merchant_city,
                    m.local_language, m.local_name, m.local_city,
                    a.card_id, c.brand, c.issuer, c.last4, a.payment_id
             FROM activity a
             LEFT JOIN merchants m ON m.merchant_id = a.merchant_id
             LEFT JOIN cards c ON c.card_id = a.card_id
             WHERE a.wallet_id = $1 AND (a.created_at < $2 OR (a.created_at = $2 AND a.activity_id < $3))
             ORDER BY a.created_at DESC, a.activity_id DESC LIMIT $4",
        )
        .bind(wallet_id)
        .bind(time)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let currency = super::currency(row, "currency", "activity currency")?;
                let merchant_id: Option<String> = row.try_get("merchant_id")?;
                let merchant = match merchant_id {
                    Some(id) => Some((
                        id,
                        row.try_get("merchant_name")?,
                        row.try_get("merchant_city")?,
                        super::merchants::local_name(row)?,
                    )),
                    None => None,
                };
                let card_id: Option<String> = row.try_get("card_id")?;
                let card = match card_id {
                    Some(id) => Some((
                        id,
                        super::cards::brand(row.try_get("brand")?)?,
                        row.try_get("issuer")?,
                        row.try_get("last4")?,
                    )),
                    None => None,
                };
                Ok(ActivityRow {
                    activity_id: row.try_get("activity_id")?,
                    kind: row.try_get("kind")?,
                    reference_id: row.try_get("reference_id")?,
                    amount: Money::from_minor(row.try_get("amount_minor")?, currency),
                    created_at: row.try_get("created_at")?,
                    merchant,
                    card,
                    payment_id: row.try_get("payment_id")?,
                })
            })
            .collect()
    }
}
