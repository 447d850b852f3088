//! The wallet service's HTTP contract: paths, request and response bodies, and the error
//! codes clients branch on. Shared by the reference server and the app's client, so the two
//! cannot drift apart.
//!
//! Every `/v1` request except creating a challenge and a wallet is signed by a device (see
//! `saifu_core::auth`): the headers named there carry the device id, timestamp, nonce and
//! signature over the canonical bytes of the request.

use std::collections::BTreeMap;
use std::fmt;

use saifu_core::card::{Brand, Expiry};
use saifu_core::money::{Currency, ExchangeRate, Money, MoneyError};
use saifu_core::promo;
pub use saifu_core::qr::LocalName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How money looks on the wire (`saifu_core::money::Money`): integer minor units and the
/// ISO 4217 code, so 1,280 yen is `{"minor":1280,"currency":"JPY"}` and CN¥12.50 is
/// `{"minor":1250,"currency":"CNY"}`.
#[derive(Debug, ToSchema)]
#[schema(as = Money)]
pub struct MoneySchema {
    pub minor: i64,
    pub currency: String,
}

/// Request paths. Parameters are written `{name}` as axum routes them.
pub mod paths {
    pub const HEALTH: &str = "/healthz";
    pub const CHALLENGES: &str = "/v1/challenges";
    pub const WALLETS: &str = "/v1/wallets";
    pub const DEVICES: &str = "/v1/devices";
    pub const DEVICE_LOCK: &str = "/v1/devices/{device_id}/lock";
    pub const MERCHANTS: &str = "/v1/merchants";
    pub const WALLET: &str = "/v1/wallet";
    pub const CARDS: &str = "/v1/cards";
    pub const CARD: &str = "/v1/cards/{card_id}";
    pub const TOP_UPS: &str = "/v1/top-ups";
    pub const QUOTES: &str = "/v1/quotes";
    pub const PAYMENTS: &str = "/v1/payments";
    /// One payment's receipt.
    pub const PAYMENT: &str = "/v1/payments/{payment_id}";
    pub const HISTORY: &str = "/v1/history";
    /// Promotions the wallet can use now; `?merchant_id=` or `?city=` narrow them to a shop
    /// or to the shops of a city.
    pub const PROMOTIONS: &str = "/v1/promotions";
    /// The wallet's coupons (GET), or claim one (POST).
    pub const COUPONS: &str = "/v1/coupons";
    /// Server-sent events of the wallet: `WalletEvent`s as JSON, named by `WalletEvent::name`.
    pub const EVENTS: &str = "/v1/events";
    /// The service's OpenAPI document.
    pub const OPENAPI: &str = "/openapi.json";

    /// The shop a till belongs to, and the till's role: signed by a till.
    pub const SHOP: &str = "/v1/merchant";
    /// Enrol a browser as a till with an invite (POST, unsigned), or list the shop's tills
    /// (GET, an owner's till).
    pub const TILLS: &str = "/v1/merchant/tills";
    pub const TILL_LOCK: &str = "/v1/merchant/tills/{till_id}/lock";
    /// A one-time invite for another till of the shop: an owner's till.
    pub const INVITES: &str = "/v1/merchant/invites";
    /// Give back all or part of a payment: an owner's till, with an idempotency key.
    pub const REFUNDS: &str = "/v1/merchant/refunds";
    /// The shop's payments and refunds, newest first (`?cursor=` for older ones): any till.
    pub const FEED: &str = "/v1/merchant/feed";
    /// The shop's feed as server-sent events, each a `FeedEntry`: any till.
    pub const SHOP_EVENTS: &str = "/v1/merchant/events";
    /// Takings today, this week and this month in the shop's own time, and today's by hour:
    /// any till.
    pub const SUMMARY: &str = "/v1/merchant/summary";
    /// A day's or a month's statement as CSV (`?day=2026-12-03` or `?month=2026-12`): an
    /// owner's till.
    pub const STATEMENT: &str = "/v1/merchant/statement";

