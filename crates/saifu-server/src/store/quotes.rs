//! Quotes: what a price was, how each way of paying was offered, until when.

use saifu_api::QuoteOffer;
use saifu_core::money::{ExchangeRate, Money};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::merchants::{MerchantRow, merchant, merchant_columns};
use super::{Store, StoreError, WriteTx};

#[derive(Clone, Debug)]
pub struct QuoteRow {
    pub quote_id: String,
    pub wallet_id: String,
    pub merchant_id: String,
    pub price: Money,
    /// The best offer's pay, as the quote shows it on top.
    pub pay: Money,
    /// The exchange rate (kept as written, "1 JPY = 0.048210 CNY", so read back exactly) and
    /// when it was set.
    pub rate: Option<(ExchangeRate, i64)>,
    pub created_at: i64,
    pub expires_at: i64,
    /// The seed the quote's random discounts were drawn with: kept to show how they came out.
    pub promo_seed: i64,
    /// What the quote promised for each funding; the payment honours the one it names.
    pub offers: Vec<QuoteOffer>,
}

impl WriteTx<'_> {
    pub async fn insert_quote(&mut self, quote: &QuoteRow) -> Result<(), StoreError> {
        let offers = serde_json::to_string(&quote.offers)
            .map_err(|error| StoreError::corrupt("quote offers", error))?;
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
        .bind(quote.rate.as_ref().map(|(rate, _)| rate.to_string()))
        .bind(quote.rate.as_ref().map(|(_, as_of)| *as_of))
        .bind(quote.created_at)
        .bind(quote.expires_at)
        .bind(quote.promo_seed)
        .bind(offers)
        .execute(&mut *self.connection)
        .await?;
        Ok(())
    }
}

impl Store {
    /// A quote with the merchant it prices, in one read: what a payment needs of both.
    /// Quotes never change once made, so any connection reads the same.
    pub async fn quote_and_merchant(
        &self,
        quote_id: &str,
    ) -> Result<Option<(QuoteRow, MerchantRow)>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT q.quote_id, q.wallet_id, q.price_minor, q.price_currency, q.pay_minor, q.pay_currency, q.rate, q.rate_as_of, q.created_at, q.expires_at, q.promo_seed, q.offers, ",
            merchant_columns!(),
            " FROM quotes q JOIN merchants m ON m.merchant_id = q.merchant_id WHERE q.quote_id = $1"
        ))
        .bind(quote_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(|row| Ok((quote(row)?, merchant(row)?)))
            .transpose()
    }
}

fn quote(row: &AnyRow) -> Result<QuoteRow, StoreError> {
    let money = |minor: &str, currency: &str| -> Result<Money, StoreError> {
        let currency = super::currency(row, currency, "quote currency")?;
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
        rate: rate
            .map(|rate| {
                rate.parse()
                    .map_err(|error| StoreError::corrupt("quote rate", error))
            })
            .transpose()?
            .zip(rate_as_of),
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        promo_seed: row.try_get("promo_seed")?,
        offers: serde_json::from_str(&offers)
            .map_err(|error| StoreError::corrupt("quote offers", error))?,
    })
}
