//! The shops that accept Saifu.

use saifu_core::money::Currency;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Store, StoreError, WriteTx};

#[derive(Clone, Debug)]
pub struct MerchantRow {
    pub merchant_id: String,
    pub name: String,
    pub city: String,
    pub country: String,
    pub mcc: String,
    pub currency: Currency,
    /// The chain the shop belongs to, for promotions of a whole group.
    pub group: Option<String>,
    /// The shop's wall clock ahead of UTC, for promotions by weekday and hour.
    pub utc_offset_minutes: i32,
}

/// The merchant columns, `m.`-qualified, for selects and joins.
macro_rules! merchant_columns {
    () => {
        "m.merchant_id, m.name, m.city, m.country, m.mcc, m.currency, m.merchant_group, m.utc_offset_minutes"
    };
}
pub(super) use merchant_columns;

pub(super) fn merchant(row: &AnyRow) -> Result<MerchantRow, StoreError> {
    Ok(MerchantRow {
        merchant_id: row.try_get("merchant_id")?,
        name: row.try_get("name")?,
        city: row.try_get("city")?,
        country: row.try_get("country")?,
        mcc: row.try_get("mcc")?,
        currency: super::currency(row, "currency", "merchant currency")?,
        group: row.try_get("merchant_group")?,
        utc_offset_minutes: row.try_get("utc_offset_minutes")?,
    })
}

impl Store {
    pub async fn merchants(&self) -> Result<Vec<MerchantRow>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            merchant_columns!(),
            " FROM merchants m ORDER BY m.merchant_id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(merchant).collect()
    }

    pub async fn merchant(&self, merchant_id: &str) -> Result<Option<MerchantRow>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            merchant_columns!(),
            " FROM merchants m WHERE m.merchant_id = $1"
        ))
        .bind(merchant_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(merchant).transpose()
    }
}

impl WriteTx<'_> {
    /// Adds a merchant, leaving an existing one with the same id as it is.
    pub async fn upsert_merchant(&mut self, merchant: &MerchantRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO merchants (merchant_id, name, city, country, mcc, currency, merchant_group, utc_offset_minutes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (merchant_id) DO NOTHING",
        )
        .bind(&merchant.merchant_id)
        .bind(&merchant.name)
        .bind(&merchant.city)
        .bind(&merchant.country)
        .bind(&merchant.mcc)
        .bind(merchant.currency.code())
        .bind(&merchant.group)
        .bind(merchant.utc_offset_minutes)
        .execute(&mut *self.connection)
        .await?;
        Ok(())
    }
}