    /// Suspend a wallet with its lock code (POST, unsigned: the phone is lost), from the
    /// page at `LOCK_PAGE`; lift it with the recovery code (`RESUME`, signed by a device of
    /// the wallet, suspended as it is); new codes for the signing device's wallet
    /// (`RECOVERY_SHEET`).
    pub const LOCK: &str = "/v1/lock";
    pub const RESUME: &str = "/v1/wallet/resume";
    pub const RECOVERY_SHEET: &str = "/v1/recovery-sheet";
    /// "Lock my wallet": a page for any browser, in English, 简体中文 and 日本語.
    pub const LOCK_PAGE: &str = "/lock";

    /// This device's pay-code key and number (POST: issued, or issued anew), signed by the
    /// device; what its codes pay with and up to what amount without asking (PUT
    /// `PAY_CODE_SETTINGS`).
    pub const PAY_CODE: &str = "/v1/pay-code";
    pub const PAY_CODE_SETTINGS: &str = "/v1/pay-code/settings";
    /// The device's answer to a charge of its pay code above the no-PIN limit.
    pub const PAY_CODE_CHARGE: &str = "/v1/pay-code/charges/{charge_id}";
    /// A till charges a customer's pay code: any till, with an idempotency key.
    pub const PAY_CODE_CHARGES: &str = "/v1/merchant/pay-code-charges";

    /// The header that makes a top-up or payment safe to retry.
    pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

    /// `CARD` for one card.
    pub fn card(card_id: &str) -> String {
        CARD.replace("{card_id}", card_id)
    }

    /// `PAYMENT` for one payment.
    pub fn payment(payment_id: &str) -> String {
        PAYMENT.replace("{payment_id}", payment_id)
    }

    /// `DEVICE_LOCK` for one device.
    pub fn device_lock(device_id: &str) -> String {
        DEVICE_LOCK.replace("{device_id}", device_id)
    }

    /// `PAY_CODE_CHARGE` for one charge.
    pub fn pay_code_charge(charge_id: &str) -> String {
        PAY_CODE_CHARGE.replace("{charge_id}", charge_id)
    }

    /// `TILL_LOCK` for one till.
    pub fn till_lock(till_id: &str) -> String {
        TILL_LOCK.replace("{till_id}", till_id)
    }
}

/// What every failed request answers: a stable code to branch on and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorResponse {
    pub code: ErrorCode,
    pub message: String,
}

/// Every code is `saifu_core::code::Code`, the one list the app shares.
pub use saifu_core::code::Code as ErrorCode;

/// How a card's expiry looks on the wire (`saifu_core::card::Expiry`):
/// `{"month":12,"year":2029}`.
#[derive(Debug, ToSchema)]
#[schema(as = Expiry)]
pub struct ExpirySchema {
    /// 1 to 12.
    pub month: u8,
    /// Four digits.
    pub year: u16,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// A single-use challenge a new device signs to prove it holds its key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Challenge {
    pub challenge: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A device proving it holds the private key of `public_key`: `signature` is over
/// `saifu_core::auth::registration_message(challenge, device_id, public_key)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceRegistration {
    /// Chosen by the device (random, 1-128 visible ASCII characters); unique in the service.
    pub device_id: String,
    /// Shown in the device list ("Mei's phone").
    pub device_name: String,
    /// Compressed SEC1, base64url.
    pub public_key: String,
    pub challenge: String,
    /// `r || s`, base64url.
    pub signature: String,
}

/// Opens a wallet: its first device, and the currency its balance is kept in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreateWallet {
    pub device: DeviceRegistration,
    #[schema(value_type = String, example = "JPY")]
    pub home_currency: Currency,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WalletCreated {
    pub wallet_id: String,
    pub device_id: String,
    /// Shown once, for the user to print or save away from the device.
    pub recovery: RecoverySheet,
}

/// A wallet's two codes for a lost phone, shown once: the lock code suspends every device
/// of the wallet from any browser (`LOCK_PAGE`), and only that; the recovery code lifts the
/// suspension. The service keeps only their hashes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecoverySheet {
    pub lock_code: String,
    pub recovery_code: String,
}

impl fmt::Debug for RecoverySheet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoverySheet { <redacted> }")
    }
}

/// Suspends the wallet whose lock code this is: no device of it is signed in for.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LockWallet {
    pub lock_code: String,
}

impl fmt::Debug for LockWallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LockWallet { <redacted> }")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WalletLocked {
    /// When the wallet was suspended: the first time, if it was already.
    pub suspended_at: i64,
}

/// Lifts the suspension of the signing device's wallet.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResumeWallet {
    pub recovery_code: String,
}

