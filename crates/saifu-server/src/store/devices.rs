//! Wallets and their devices.

use saifu_core::money::Currency;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Store, StoreError, WriteTx};

#[derive(Clone, Debug)]
pub struct DeviceRow {
    pub device_id: String,
    pub wallet_id: String,
    pub device_name: String,
    pub public_key: String,
    pub registered_at: i64,
    pub locked_at: Option<i64>,
    /// When its wallet was suspended with the lock code, until the recovery code lifts it.
    pub wallet_suspended_at: Option<i64>,
}

/// A literal `SELECT` of every device column, followed by `$rest`.
macro_rules! select_devices {
    ($rest:literal) => {
        concat!(
            "SELECT device_id, wallet_id, device_name, public_key, registered_at, locked_at,
             (SELECT suspended_at FROM wallets w WHERE w.wallet_id = devices.wallet_id) AS wallet_suspended_at
             FROM devices ",
            $rest
        )
    };
}

fn device(row: &AnyRow) -> Result<DeviceRow, sqlx::Error> {
    Ok(DeviceRow {
        device_id: row.try_get("device_id")?,
        wallet_id: row.try_get("wallet_id")?,
        device_name: row.try_get("device_name")?,
        public_key: row.try_get("public_key")?,
        registered_at: row.try_get("registered_at")?,
        locked_at: row.try_get("locked_at")?,
        wallet_suspended_at: row.try_get("wallet_suspended_at")?,
    })
}

impl Store {
    pub async fn device(&self, device_id: &str) -> Result<Option<DeviceRow>, StoreError> {
        let row = sqlx::query(select_devices!("WHERE device_id = $1"))
            .bind(device_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(device).transpose()?)
    }

    pub async fn wallet_devices(&self, wallet_id: &str) -> Result<Vec<DeviceRow>, StoreError> {
        let rows = sqlx::query(select_devices!(
            "WHERE wallet_id = $1 ORDER BY registered_at, device_id"
        ))
        .bind(wallet_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(device).collect::<Result<_, _>>()?)
    }

    /// The wallet whose lock code has this hash, and when it was suspended if it is.
    pub async fn wallet_of_lock_code(
        &self,
        lock_code_hash: &str,
    ) -> Result<Option<(String, Option<i64>)>, StoreError> {
        let row =
            sqlx::query("SELECT wallet_id, suspended_at FROM wallets WHERE lock_code_hash = $1")
                .bind(lock_code_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row
            .map(|row| {
                Ok::<_, sqlx::Error>((row.try_get("wallet_id")?, row.try_get("suspended_at")?))
            })
            .transpose()?)
    }

    /// Wrong lock codes from `source` since `since`.
    pub async fn lock_attempts(&self, source: &str, since: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS attempts FROM lock_attempts WHERE source = $1 AND tried_at >= $2",
        )
        .bind(source)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("attempts")?)
    }

    /// The currency a wallet keeps its money in.
    pub async fn wallet_currency(&self, wallet_id: &str) -> Result<Currency, StoreError> {
        let row = sqlx::query("SELECT home_currency FROM wallets WHERE wallet_id = $1")
            .bind(wallet_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        super::currency(&row, "home_currency", "wallet currency")
    }
}

impl WriteTx<'_> {
    /// Creates a wallet with its first device: [`StoreError::Duplicate`] when the device's
    /// id or key is registered already.
    pub async fn create_wallet(
        &mut self,
        wallet_id: &str,
        home_currency: Currency,
        device: &DeviceRow,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO wallets (wallet_id, created_at, home_currency) VALUES ($1, $2, $3)",
        )
        .bind(wallet_id)
        .bind(device.registered_at)
        .bind(home_currency.code())
        .execute(&mut *self.connection)
        .await?;
        self.add_device(device).await
    }

    /// [`StoreError::Duplicate`] when the device's id or key is registered already.
    pub async fn add_device(&mut self, device: &DeviceRow) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO devices (device_id, wallet_id, device_name, public_key, registered_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
        )
        .bind(&device.device_id)
        .bind(&device.wallet_id)
        .bind(&device.device_name)
        .bind(&device.public_key)
        .bind(device.registered_at)
        .execute(&mut *self.connection)
        .await?;
        StoreError::inserted(inserted.rows_affected())
    }

    /// Gives the wallet new lock and recovery codes (their hashes); the old ones stop
    /// working.
    pub async fn set_recovery_codes(
        &mut self,
        wallet_id: &str,
        lock_code_hash: &str,
        recovery_code_hash: &str,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE wallets SET lock_code_hash = $1, recovery_code_hash = $2 WHERE wallet_id = $3",
        )
        .bind(lock_code_hash)
        .bind(recovery_code_hash)
        .bind(wallet_id)
        .execute(&mut *self.connection)
        .await?;
        StoreError::one_row(updated.rows_affected())
    }

    /// Suspends the wallet unless it is suspended already; answers when it was.
    pub async fn suspend_wallet(&mut self, wallet_id: &str, now: i64) -> Result<i64, StoreError> {
        sqlx::query(
            "UPDATE wallets SET suspended_at = $1 WHERE wallet_id = $2 AND suspended_at IS NULL",
        )
        .bind(now)
        .bind(wallet_id)
        .execute(&mut *self.connection)
        .await?;
        let row = sqlx::query("SELECT suspended_at FROM wallets WHERE wallet_id = $1")
            .bind(wallet_id)
            .fetch_one(&mut *self.connection)
            .await?;
        row.try_get::<Option<i64>, _>("suspended_at")?
            .ok_or(StoreError::NotFound)
    }

    /// Lifts the wallet's suspension when `recovery_code_hash` is its recovery code's:
    /// [`StoreError::NotFound`] when it is not.
    pub async fn resume_wallet(
        &mut self,
        wallet_id: &str,
        recovery_code_hash: &str,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE wallets SET suspended_at = NULL WHERE wallet_id = $1 AND recovery_code_hash = $2",
        )
        .bind(wallet_id)
        .bind(recovery_code_hash)
        .execute(&mut *self.connection)
        .await?;
        StoreError::one_row(updated.rows_affected())
    }

    pub async fn record_lock_attempt(&mut self, source: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO lock_attempts (source, tried_at) VALUES ($1, $2)")
            .bind(source)
            .bind(now)
            .execute(&mut *self.connection)
            .await?;
        Ok(())
    }

    /// Locks a device unless it is locked already; the first lock's time and author stay.
    pub async fn lock_device(
        &mut self,
        device_id: &str,
        locked_by: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE devices SET locked_at = $1, locked_by = $2 WHERE device_id = $3 AND locked_at IS NULL")
            .bind(now)
            .bind(locked_by)
            .bind(device_id)
            .execute(&mut *self.connection)
            .await?;
        Ok(())
    }
}
