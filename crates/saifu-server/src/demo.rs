//! Demo data, so the whole journey runs on one machine: shops in Shanghai paying in yuan and
//! in Tokyo and Osaka paying in yen, the EMV codes they put on their counters, and promotions
//! of every kind, funder and way of stacking.

use std::collections::BTreeMap;

use saifu_core::card::Brand;
use saifu_core::money::{Currency, Money, MoneyError};
use saifu_core::promo::{BinRange, Campaign, Eligibility, Funder, FundingKind, Reward, Stacking};
use saifu_core::qr::LocalName;
use saifu_core::qr::emv::{EmvMpm, Shop};

use crate::service::{COUPON_SECONDS, CampaignError};
use crate::store::{CampaignRow, FundedBy, MerchantRow, Store, StoreError};

/// Minutes ahead of UTC in China and Japan, neither keeping daylight saving time.
const CHINA: i32 = 8 * 60;
const JAPAN: i32 = 9 * 60;

/// (id, name, city, country, MCC, currency, minutes ahead of UTC)
const DEMO_MERCHANTS: &[(&str, &str, &str, &str, &str, &str, i32)] = &[
    (
        "sh-lanxin-noodles",
        "Lanxin Noodle House",
        "Shanghai",
        "CN",
        "5814",
        "CNY",
        CHINA,
    ),
    (
        "sh-jingan-market",
        "Jing'an Fresh Market",
        "Shanghai",
        "CN",
        "5411",
        "CNY",
        CHINA,
    ),
    (
        "sh-bund-books",
        "Bund Books & Tea",
        "Shanghai",
        "CN",
        "5942",
        "CNY",
        CHINA,
    ),
    (
        "tyo-ginza-sushi",
        "Sushi Kanda Ginza",
        "Tokyo",
        "JP",
        "5812",
        "JPY",
        JAPAN,
    ),
    (
        "tyo-akiba-denki",
        "Akiba Denki",
        "Tokyo",
        "JP",
        "5732",
        "JPY",
        JAPAN,
    ),
    (
        "osa-dotonbori-takoyaki",
        "Dotonbori Takoyaki",
        "Osaka",
        "JP",
        "5814",
        "JPY",
        JAPAN,
    ),
];

/// The demo shops' names and cities in their own language: (id, language, name, city).
const DEMO_LOCAL_NAMES: &[(&str, &str, &str, &str)] = &[
    ("sh-lanxin-noodles", "zh", "兰心面馆", "上海"),
    ("sh-jingan-market", "zh", "静安生鲜市场", "上海"),
    ("sh-bund-books", "zh", "外滩书茶馆", "上海"),
    ("tyo-ginza-sushi", "ja", "すし神田 銀座", "東京"),
    ("tyo-akiba-denki", "ja", "アキバ電気", "東京"),
    ("osa-dotonbori-takoyaki", "ja", "道頓堀たこ焼き", "大阪"),
];

/// Demo exchange rates (base, quote, rate): the demo shops' yen and yuan for wallets in every
/// home currency onboarding offers.
const DEMO_RATES: &[(&str, &str, &str)] = &[
    ("JPY", "CNY", "0.048210"),
    ("CNY", "JPY", "20.7400"),
    ("JPY", "USD", "0.006690"),
    ("CNY", "USD", "0.138800"),
    ("JPY", "EUR", "0.006170"),
    ("CNY", "EUR", "0.128000"),
];

/// Adds the demo merchants and sets the demo exchange rates; running it again changes
/// nothing but the rates' time.
pub async fn seed(store: &Store, now: i64) -> Result<usize, StoreError> {
    store
        .write(move |mut tx| {
            Box::pin(async move {
                for &(base, quote, rate) in DEMO_RATES {
                    tx.upsert_rate(base, quote, rate, now).await?;
                }
                for &(merchant_id, name, city, country, mcc, currency, utc_offset_minutes) in
                    DEMO_MERCHANTS
                {
                    let row = MerchantRow {
                        merchant_id: merchant_id.into(),
                        name: name.into(),
                        city: city.into(),
                        country: country.into(),
                        mcc: mcc.into(),
                        currency: Currency::from_code(currency)
                            .expect("demo merchants name ISO currencies"),
                        group: None,
                        utc_offset_minutes,
                        local: DEMO_LOCAL_NAMES
                            .iter()
                            .find(|(id, ..)| *id == merchant_id)
                            .map(|&(_, language, name, city)| LocalName {
                                language: language.into(),
                                name: name.into(),
                                city: Some(city.into()),
                            }),
                    };
                    tx.upsert_merchant(&row).await?;
                }
                Ok::<_, StoreError>(())
            })
        })
        .await?;
    Ok(DEMO_MERCHANTS.len())
}

