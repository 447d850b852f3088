//! Linked cards: never a number or a security code, a keyed fingerprint instead.

use saifu_core::card::{Brand, Expiry};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Store, StoreError, WriteTx};

#[derive(Clone, Debug)]
pub struct CardRow {
    pub card_id: String,
    pub wallet_id: String,
    pub brand: Brand,
    pub issuer: String,
    pub last4: String,
    /// The first six digits; `None` for cards linked before they were kept.
    pub bin: Option<String>,
    pub expiry: Expiry,
    /// What the sandbox issuer decided for the number, as `Issuer` names it.
    pub issuer_rule: String,
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

/// A card network by its serde name, as stored.
pub(super) fn brand(text: String) -> Result<Brand, StoreError> {
    serde_json::from_value(serde_json::Value::String(text))
        .map_err(|error| StoreError::corrupt("card brand", error))
}

fn brand_text(brand: Brand) -> String {
    serde_json::to_value(brand)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn card(row: &AnyRow) -> Result<CardRow, StoreError> {
    let month: i32 = row.try_get("expiry_month")?;
    let year: i32 = row.try_get("expiry_year")?;
    let expiry = u8::try_from(month)
        .ok()
        .zip(u16::try_from(year).ok())
        .and_then(|(month, year)| Expiry::new(month, year).ok())
        .ok_or_else(|| StoreError::corrupt("card expiry", format!("{month}/{year}")))?;
    Ok(CardRow {
        card_id: row.try_get("card_id")?,
        wallet_id: row.try_get("wallet_id")?,
        brand: brand(row.try_get("brand")?)?,
        issuer: row.try_get("issuer")?,
        last4: row.try_get("last4")?,
        bin: row.try_get("bin")?,
        expiry,
        issuer_rule: row.try_get("sandbox_rule")?,
        linked_at: row.try_get("linked_at")?,
    })
}

impl Store {
    pub async fn linked_cards(&self, wallet_id: &str) -> Result<Vec<CardRow>, StoreError> {
        let rows = sqlx::query(select_cards!(
            "WHERE wallet_id = $1 AND unlinked_at IS NULL ORDER BY linked_at, card_id"
        ))
        .bind(wallet_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(card).collect()
    }

    pub async fn linked_card(
        &self,
        wallet_id: &str,
        card_id: &str,
    ) -> Result<Option<CardRow>, StoreError> {
        let row = sqlx::query(select_cards!(
            "WHERE wallet_id = $1 AND card_id = $2 AND unlinked_at IS NULL"
        ))
        .bind(wallet_id)
        .bind(card_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(card).transpose()
    }
}

impl WriteTx<'_> {
    /// [`StoreError::Duplicate`] when the wallet has the card with this fingerprint linked.
    pub async fn insert_card(
        &mut self,
        card: &CardRow,
        fingerprint: &str,
    ) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO cards (card_id, wallet_id, fingerprint, brand, issuer, last4, bin, expiry_month, expiry_year, sandbox_rule, linked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
        )
        .bind(&card.card_id)
        .bind(&card.wallet_id)
        .bind(fingerprint)
        .bind(brand_text(card.brand))
        .bind(&card.issuer)
        .bind(&card.last4)
        .bind(&card.bin)
        .bind(i32::from(card.expiry.month()))
        .bind(i32::from(card.expiry.year()))
        .bind(&card.issuer_rule)
        .bind(card.linked_at)
        .execute(&mut *self.connection)
        .await?;
        StoreError::inserted(inserted.rows_affected())
    }

    /// [`StoreError::NotFound`] when the wallet has no such linked card.
    pub async fn unlink_card(
        &mut self,
        wallet_id: &str,
        card_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query("UPDATE cards SET unlinked_at = $1 WHERE wallet_id = $2 AND card_id = $3 AND unlinked_at IS NULL")
            .bind(now)
            .bind(wallet_id)
            .bind(card_id)
            .execute(&mut *self.connection)
            .await?;
        StoreError::one_row(updated.rows_affected())
    }
}