impl fmt::Debug for ResumeWallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResumeWallet { <redacted> }")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Device {
    pub device_id: String,
    pub device_name: String,
    pub registered_at: i64,
    /// When another device of the wallet locked this one.
    pub locked_at: Option<i64>,
    /// Whether this is the device that asked.
    pub this_device: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceList {
    pub devices: Vec<Device>,
}

/// A shop that accepts Saifu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Merchant {
    pub merchant_id: String,
    pub name: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub mcc: String,
    #[schema(value_type = String, example = "JPY")]
    pub currency: Currency,
    /// Its name and city in its own language and script, where it has them.
    #[serde(default)]
    pub local: Option<LocalName>,
}

/// What a shop's till may do. Staff take payments and see the feed; an owner also refunds,
/// invites and locks tills, and reads statements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TillRole {
    Owner,
    Staff,
}

/// A browser becoming a shop's till: the invite its owner issued, and the till's key proven
/// over a fresh challenge exactly as a device registers (`device_id` is the till's id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnrolTill {
    pub invite_code: String,
    pub till: DeviceRegistration,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Till {
    pub till_id: String,
    pub till_name: String,
    pub role: TillRole,
    pub enrolled_at: i64,
    /// When an owner's till locked this one.
    pub locked_at: Option<i64>,
    /// Whether this is the till that asked.
    pub this_till: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TillList {
    pub tills: Vec<Till>,
}

/// The shop a till works for, and the till as the shop knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Shop {
    pub merchant: Merchant,
    pub till: Till,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreateInvite {
    pub role: TillRole,
}

/// A one-time code that makes one browser a till of the shop, until it expires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Invite {
    /// Twelve letters and digits in groups of four (`K7QD-M2XP-9HTA`); case and dashes do
    /// not matter when it is typed.
    pub code: String,
    pub role: TillRole,
    pub expires_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MerchantList {
    pub merchants: Vec<Merchant>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Wallet {
    pub wallet_id: String,
    #[schema(value_type = MoneySchema)]
    pub balance: Money,
    /// Whether the wallet has paid a shop yet: the app guides a newcomer until it has.
    #[serde(default)]
    pub has_paid: bool,
}

/// The one request that carries a card number and security code: sent once, at linking.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkCard {
    pub number: String,
    /// "MM/YY" or "MM/YYYY".
    pub expiry: String,
    pub security_code: String,
    pub holder: String,
}

impl fmt::Debug for LinkCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkCard")
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

/// A linked card as the wallet keeps it: never more of the number than its last four digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Card {
    pub card_id: String,
    #[schema(value_type = String, example = "visa")]
    pub brand: Brand,
    pub issuer: String,
    pub last4: String,
    #[schema(value_type = ExpirySchema)]
    pub expiry: Expiry,
    pub linked_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardList {
    pub cards: Vec<Card>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopUp {
    pub card_id: String,
    /// A decimal string in the wallet's currency ("500.00").
    pub amount: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TopUpReceipt {
    pub top_up_id: String,
    #[schema(value_type = MoneySchema)]
    pub amount: Money,
    #[schema(value_type = MoneySchema)]
    pub balance: Money,
    pub created_at: i64,
}

/// A scanned code to price: the amount is needed when the code is static.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub payload: String,
    /// A decimal string in the merchant's currency.
    pub amount: Option<String>,
}

/// The rate a cross-border price was converted at, as facts for the app to word: one
/// `base` costs `rate` of `quote`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "RateOnRecord")]
pub struct RateShown {
    #[schema(value_type = String, example = "JPY")]
    pub base: Currency,
    #[schema(value_type = String, example = "CNY")]
    pub quote: Currency,
    /// An exact decimal: "0.048210".
    pub rate: String,
    /// When the rate was set (Unix seconds).
    pub as_of: i64,
}

impl RateShown {
    pub fn new(rate: &ExchangeRate, as_of: i64) -> Self {
        Self {
            base: rate.base(),
            quote: rate.quote(),
            rate: rate.decimal(),
            as_of,
        }
    }

    pub fn exchange_rate(&self) -> Result<ExchangeRate, MoneyError> {
        ExchangeRate::parse(self.base, self.quote, &self.rate)
    }
}

/// A rate as stored: facts, or the words receipts kept before ("1 JPY = 0.048210 CNY").
#[derive(Deserialize)]
#[serde(untagged)]
enum RateOnRecord {
    Facts {
        base: Currency,
        quote: Currency,
        rate: String,
        as_of: i64,
    },
    Worded {
        text: String,
        as_of: i64,
    },
}

impl TryFrom<RateOnRecord> for RateShown {
    type Error = MoneyError;

    fn try_from(record: RateOnRecord) -> Result<Self, Self::Error> {
        let (rate, as_of) = match record {
            RateOnRecord::Facts {
                base,
                quote,
                rate,
                as_of,
            } => (ExchangeRate::parse(base, quote, &rate)?, as_of),
            RateOnRecord::Worded { text, as_of } => (text.parse()?, as_of),
        };
        Ok(RateShown::new(&rate, as_of))
    }
}

/// What the payer sees before confirming; valid until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    pub quote_id: String,
    pub merchant: Merchant,
    /// The price in the merchant's currency.
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    /// What leaves the wallet, in its currency, with the best offer: `offers[0].pay`.
    #[schema(value_type = MoneySchema)]
    pub pay: Money,
    pub rate: Option<RateShown>,
    pub expires_at: i64,
    /// One per way the wallet can pay (the balance, each linked card), cheapest first; a
    /// payment gets the offer of the funding it names.
    pub offers: Vec<QuoteOffer>,
}

/// What paying a quote with one funding costs, and the promotions that make it so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuoteOffer {
    pub funding: Funding,
    /// The card it pays with, as the wallet knows it, so a pay sheet can name it without
    /// asking for the cards again.
    #[serde(default)]
    pub card: Option<Card>,
    /// The sum of the savings, in the merchant's currency.
    #[schema(value_type = MoneySchema)]
    pub discount: Money,
    pub applied: Vec<AppliedPromotion>,
    /// What leaves the wallet, in its currency: the price less the discount, converted at
    /// the quote's rate when the currencies differ.
    #[schema(value_type = MoneySchema)]
    pub pay: Money,
}