/// The demo shops of Shanghai and of Tokyo, for promotions of a whole city.
const SHANGHAI: &[&str] = &["sh-lanxin-noodles", "sh-jingan-market", "sh-bund-books"];
const TOKYO: &[&str] = &["tyo-ginza-sushi", "tyo-akiba-denki"];

/// A budget no demo runs out of: a million in major units.
const LARGE_BUDGET: i64 = 100_000_000;

/// An automatic, one-per-funder campaign at `merchants`, open every hour of every day.
fn demo_campaign(
    id: &str,
    [english, chinese, japanese]: [&str; 3],
    funder: Funder,
    reward: Reward,
    currency: &str,
    merchants: &[&str],
) -> Campaign {
    Campaign {
        id: id.to_owned(),
        name: english.to_owned(),
        names: BTreeMap::from([
            ("zh-CN".to_owned(), chinese.to_owned()),
            ("ja".to_owned(), japanese.to_owned()),
        ]),
        funder,
        reward,
        currency: Currency::from_code(currency).expect("demo campaigns name ISO currencies"),
        eligibility: Eligibility {
            merchants: merchants.iter().map(|&id| id.to_owned()).collect(),
            ..Eligibility::default()
        },
        stacking: Stacking::OnePerFunder,
        coupon: false,
        per_user_limit: None,
        budget_minor: Some(LARGE_BUDGET),
    }
}

fn with(mut campaign: Campaign, edit: impl FnOnce(&mut Campaign)) -> Campaign {
    edit(&mut campaign);
    campaign
}

fn funded(campaign: Campaign, funded_by: FundedBy) -> CampaignRow {
    CampaignRow {
        campaign,
        funded_by,
        coupon_valid_seconds: None,
        visitors_only: false,
    }
}

