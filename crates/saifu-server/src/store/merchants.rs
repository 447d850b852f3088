//! The shops that accept Saifu.

use saifu_core::money::Currency;
use saifu_core::qr::LocalName;
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
    /// Its name and city in its own language and script.
    pub local: Option<LocalName>,
}

/// The merchant columns, `m.`-qualified, for selects and joins.
macro_rules! merchant_columns {
    () => {
        "m.merchant_id, m.name, m.city, m.country, m.mcc, m.currency, m.merchant_group, m.utc_offset_minutes, m.local_language, m.local_name, m.local_city"
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
        local: local_name(row)?,
    })
}

/// The `local_*` columns of a merchant, as a join selects them.
pub(super) fn local_name(row: &AnyRow) -> Result<Option<LocalName>, StoreError> {
    let language: Option<String> = row.try_get("local_language")?;
    let name: Option<String> = row.try_get("local_name")?;
    let city: Option<String> = row.try_get("local_city")?;
    Ok(language.zip(name).map(|(language, name)| LocalName {
        language,
        name,
        city,
    }))
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
    /// Adds a merchant; of an existing one with the same id, only its local name changes.
    pub async fn upsert_merchant(&mut self, merchant: &MerchantRow) -> Result<(), StoreError> {
        let local = merchant.local.as_ref();
        sqlx::query(
            "INSERT INTO merchants (merchant_id, name, city, country, mcc, currency, merchant_group, utc_offset_minutes, local_language, local_name, local_city)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (merchant_id) DO UPDATE SET local_language = $9, local_name = $10, local_city = $11",
        )
        .bind(&merchant.merchant_id)
        .bind(&merchant.name)
        .bind(&merchant.city)
        .bind(&merchant.country)
        .bind(&merchant.mcc)
        .bind(merchant.currency.code())
        .bind(&merchant.group)
        .bind(merchant.utc_offset_minutes)
        .bind(local.map(|local| local.language.clone()))
        .bind(local.map(|local| local.name.clone()))
        .bind(local.and_then(|local| local.city.clone()))
        .execute(&mut *self.connection)
        .await?;
        Ok(())
    }
}
