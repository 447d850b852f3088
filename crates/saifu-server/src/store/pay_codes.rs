//! Pay codes: each device's key and number, how its codes pay, the steps used, and the
//! codes a shop sent that no key made.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Store, StoreError, WriteTx};

#[derive(Clone, Debug)]
pub struct PayCodeRow {
    pub device_id: String,
    pub device_number: u32,
    /// The key as base64url: a secret, never logged.
    pub pay_key: String,
    pub funding_card_id: Option<String>,
    pub fallback_card_id: Option<String>,
    pub no_pin_limit_minor: i64,
}

macro_rules! select_pay_codes {
    ($rest:literal) => {
        concat!(
            "SELECT device_id, device_number, pay_key, funding_card_id, fallback_card_id, no_pin_limit_minor FROM pay_codes ",
            $rest
        )
    };
}

fn pay_code(row: &AnyRow) -> Result<PayCodeRow, StoreError> {
    let number: i64 = row.try_get("device_number")?;
    Ok(PayCodeRow {
        device_id: row.try_get("device_id")?,
        device_number: u32::try_from(number)
            .map_err(|error| StoreError::corrupt("device number", error))?,
        pay_key: row.try_get("pay_key")?,
        funding_card_id: row.try_get("funding_card_id")?,
        fallback_card_id: row.try_get("fallback_card_id")?,
        no_pin_limit_minor: row.try_get("no_pin_limit_minor")?,
    })
}

impl Store {
    pub async fn pay_code_of_number(&self, number: u32) -> Result<Option<PayCodeRow>, StoreError> {
        let row = sqlx::query(select_pay_codes!("WHERE device_number = $1"))
            .bind(i64::from(number))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(pay_code).transpose()
    }

    pub async fn pay_code_of_device(
        &self,
        device_id: &str,
    ) -> Result<Option<PayCodeRow>, StoreError> {
        let row = sqlx::query(select_pay_codes!("WHERE device_id = $1"))
            .bind(device_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(pay_code).transpose()
    }

    /// Codes the shop sent since `since` that no key made.
    pub async fn pay_code_misses(&self, merchant_id: &str, since: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS misses FROM pay_code_misses WHERE merchant_id = $1 AND missed_at >= $2",
        )
        .bind(merchant_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("misses")?)
    }
}

impl WriteTx<'_> {
    /// Gives the device `pay_key`: a new key for the number it has, or its first with the
    /// first of `numbers` no other device holds. Answers the device's row.
    pub async fn issue_pay_code(
        &mut self,
        device_id: &str,
        pay_key: &str,
        numbers: &[u32],
        no_pin_limit_minor: i64,
        now: i64,
    ) -> Result<PayCodeRow, StoreError> {
        let rekeyed =
            sqlx::query("UPDATE pay_codes SET pay_key = $1, issued_at = $2 WHERE device_id = $3")
                .bind(pay_key)
                .bind(now)
                .bind(device_id)
                .execute(&mut *self.connection)
                .await?;
        if rekeyed.rows_affected() == 0 {
            let mut issued = false;
            for number in numbers {
                let inserted = sqlx::query(
                    "INSERT INTO pay_codes (device_id, device_number, pay_key, no_pin_limit_minor, issued_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(device_id)
                .bind(i64::from(*number))
                .bind(pay_key)
                .bind(no_pin_limit_minor)
                .bind(now)
                .execute(&mut *self.connection)
                .await?;
                if inserted.rows_affected() == 1 {
                    issued = true;
                    break;
                }
            }
            if !issued {
                return Err(StoreError::Duplicate);
            }
        }
        let row = sqlx::query(select_pay_codes!("WHERE device_id = $1"))
            .bind(device_id)
            .fetch_one(&mut *self.connection)
            .await?;
        pay_code(&row)
    }

    /// How the device's codes pay: [`StoreError::NotFound`] when it has no pay code.
    pub async fn set_pay_code_settings(
        &mut self,
        device_id: &str,
        funding_card_id: Option<&str>,
        fallback_card_id: Option<&str>,
        no_pin_limit_minor: i64,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE pay_codes SET funding_card_id = $1, fallback_card_id = $2, no_pin_limit_minor = $3 WHERE device_id = $4",
        )
        .bind(funding_card_id)
        .bind(fallback_card_id)
        .bind(no_pin_limit_minor)
        .bind(device_id)
        .execute(&mut *self.connection)
        .await?;
        StoreError::one_row(updated.rows_affected())
    }

    /// Uses up the device's code of `step`: [`StoreError::Duplicate`] when it was used
    /// (by a committed transaction: one under way is waited for).
    pub async fn use_pay_code(
        &mut self,
        device_id: &str,
        step: i64,
        merchant_id: &str,
        payment_id: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO pay_code_uses (device_id, step, merchant_id, payment_id, used_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(device_id)
        .bind(step)
        .bind(merchant_id)
        .bind(payment_id)
        .bind(now)
        .execute(&mut *self.connection)
        .await?;
        StoreError::inserted(inserted.rows_affected())
    }

    pub async fn record_pay_code_miss(
        &mut self,
        merchant_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO pay_code_misses (merchant_id, missed_at) VALUES ($1, $2)")
            .bind(merchant_id)
            .bind(now)
            .execute(&mut *self.connection)
            .await?;
        Ok(())
    }
}