/// Who pays for a promotion's saving.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Funder {
    Merchant,
    /// The bank that issued the card paid with.
    Issuer,
    /// The wallet operator, Saifu.
    Operator,
}

impl From<promo::Funder> for Funder {
    fn from(funder: promo::Funder) -> Self {
        match funder {
            promo::Funder::Merchant => Funder::Merchant,
            promo::Funder::Issuer => Funder::Issuer,
            promo::Funder::Operator => Funder::Operator,
        }
    }
}

/// One promotion in a price, and what it takes off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AppliedPromotion {
    pub campaign_id: String,
    /// The coupon the payment uses up.
    pub coupon_id: Option<String>,
    /// In English; `names` has it in other languages, by BCP 47 tag.
    pub name: String,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    pub funder: Funder,
    /// In the merchant's currency.
    #[schema(value_type = MoneySchema)]
    pub saving: Money,
}

impl From<promo::Applied> for AppliedPromotion {
    fn from(applied: promo::Applied) -> Self {
        AppliedPromotion {
            campaign_id: applied.campaign_id,
            coupon_id: applied.coupon_id,
            name: applied.name,
            names: applied.names,
            funder: applied.funder.into(),
            saving: applied.saving,
        }
    }
}

/// What a promotion takes off, in its currency. Tagged by `kind`:
/// `{"kind":"threshold_off","spend":{"minor":3000,"currency":"CNY"},"off":{...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reward {
    /// A share of the price in basis points (500 = 5%), at most `cap`.
    PercentOff {
        basis_points: u32,
        #[schema(value_type = Option<MoneySchema>)]
        cap: Option<Money>,
    },
    AmountOff {
        #[schema(value_type = MoneySchema)]
        off: Money,
    },
    /// `off` when the price is at least `spend`.
    ThresholdOff {
        #[schema(value_type = MoneySchema)]
        spend: Money,
        #[schema(value_type = MoneySchema)]
        off: Money,
    },
    /// A random amount from `min` to `max`, drawn when the price is quoted.
    RandomOff {
        #[schema(value_type = MoneySchema)]
        min: Money,
        #[schema(value_type = MoneySchema)]
        max: Money,
    },
    /// Only on the wallet's first payment at the shop.
    FirstPaymentBonus {
        #[schema(value_type = MoneySchema)]
        off: Money,
    },
}

