//! Demo data, so the whole journey runs on one machine: shops in Shanghai paying in yuan and
//! in Tokyo and Osaka paying in yen, and the EMV codes they put on their counters.

use std::collections::BTreeMap;

use saifu_core::money::{Currency, Money, MoneyError};
use saifu_core::qr::emv::{EmvMpm, Initiation, Template};

use crate::db::{Db, MerchantRow};
use crate::ledger;

/// The merchant account template GUID of codes this service issues; sub-ID 01 is the
/// merchant id.
pub const MERCHANT_GUID: &str = "APP.SAIFU";
const MERCHANT_TEMPLATE_ID: u8 = 26;

/// (id, name, city, country, MCC, currency)
const DEMO_MERCHANTS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "sh-lanxin-noodles",
        "Lanxin Noodle House",
        "Shanghai",
        "CN",
        "5814",
        "CNY",
    ),
    (
        "sh-jingan-market",
        "Jing'an Fresh Market",
        "Shanghai",
        "CN",
        "5411",
        "CNY",
    ),
    (
        "sh-bund-books",
        "Bund Books & Tea",
        "Shanghai",
        "CN",
        "5942",
        "CNY",
    ),
    (
        "tyo-ginza-sushi",
        "Sushi Kanda Ginza",
        "Tokyo",
        "JP",
        "5812",
        "JPY",
    ),
    (
        "tyo-akiba-denki",
        "Akiba Denki",
        "Tokyo",
        "JP",
        "5732",
        "JPY",
    ),
    (
        "osa-dotonbori-takoyaki",
        "Dotonbori Takoyaki",
        "Osaka",
        "JP",
        "5814",
        "JPY",
    ),
];

/// Demo exchange rates (base, quote, rate): yen for yuan wallets and the other way round.
const DEMO_RATES: &[(&str, &str, &str)] = &[("JPY", "CNY", "0.048210"), ("CNY", "JPY", "20.7400")];

/// Adds the demo merchants and sets the demo exchange rates; running it again changes
/// nothing but the rates' time.
pub async fn seed(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    for &(base, quote, rate) in DEMO_RATES {
        let base = Currency::from_code(base).expect("demo rates name ISO currencies");
        let quote = Currency::from_code(quote).expect("demo rates name ISO currencies");
        ledger::upsert_rate(db, base, quote, rate, now).await?;
    }
    for &(merchant_id, name, city, country, mcc, currency) in DEMO_MERCHANTS {
        let row = MerchantRow {
            merchant_id: merchant_id.into(),
            name: name.into(),
            city: city.into(),
            country: country.into(),
            mcc: mcc.into(),
            currency: currency.into(),
        };
        db.upsert_merchant(&row).await?;
    }
    Ok(DEMO_MERCHANTS.len())
}

/// The EMV merchant-presented code for `merchant`: static (the payer enters the amount)
/// without `amount`, dynamic with it. `amount` is a decimal string in the merchant's currency.
pub fn merchant_code(merchant: &MerchantRow, amount: Option<&str>) -> Result<EmvMpm, MoneyError> {
    let currency = Currency::from_code(&merchant.currency)?;
    let amount = amount
        .map(|text| Money::parse(text, currency))
        .transpose()?;
    let account = Template {
        fields: BTreeMap::from([
            (0, MERCHANT_GUID.to_owned()),
            (1, merchant.merchant_id.clone()),
        ]),
    };
    Ok(EmvMpm {
        initiation: Some(if amount.is_some() {
            Initiation::Dynamic
        } else {
            Initiation::Static
        }),
        network_ids: BTreeMap::new(),
        accounts: BTreeMap::from([(MERCHANT_TEMPLATE_ID, account)]),
        mcc: Some(merchant.mcc.clone()),
        currency,
        amount,
        tip: None,
        country: Some(merchant.country.clone()),
        merchant_name: Some(merchant.name.clone()),
        merchant_city: Some(merchant.city.clone()),
        postal_code: None,
        additional_data: None,
        language: None,
        other: BTreeMap::new(),
    })
}

/// Pixels per QR module in printed codes, and the quiet zone around them in modules.
const MODULE_PIXELS: u32 = 8;
const QUIET_MODULES: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrImageError {
    #[error("the payload does not fit in a QR code: {0}")]
    TooLong(#[from] qrcode::types::QrError),
    #[error("cannot write the image: {0}")]
    Write(#[from] image::ImageError),
}

/// Draws `payload` as a QR code (error correction M, as payment codes are printed) and
/// writes it as a PNG to `path`.
pub fn write_qr_png(payload: &str, path: &std::path::Path) -> Result<(), QrImageError> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)?;
    let modules = u32::try_from(code.width()).unwrap_or(u32::MAX);
    let side = (modules + 2 * QUIET_MODULES) * MODULE_PIXELS;
    let image = image::GrayImage::from_fn(side, side, |x, y| {
        let module = |pixel: u32| {
            (pixel / MODULE_PIXELS)
                .checked_sub(QUIET_MODULES)
                .filter(|m| *m < modules)
        };
        let dark = module(x).zip(module(y)).is_some_and(|(column, row)| {
            code[(column as usize, row as usize)] == qrcode::Color::Dark
        });
        image::Luma([if dark { 0 } else { 255 }])
    });
    image.save(path)?;
    Ok(())
}
