//! A shop's payments and refunds together, newest first: its feed, totals and statements.

use sqlx::Row as _;

use super::{Store, StoreError};

/// A payment (its receipt) or a refund (its answer), as stored.
#[derive(Clone, Debug)]
pub struct FeedRow {
    /// `payment` or `refund`.
    pub kind: String,
    pub id: String,
    /// The receipt of a payment, the answer of a refund: JSON.
    pub body: String,
    /// Of a payment's price, refunded so far; 0 for a refund.
    pub refunded_minor: i64,
    pub created_at: i64,
    /// The microsecond it was recorded at: its order within its second.
    pub recorded_us: i64,
}

/// Where a page of the feed ends: the last entry's second, microsecond and id.
pub type FeedPosition = (i64, i64, String);

impl Store {
    /// The shop's payments and refunds made at or after `since`, strictly before `before`
    /// when given, newest first (in the order they were recorded), at most `limit`.
    pub async fn feed(
        &self,
        merchant_id: &str,
        since: i64,
        before: Option<FeedPosition>,
        limit: i64,
    ) -> Result<Vec<FeedRow>, StoreError> {
        let (time, recorded, id) = before.unwrap_or((i64::MAX, i64::MAX, String::new()));
        let rows = sqlx::query(
            "SELECT kind, id, body, refunded_minor, created_at, recorded_us FROM (
                 SELECT 'payment' AS kind, payment_id AS id, receipt AS body, refunded_minor, created_at, recorded_us
                 FROM payments WHERE merchant_id = $1
                 UNION ALL
                 SELECT 'refund' AS kind, refund_id AS id, response AS body, 0 AS refunded_minor, created_at, recorded_us
                 FROM refunds WHERE merchant_id = $1
             ) entries
             WHERE created_at >= $2 AND (created_at < $3 OR (created_at = $3 AND
                   (recorded_us < $4 OR (recorded_us = $4 AND id < $5))))
             ORDER BY created_at DESC, recorded_us DESC, id DESC LIMIT $6",
        )
        .bind(merchant_id)
        .bind(since)
        .bind(time)
        .bind(recorded)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FeedRow {
                    kind: row.try_get("kind")?,
                    id: row.try_get("id")?,
                    body: row.try_get("body")?,
                    refunded_minor: row.try_get("refunded_minor")?,
                    created_at: row.try_get("created_at")?,
                    recorded_us: row.try_get("recorded_us")?,
                })
            })
            .collect()
    }
}