impl Reward {
    /// The wire form of a campaign's reward, its amounts in `currency`.
    pub fn new(reward: &promo::Reward, currency: Currency) -> Reward {
        let money = |minor| Money::from_minor(minor, currency);
        match *reward {
            promo::Reward::PercentOff { basis_points, cap } => Reward::PercentOff {
                basis_points,
                cap: cap.map(money),
            },
            promo::Reward::AmountOff { minor } => Reward::AmountOff { off: money(minor) },
            promo::Reward::ThresholdOff {
                spend_minor,
                off_minor,
            } => Reward::ThresholdOff {
                spend: money(spend_minor),
                off: money(off_minor),
            },
            promo::Reward::RandomOff {
                min_minor,
                max_minor,
            } => Reward::RandomOff {
                min: money(min_minor),
                max: money(max_minor),
            },
            promo::Reward::FirstPaymentBonus { minor } => {
                Reward::FirstPaymentBonus { off: money(minor) }
            }
        }
    }
}

/// How a promotion combines with others in one price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stacking {
    /// With others, but not with another one-per-funder promotion of the same funder.
    OnePerFunder,
    /// With anything but an exclusive promotion.
    Stackable,
    /// Alone.
    Exclusive,
}

impl From<promo::Stacking> for Stacking {
    fn from(stacking: promo::Stacking) -> Self {
        match stacking {
            promo::Stacking::OnePerFunder => Stacking::OnePerFunder,
            promo::Stacking::Stackable => Stacking::Stackable,
            promo::Stacking::Exclusive => Stacking::Exclusive,
        }
    }
}

/// A way of paying, as a promotion may require it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundingKind {
    Balance,
    Card,
}

impl From<promo::FundingKind> for FundingKind {
    fn from(kind: promo::FundingKind) -> Self {
        match kind {
            promo::FundingKind::Balance => FundingKind::Balance,
            promo::FundingKind::Card => FundingKind::Card,
        }
    }
}

/// When a promotion runs. Days and hours are the shop's local time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PromotionWindow {
    /// ISO weekdays, 1 (Monday) to 7 (Sunday); empty is every day.
    pub days: Vec<u8>,
    /// Minutes after local midnight: from `from_minute` until before `until_minute`.
    pub from_minute: u16,
    pub until_minute: u16,
    /// Unix seconds; none is no limit.
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
}

/// A promotion the wallet can use now or later today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Promotion {
    pub campaign_id: String,
    /// In English; `names` has it in other languages, by BCP 47 tag.
    pub name: String,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    pub funder: Funder,
    pub reward: Reward,
    #[schema(value_type = String, example = "CNY")]
    pub currency: Currency,
    pub stacking: Stacking,
    pub window: PromotionWindow,
    /// The shops it applies at, among those asked about.
    pub merchant_ids: Vec<String>,
    /// Only with cards of these networks; empty is any way of paying.
    #[schema(value_type = Vec<String>, example = json!(["unionpay"]))]
    pub brands: Vec<Brand>,
    /// Only when paying this way.
    pub funding: Option<FundingKind>,
    /// Only with cards of certain issuers, told by the number's leading digits: each
    /// quote's offers show whether a linked card qualifies.
    pub issuer_cards_only: bool,
    /// It applies only through a coupon claimed first (POST /v1/coupons).
    pub coupon: bool,
    /// The wallet holds an unused coupon of it.
    pub coupon_held: bool,
    /// How many more payments of this wallet it may discount; none is no limit.
    pub uses_left: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PromotionList {
    pub promotions: Vec<Promotion>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimCoupon {
    pub campaign_id: String,
}

/// An owner's till gives back `amount` of a payment's price (a decimal in the price's
/// currency, as typed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefundRequest {
    pub payment_id: String,
    pub amount: String,
}