/// Every reward kind, every funder and every way of stacking, in yuan and in yen; coupons
/// to claim first, a card issuer's offer for its own UnionPay cards, a discount only for
/// visitors from abroad.
pub fn demo_campaigns() -> Vec<CampaignRow> {
    let merchant = |id: &str| FundedBy::Merchant(id.to_owned());
    vec![
        funded(
            demo_campaign(
                "demo-lanxin-5-off-30",
                [
                    "¥5 off ¥30 at Lanxin Noodle House",
                    "兰心面馆 满30元减5元",
                    "蘭心麺館 30元以上で5元引き",
                ],
                Funder::Merchant,
                Reward::ThresholdOff {
                    spend_minor: 3_000,
                    off_minor: 500,
                },
                "CNY",
                &["sh-lanxin-noodles"],
            ),
            merchant("sh-lanxin-noodles"),
        ),
        funded(
            demo_campaign(
                "demo-jingan-lucky",
                [
                    "Lucky instant discount: ¥0.20 to ¥2.00 off",
                    "静安生鲜市场 随机立减0.20～2.00元",
                    "静安生鮮マーケット ランダムで0.20〜2.00元引き",
                ],
                Funder::Operator,
                Reward::RandomOff {
                    min_minor: 20,
                    max_minor: 200,
                },
                "CNY",
                &["sh-jingan-market"],
            ),
            FundedBy::Operator,
        ),
        funded(
            with(
                demo_campaign(
                    "demo-unionpay-shanghai",
                    [
                        "10% off in Shanghai with Sandbox UnionPay Bank cards (up to ¥20)",
                        "沙盒银联银行卡 上海消费立减10%（最高20元）",
                        "Sandbox UnionPay Bank のカードで上海のお支払いが10%オフ（最大20元）",
                    ],
                    Funder::Issuer,
                    Reward::PercentOff {
                        basis_points: 1_000,
                        cap: Some(2_000),
                    },
                    "CNY",
                    SHANGHAI,
                ),
                |c| {
                    c.eligibility.brands = vec![Brand::UnionPay];
                    // The sandbox issuer's BIN: 6200 0000 0000 0005.
                    c.eligibility.bins = vec![BinRange {
                        low: "620000".to_owned(),
                        high: "620000".to_owned(),
                    }];
                    c.eligibility.funding = Some(FundingKind::Card);
                },
            ),
            FundedBy::Issuer("Sandbox UnionPay Bank".to_owned()),
        ),
        CampaignRow {
            visitors_only: true,
            ..funded(
                demo_campaign(
                    "demo-tokyo-visitors",
                    [
                        "Visiting Tokyo: 5% off (up to ¥1,000)",
                        "东京游客专享 立减5%（最高1,000日元）",
                        "東京へお越しの方 5%オフ（最大1,000円）",
                    ],
                    Funder::Operator,
                    Reward::PercentOff {
                        basis_points: 500,
                        cap: Some(1_000),
                    },
                    "JPY",
                    TOKYO,
                ),
                FundedBy::Operator,
            )
        },
        funded(
            with(
                demo_campaign(
                    "demo-ginza-first-visit",
                    [
                        "¥300 off your first visit to Sushi Kanda Ginza",
                        "神田寿司银座店 首次到店立减300日元",
                        "すし神田 銀座 はじめてのご来店で300円引き",
                    ],
                    Funder::Merchant,
                    Reward::FirstPaymentBonus { minor: 300 },
                    "JPY",
                    &["tyo-ginza-sushi"],
                ),
                |c| c.per_user_limit = Some(1),
            ),
            merchant("tyo-ginza-sushi"),
        ),
        CampaignRow {
            coupon_valid_seconds: Some(COUPON_SECONDS),
            ..funded(
                with(
                    demo_campaign(
                        "demo-akiba-coupon",
                        [
                            "¥500 off ¥3,000 at Akiba Denki",
                            "秋叶电器 满3,000日元减500日元",
                            "アキバ電気 3,000円以上で500円引き",
                        ],
                        Funder::Merchant,
                        Reward::ThresholdOff {
                            spend_minor: 3_000,
                            off_minor: 500,
                        },
                        "JPY",
                        &["tyo-akiba-denki"],
                    ),
                    |c| {
                        c.coupon = true;
                        c.stacking = Stacking::Exclusive;
                        c.per_user_limit = Some(1);
                    },
                ),
                merchant("tyo-akiba-denki"),
            )
        },
        CampaignRow {
            coupon_valid_seconds: Some(7 * 86_400),
            ..funded(
                with(
                    demo_campaign(
                        "demo-shanghai-welcome",
                        [
                            "Welcome coupon: ¥3 off in Shanghai, with any other offer",
                            "上海欢迎券 立减3元，可与其他优惠同享",
                            "上海ウェルカムクーポン 3元引き、ほかの特典と併用可",
                        ],
                        Funder::Operator,
                        Reward::AmountOff { minor: 300 },
                        "CNY",
                        SHANGHAI,
                    ),
                    |c| {
                        c.coupon = true;
                        c.stacking = Stacking::Stackable;
                        c.per_user_limit = Some(1);
                    },
                ),
                FundedBy::Operator,
            )
        },
    ]
}

/// Adds the demo promotions, or brings them back to their demo definitions; what they have
/// spent and what wallets have used of them stay.
pub async fn seed_promotions(store: &Store, now: i64) -> Result<usize, CampaignError> {
    let campaigns = demo_campaigns();
    let count = campaigns.len();
    for row in campaigns {
        crate::service::upsert_campaign(store, row, now).await?;
    }
    Ok(count)
}

/// The EMV merchant-presented code for `merchant`: static (the payer enters the amount)
/// without `amount`, dynamic with it. `amount` is a decimal string in the merchant's currency.
pub fn merchant_code(merchant: &MerchantRow, amount: Option<&str>) -> Result<EmvMpm, MoneyError> {
    let amount = amount
        .map(|text| Money::parse(text, merchant.currency))
        .transpose()?;
    let shop = Shop {
        merchant_id: &merchant.merchant_id,
        name: &merchant.name,
        city: &merchant.city,
        country: &merchant.country,
        mcc: &merchant.mcc,
        currency: merchant.currency,
        local: merchant.local.as_ref(),
    };
    Ok(EmvMpm::for_shop(&shop, amount))
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
