//! Payments, their receipts, and the idempotency keys that make money moves safe to retry.

use sqlx::Row as _;

use super::{Store, StoreError, WriteTx};

/// Whose idempotency keys a key is among: a wallet's (its payments and top-ups) or a
/// shop's (its tills' refunds).
#[derive(Clone, Copy, Debug)]
pub enum KeyScope<'a> {
    Wallet(&'a str),
    Shop(&'a str),
}

impl<'a> KeyScope<'a> {
    fn owner(self) -> &'a str {
        match self {
            KeyScope::Wallet(id) | KeyScope::Shop(id) => id,
        }
    }
}

/// A payment to record.
#[derive(Clone, Debug)]
pub struct NewPayment<'a> {
    pub payment_id: &'a str,
    pub wallet_id: &'a str,
    pub quote_id: &'a str,
    pub merchant_id: &'a str,
    pub device_id: &'a str,
    /// The receipt the wallet gets, as JSON.
    pub receipt: &'a str,
    pub created_at: i64,
    /// The microsecond it was recorded at: its order within its second.
    pub recorded_us: i64,
}

impl WriteTx<'_> {
    /// Records the payment of a quote, after the ledger transaction it refers to:
    /// [`StoreError::Duplicate`] when the quote was paid already.
    pub async fn insert_payment(&mut self, payment: &NewPayment<'_>) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO payments (payment_id, wallet_id, device_id, quote_id, transaction_id, receipt, created_at, merchant_id, recorded_us)
             VALUES ($1, $2, $3, $4, $1, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(payment.payment_id)
        .bind(payment.wallet_id)
        .bind(payment.device_id)
        .bind(payment.quote_id)
        .bind(payment.receipt)
        .bind(payment.created_at)
        .bind(payment.merchant_id)
        .bind(payment.recorded_us)
        .execute(&mut *self.connection)
        .await?;
        StoreError::inserted(inserted.rows_affected())
    }

    /// Claims an idempotency key for this transaction with the response to store under it;
    /// [`StoreError::Duplicate`] when the key was claimed already (by a committed
    /// transaction: one under way is waited for). `response` may be empty and stored later
    /// with [`WriteTx::store_idempotent_response`].
    pub async fn claim_idempotency_key(
        &mut self,
        scope: KeyScope<'_>,
        key: &str,
        request_hash: &str,
        response: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let sql = match scope {
            KeyScope::Wallet(_) => {
                "INSERT INTO idempotency_keys (wallet_id, idempotency_key, request_hash, response, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (wallet_id, idempotency_key) DO NOTHING"
            }
            KeyScope::Shop(_) => {
                "INSERT INTO till_idempotency_keys (merchant_id, idempotency_key, request_hash, response, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (merchant_id, idempotency_key) DO NOTHING"
            }
        };
        let claimed = sqlx::query(sql)
            .bind(scope.owner())
            .bind(key)
            .bind(request_hash)
            .bind(response)
            .bind(now)
            .execute(&mut *self.connection)
            .await?;
        StoreError::inserted(claimed.rows_affected())
    }

    pub async fn store_idempotent_response(
        &mut self,
        scope: KeyScope<'_>,
        key: &str,
        response: &str,
    ) -> Result<(), StoreError> {
        let sql = match scope {
            KeyScope::Wallet(_) => {
                "UPDATE idempotency_keys SET response = $1 WHERE wallet_id = $2 AND idempotency_key = $3"
            }
            KeyScope::Shop(_) => {
                "UPDATE till_idempotency_keys SET response = $1 WHERE merchant_id = $2 AND idempotency_key = $3"
            }
        };
        sqlx::query(sql)
            .bind(response)
            .bind(scope.owner())
            .bind(key)
            .execute(&mut *self.connection)
            .await?;
        Ok(())
    }

    /// The request hash and response stored under a claimed key.
    pub async fn idempotent_response(
        &mut self,
        scope: KeyScope<'_>,
        key: &str,
    ) -> Result<(String, String), StoreError> {
        let sql = match scope {
            KeyScope::Wallet(_) => {
                "SELECT request_hash, response FROM idempotency_keys WHERE wallet_id = $1 AND idempotency_key = $2"
            }
            KeyScope::Shop(_) => {
                "SELECT request_hash, response FROM till_idempotency_keys WHERE merchant_id = $1 AND idempotency_key = $2"
            }
        };
        let row = sqlx::query(sql)
            .bind(scope.owner())
            .bind(key)
            .fetch_optional(&mut *self.connection)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((row.try_get("request_hash")?, row.try_get("response")?))
    }

    /// How many payments the wallet has made at the merchant, this transaction's included.
    pub async fn payments_at(
        &mut self,
        wallet_id: &str,
        merchant_id: &str,
    ) -> Result<i64, StoreError> {
        payments_at(&mut *self.connection, wallet_id, merchant_id).await
    }
}

impl Store {
    /// A payment's stored receipt (JSON), if the wallet made it.
    pub async fn payment_receipt(
        &self,
        wallet_id: &str,
        payment_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("SELECT receipt FROM payments WHERE payment_id = $1 AND wallet_id = $2")
                .bind(payment_id)
                .bind(wallet_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|row| row.try_get("receipt")).transpose()?)
    }

    /// Whether the wallet has made any payment.
    pub async fn has_paid(&self, wallet_id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM payments WHERE wallet_id = $1 LIMIT 1")
            .bind(wallet_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// How many payments the wallet has made at the merchant.
    pub async fn payments_at(&self, wallet_id: &str, merchant_id: &str) -> Result<i64, StoreError> {
        payments_at(&self.pool, wallet_id, merchant_id).await
    }
}

/// Planned afresh each time: PostgreSQL's cached generic plan of this join, made while the
/// tables were nearly empty, scans both of them, and takes a second once a wallet has made
/// thousands of payments (until the tables are next analysed).
async fn payments_at<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    wallet_id: &str,
    merchant_id: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS payments FROM payments p JOIN quotes q ON q.quote_id = p.quote_id
         WHERE p.wallet_id = $1 AND q.merchant_id = $2",
    )
    .persistent(false)
    .bind(wallet_id)
    .bind(merchant_id)
    .fetch_one(executor)
    .await?
    .try_get("payments")?)
}