/// Money given back of a payment: `amount` of its price, of which the promotions' funders
/// take back their share of the discount and the rest, `returned`, goes to where the money
/// came from, at the payment's own rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Refund {
    pub refund_id: String,
    pub payment_id: String,
    pub merchant_name: String,
    #[serde(default)]
    pub merchant_local: Option<LocalName>,
    /// Of the price, in the merchant's currency.
    #[schema(value_type = MoneySchema)]
    pub amount: Money,
    /// To the balance or the card, in the currency the payment left in.
    #[schema(value_type = MoneySchema)]
    pub returned: Money,
    /// What each promotion's funder took back of the discount it gave, in the merchant's
    /// currency.
    #[serde(default)]
    pub funded: Vec<FunderShare>,
    /// Of the price, refunded so far, this refund included.
    #[schema(value_type = MoneySchema)]
    pub refunded: Money,
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    pub funding: Funding,
    pub created_at: i64,
}

/// A coupon in the wallet: it unlocks its promotion for one payment before `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Coupon {
    pub coupon_id: String,
    pub campaign_id: String,
    pub name: String,
    pub reward: Reward,
    pub claimed_at: i64,
    /// Unix seconds; the coupon works strictly before.
    pub expires_at: i64,
    /// The payment that used it.
    pub used_by_payment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CouponList {
    pub coupons: Vec<Coupon>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Funding {
    Balance,
    Card { card_id: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pay {
    pub quote_id: String,
    pub funding: Funding,
}

/// A device's pay-code key and the number its codes carry (`saifu_core::paycode`), with
/// how they pay. The key is a secret: the device keeps it in its keyring.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PayCodeGrant {
    pub device_number: u32,
    /// 32 bytes, base64url without padding.
    pub key: String,
    pub settings: PayCodeSettings,
}

impl fmt::Debug for PayCodeGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayCodeGrant")
            .field("device_number", &self.device_number)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// How a device's pay codes pay: `funding` first; when that is the balance and it is
/// short, the card `fallback_card_id` if the user allowed one. A charge above
/// `no_pin_limit` (in the wallet's currency) waits for the device to confirm it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PayCodeSettings {
    pub funding: Funding,
    pub fallback_card_id: Option<String>,
    #[schema(value_type = MoneySchema)]
    pub no_pin_limit: Money,
}

/// A till charges `amount` (a decimal in the shop's currency, as typed) to the pay code it
/// scanned or was typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChargePayCode {
    pub code: String,
    pub amount: String,
}

/// A charge of this device's pay code that waits for the user: the shop, what it asks,
/// what would leave the wallet, and until when the till waits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PayCodeConfirmation {
    pub charge_id: String,
    pub merchant: Merchant,
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    #[schema(value_type = MoneySchema)]
    pub pay: Money,
    #[schema(value_type = MoneySchema)]
    pub discount: Money,
    pub funding: Funding,
    pub expires_at: i64,
}

/// The device's answer to a [`PayCodeConfirmation`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerPayCode {
    pub approve: bool,
}

/// What the answer did: the receipt when the payment was made, none when declined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PayCodeAnswered {
    pub charge_id: String,
    pub receipt: Option<Box<Receipt>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Receipt {
    pub payment_id: String,
    pub quote_id: String,
    pub merchant_name: String,
    pub merchant_city: String,
    /// The shop's name and city in its own language, where it has them.
    #[serde(default)]
    pub merchant_local: Option<LocalName>,
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    /// What left the wallet, in its currency.
    #[schema(value_type = MoneySchema)]
    pub paid: Money,
    /// The promotions' savings together, in the merchant's currency: the merchant got
    /// `price`, the wallet paid for `price - discount`.
    #[schema(value_type = MoneySchema)]
    pub discount: Money,
    pub applied: Vec<AppliedPromotion>,
    pub rate: Option<RateShown>,
    pub funding: Funding,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Payment,
    TopUp,
    /// Money a shop gave back of a payment (`payment_id`).
    Refund,
}

/// One line of the wallet's history, as facts the app words: money out is negative.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    pub activity_id: String,
    pub kind: ActivityKind,
    /// The payment (`pay_…`, its receipt at `GET /v1/payments/{payment_id}`) or the top-up
    /// (`top_…`) this line records.
    #[serde(default)]
    pub reference: String,
    #[schema(value_type = MoneySchema)]
    pub amount: Money,
    pub created_at: i64,
    /// The shop paid, for a payment.
    #[serde(default)]
    pub merchant: Option<ActivityMerchant>,
    /// The card charged: a top-up's, or a payment's made by card.
    #[serde(default)]
    pub card: Option<ActivityCard>,
    /// For a refund, the payment it gives back.
    #[serde(default)]
    pub payment_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivityMerchant {
    pub merchant_id: String,
    pub name: String,
    pub city: String,
    #[serde(default)]
    pub local: Option<LocalName>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivityCard {
    pub card_id: String,
    #[schema(value_type = String, example = "visa")]
    pub brand: Brand,
    pub issuer: String,
    pub last4: String,
}

/// What one funder gave of a payment's discount (or, in a refund, took back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FunderShare {
    pub funder: Funder,
    #[schema(value_type = MoneySchema)]
    pub amount: Money,
}

