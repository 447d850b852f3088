//! Refunds: what a shop gives back of a payment, and the guard that it never gives back
//! more than the price.

use saifu_core::money::Money;
use sqlx::Row as _;

use super::{Store, StoreError, WriteTx};

/// A payment as a refund needs it.
#[derive(Clone, Debug)]
pub struct PaidRow {
    pub payment_id: String,
    pub wallet_id: String,
    pub merchant_id: String,
    /// The receipt the wallet got, as JSON.
    pub receipt: String,
    pub created_at: i64,
}

/// A refund to record, with the answer a retry of it gets.
#[derive(Clone, Debug)]
pub struct NewRefund<'a> {
    pub refund_id: &'a str,
    pub payment_id: &'a str,
    pub merchant_id: &'a str,
    pub till_id: &'a str,
    /// In the price's currency.
    pub amount: Money,
    /// To the balance or the card, in the currency the payment left in.
    pub returned: Money,
    pub response: &'a str,
    pub created_at: i64,
    /// The microsecond it was recorded at: its order within its second.
    pub recorded_us: i64,
}

impl Store {
    pub async fn paid(&self, payment_id: &str) -> Result<Option<PaidRow>, StoreError> {
        let row = sqlx::query(
            "SELECT payment_id, wallet_id, merchant_id, receipt, created_at FROM payments WHERE payment_id = $1",
        )
        .bind(payment_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(PaidRow {
                payment_id: row.try_get("payment_id")?,
                wallet_id: row.try_get("wallet_id")?,
                merchant_id: row.try_get("merchant_id")?,
                receipt: row.try_get("receipt")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .transpose()
    }
}

impl WriteTx<'_> {
    /// Adds `amount_minor` to what was refunded of the payment, unless that would pass
    /// `price_minor`: the refunded total after, or [`StoreError::NotFound`]. One guarded
    /// update, so refunds racing for the same payment cannot pass the price together.
    pub async fn add_refunded(
        &mut self,
        payment_id: &str,
        amount_minor: i64,
        price_minor: i64,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "UPDATE payments SET refunded_minor = refunded_minor + $1
             WHERE payment_id = $2 AND refunded_minor + $1 <= $3
             RETURNING refunded_minor",
        )
        .bind(amount_minor)
        .bind(payment_id)
        .bind(price_minor)
        .fetch_optional(&mut *self.connection)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("refunded_minor")?)
    }

    pub async fn insert_refund(&mut self, refund: &NewRefund<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO refunds (refund_id, payment_id, merchant_id, till_id, amount_minor, currency, returned_minor, returned_currency, response, created_at, recorded_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(refund.refund_id)
        .bind(refund.payment_id)
        .bind(refund.merchant_id)
        .bind(refund.till_id)
        .bind(refund.amount.minor())
        .bind(refund.amount.currency().code())
        .bind(refund.returned.minor())
        .bind(refund.returned.currency().code())
        .bind(refund.response)
        .bind(refund.created_at)
        .bind(refund.recorded_us)
        .execute(&mut *self.connection)
        .await?;
        Ok(())
    }

    /// Gives a fully refunded payment's promotion back: `saving_minor` to the campaign's
    /// budget, one use to the wallet, and its coupon, unless the wallet holds an unused one
    /// of the campaign again.
    pub async fn restore_promotion(
        &mut self,
        campaign_id: &str,
        wallet_id: &str,
        saving_minor: i64,
        coupon: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE campaigns SET budget_spent_minor = budget_spent_minor - $1
             WHERE campaign_id = $2 AND budget_spent_minor >= $1",
        )
        .bind(saving_minor)
        .bind(campaign_id)
        .execute(&mut *self.connection)
        .await?;
        sqlx::query(
            "UPDATE campaign_usage SET uses = uses - 1 WHERE campaign_id = $1 AND wallet_id = $2 AND uses > 0",
        )
        .bind(campaign_id)
        .bind(wallet_id)
        .execute(&mut *self.connection)
        .await?;
        if let Some((coupon_id, payment_id)) = coupon {
            sqlx::query(
                "UPDATE coupons SET used_by_payment = NULL
                 WHERE coupon_id = $1 AND used_by_payment = $2 AND NOT EXISTS (
                     SELECT 1 FROM coupons held
                     WHERE held.wallet_id = $3 AND held.campaign_id = $4 AND held.used_by_payment IS NULL)",
            )
            .bind(coupon_id)
            .bind(payment_id)
            .bind(wallet_id)
            .bind(campaign_id)
            .execute(&mut *self.connection)
            .await?;
        }
        Ok(())
    }
}