/// A line of the shop's feed, as facts the console words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeedEntry {
    /// A customer paid: the shop is owed `price`, of which `discount` was given by the
    /// funders in `funded` (the shop's own share among them).
    Payment {
        payment_id: String,
        #[schema(value_type = MoneySchema)]
        price: Money,
        #[schema(value_type = MoneySchema)]
        discount: Money,
        funded: Vec<FunderShare>,
        /// What the customer paid, in the customer's currency.
        #[schema(value_type = MoneySchema)]
        paid: Money,
        funding: FeedFunding,
        /// Of the price, refunded so far.
        #[schema(value_type = MoneySchema)]
        refunded: Money,
        created_at: i64,
    },
    /// The shop gave back `amount` of payment `payment_id`; the funders in `funded` took
    /// back their shares of its discount.
    Refund {
        refund_id: String,
        payment_id: String,
        #[schema(value_type = MoneySchema)]
        amount: Money,
        funded: Vec<FunderShare>,
        /// What went back to the customer, in the customer's currency.
        #[schema(value_type = MoneySchema)]
        returned: Money,
        created_at: i64,
    },
}

impl FeedEntry {
    pub fn created_at(&self) -> i64 {
        match self {
            FeedEntry::Payment { created_at, .. } | FeedEntry::Refund { created_at, .. } => {
                *created_at
            }
        }
    }
}

/// How a customer paid, as the shop may know it: never which card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedFunding {
    Balance,
    Card,
}

/// A page of the shop's feed, newest first; `next_cursor` fetches the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Feed {
    pub entries: Vec<FeedEntry>,
    pub next_cursor: Option<String>,
}

/// Money in and out of a shop over a period, in its currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    pub payments: u64,
    /// The prices of the payments: what customers bought.
    #[schema(value_type = MoneySchema)]
    pub sales: Money,
    #[schema(value_type = MoneySchema)]
    pub refunded: Money,
    /// What promotions took off, by who gave it, refunds' shares taken back.
    pub discounts: Vec<FunderShare>,
    /// Sales of the payments a promotion the shop funded itself applied to, less what was
    /// refunded of them: what the shop's own promotions brought, against what they cost
    /// (its share of `discounts`).
    #[schema(value_type = MoneySchema)]
    pub promoted_sales: Money,
    /// What the shop is owed: sales, less refunds, less the discounts it gave itself.
    #[schema(value_type = MoneySchema)]
    pub net: Money,
}

/// The shop's takings in its own time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    pub today: Totals,
    /// Since Monday.
    pub week: Totals,
    pub month: Totals,
    /// Today's sales, hour by hour from midnight: 24 amounts.
    #[schema(value_type = Vec<MoneySchema>)]
    pub today_by_hour: Vec<Money>,
    /// The shop's wall clock ahead of UTC, in minutes, which days and hours follow.
    pub utc_offset_minutes: i32,
}

/// A page of history, newest first; `next_cursor` fetches the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct History {
    pub entries: Vec<Activity>,
    pub next_cursor: Option<String>,
}

/// Something that happened to the wallet, pushed to its devices as a server-sent event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WalletEvent {
    PaymentSucceeded {
        /// Boxed: a receipt is several times the size of every other event.
        receipt: Box<Receipt>,
    },
    ToppedUp {
        receipt: TopUpReceipt,
    },
    CardLinked {
        card: Card,
    },
    CardUnlinked {
        card_id: String,
    },
    CouponClaimed {
        coupon: Coupon,
    },
    DeviceAdded {
        device: Device,
    },
    /// A device was locked; the locked device wipes its key when it hears this.
    DeviceLocked {
        device_id: String,
    },
    /// A shop gave back all or part of a payment.
    Refunded {
        refund: Box<Refund>,
    },
    /// A till charges this device's pay code above its no-PIN limit: the device asks its
    /// user, with the PIN, and answers at `PAY_CODE_CHARGE`.
    PayCodeConfirm {
        device_id: String,
        confirmation: Box<PayCodeConfirmation>,
    },
    /// A charge waiting for confirmation ended without it: answered on another device,
    /// or the till stopped waiting. Nothing was charged.
    PayCodeChargeEnded {
        charge_id: String,
    },
    /// The wallet's lock code was used: every device is refused until the recovery code
    /// lifts the suspension.
    WalletSuspended {
        suspended_at: i64,
    },
    WalletResumed,
}

impl WalletEvent {
    /// The SSE event name, equal to the JSON `type`.
    pub fn name(&self) -> &'static str {
        match self {
            WalletEvent::PaymentSucceeded { .. } => "payment_succeeded",
            WalletEvent::ToppedUp { .. } => "topped_up",
            WalletEvent::CardLinked { .. } => "card_linked",
            WalletEvent::CardUnlinked { .. } => "card_unlinked",
            WalletEvent::CouponClaimed { .. } => "coupon_claimed",
            WalletEvent::DeviceAdded { .. } => "device_added",
            WalletEvent::DeviceLocked { .. } => "device_locked",
            WalletEvent::Refunded { .. } => "refunded",
            WalletEvent::PayCodeConfirm { .. } => "pay_code_confirm",
            WalletEvent::PayCodeChargeEnded { .. } => "pay_code_charge_ended",
            WalletEvent::WalletSuspended { .. } => "wallet_suspended",
            WalletEvent::WalletResumed => "wallet_resumed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_crosses_as_facts_and_old_receipts_still_read() {
        let jpy_cny = ExchangeRate::parse(
            Currency::from_code("JPY").expect("JPY"),
            Currency::from_code("CNY").expect("CNY"),
            "0.048210",
        )
        .expect("rate");
        let shown = RateShown::new(&jpy_cny, 1_764_000_000);
        let json = serde_json::to_string(&shown).expect("serializes");
        assert_eq!(
            json,
            r#"{"base":"JPY","quote":"CNY","rate":"0.048210","as_of":1764000000}"#
        );
        assert_eq!(
            serde_json::from_str::<RateShown>(&json).expect("reads"),
            shown
        );
        let kept_before = r#"{"text":"1 JPY = 0.048210 CNY","as_of":1764000000}"#;
        assert_eq!(
            serde_json::from_str::<RateShown>(kept_before).expect("reads"),
            shown
        );
        assert_eq!(shown.exchange_rate(), Ok(jpy_cny));
        let inexact = r#"{"base":"JPY","quote":"CNY","rate":"0.0482x","as_of":1}"#;
        assert!(serde_json::from_str::<RateShown>(inexact).is_err());
    }

    #[test]
    fn errors_cross_as_snake_case_codes() {
        let error = ErrorResponse {
            code: ErrorCode::ReplayedNonce,
            message: "This request was already received.".into(),
        };
        let json = serde_json::to_string(&error).expect("serializes");
        assert_eq!(
            json,
            r#"{"code":"replayed_nonce","message":"This request was already received."}"#
        );
        assert_eq!(ErrorCode::ReplayedNonce.status(), 401);
        assert_eq!(ErrorCode::DeviceLocked.status(), 403);
    }

    #[test]
    fn event_names_match_their_json_type() {
        let event = WalletEvent::DeviceLocked {
            device_id: "dev_1".into(),
        };
        let json = serde_json::to_value(&event).expect("serializes");
        assert_eq!(json["type"], event.name());
    }

    #[test]
    fn lock_path_names_the_device() {
        assert_eq!(paths::device_lock("dev_1"), "/v1/devices/dev_1/lock");
    }
}

#[cfg(test)]
mod secrecy {
    use super::*;

    #[test]
    fn a_card_request_never_prints_its_number() {
        let link = LinkCard {
            number: "4242424242424242".into(),
            expiry: "12/30".into(),
            security_code: "123".into(),
            holder: "Mei Tanaka".into(),
        };
        let printed = format!("{link:?}");
        assert!(
            !printed.contains("4242") && !printed.contains("123") && !printed.contains("Mei"),
            "{printed}"
        );
    }
}
