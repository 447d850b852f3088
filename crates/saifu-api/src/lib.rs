//! The wallet service's HTTP contract: paths, request and response bodies, and the error
//! codes clients branch on. Shared by the reference server and the app's client, so the two
//! cannot drift apart.
//!
//! Every `/v1` request except creating a challenge and a wallet is signed by a device (see
//! `saifu_core::auth`): the headers named there carry the device id, timestamp, nonce and
//! signature over the canonical bytes of the request.

use std::fmt;

use saifu_core::card::{Brand, Expiry};
use saifu_core::money::{Currency, Money};
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
    pub const HISTORY: &str = "/v1/history";
    /// Server-sent events of the wallet: `WalletEvent`s as JSON, named by `WalletEvent::name`.
    pub const EVENTS: &str = "/v1/events";
    /// The service's OpenAPI document.
    pub const OPENAPI: &str = "/openapi.json";

    /// The header that makes a top-up or payment safe to retry.
    pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

    /// `CARD` for one card.
    pub fn card(card_id: &str) -> String {
        CARD.replace("{card_id}", card_id)
    }

    /// `DEVICE_LOCK` for one device.
    pub fn device_lock(device_id: &str) -> String {
        DEVICE_LOCK.replace("{device_id}", device_id)
    }
}

/// What every failed request answers: a stable code to branch on and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorResponse {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body or a parameter is malformed.
    BadRequest,
    /// The request carries no valid device signature headers, or the signature does not match.
    InvalidSignature,
    /// The signed timestamp is outside the service's window: check the device clock.
    StaleRequest,
    /// The nonce was used before: a replayed request.
    ReplayedNonce,
    /// No device with that id is registered.
    UnknownDevice,
    /// The device was locked from another device of its wallet.
    DeviceLocked,
    /// The registration challenge is unknown, used or expired: ask for a new one.
    InvalidChallenge,
    /// The request conflicts with the current state (an id already taken, locking oneself).
    Conflict,
    /// The device may not do this (for example, act on another wallet's device).
    Forbidden,
    NotFound,
    /// The card number, expiry or security code is invalid.
    InvalidCard,
    /// The card's expiry date has passed.
    CardExpired,
    /// The card issuer declined.
    CardDeclined,
    /// The balance or the card does not cover the amount.
    InsufficientFunds,
    /// The scanned code is not a payment code Saifu can pay, or is damaged.
    InvalidPaymentCode,
    /// The code is from no merchant this service knows.
    UnknownMerchant,
    /// The code is static: the payer must enter the amount.
    AmountRequired,
    /// The price shown has expired: scan again for a new one.
    QuoteExpired,
    /// The price shown was paid already.
    QuoteAlreadyPaid,
    /// The idempotency key was used before for a different request.
    IdempotencyKeyReused,
    /// The service failed; details are in its log, not here.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that carries this code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest
            | ErrorCode::InvalidCard
            | ErrorCode::InvalidPaymentCode
            | ErrorCode::AmountRequired => 400,
            ErrorCode::CardExpired | ErrorCode::CardDeclined | ErrorCode::InsufficientFunds => 402,
            ErrorCode::UnknownMerchant => 404,
            ErrorCode::QuoteExpired => 410,
            ErrorCode::QuoteAlreadyPaid | ErrorCode::IdempotencyKeyReused => 409,
            ErrorCode::InvalidSignature
            | ErrorCode::StaleRequest
            | ErrorCode::ReplayedNonce
            | ErrorCode::UnknownDevice => 401,
            ErrorCode::DeviceLocked | ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::InvalidChallenge | ErrorCode::Conflict => 409,
            ErrorCode::Internal => 500,
        }
    }
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
    #[schema(value_type = String, example = "12/29")]
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

/// The rate a cross-border price was converted at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RateShown {
    /// "1 JPY = 0.048210 CNY"
    pub text: String,
    /// When the rate was set (Unix seconds).
    pub as_of: i64,
}

/// What the payer sees before confirming; valid until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    pub quote_id: String,
    pub merchant: Merchant,
    /// The price in the merchant's currency.
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    /// What leaves the wallet, in its currency.
    #[schema(value_type = MoneySchema)]
    pub pay: Money,
    pub rate: Option<RateShown>,
    pub expires_at: i64,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Receipt {
    pub payment_id: String,
    pub quote_id: String,
    pub merchant_name: String,
    pub merchant_city: String,
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    #[schema(value_type = MoneySchema)]
    pub paid: Money,
    pub rate: Option<RateShown>,
    pub funding: Funding,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Payment,
    TopUp,
}

/// One line of the wallet's history: money out is negative.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    pub activity_id: String,
    pub kind: ActivityKind,
    pub title: String,
    #[schema(value_type = MoneySchema)]
    pub amount: Money,
    pub created_at: i64,
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
        receipt: Receipt,
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
    DeviceAdded {
        device: Device,
    },
    /// A device was locked; the locked device wipes its key when it hears this.
    DeviceLocked {
        device_id: String,
    },
}

impl WalletEvent {
    /// The SSE event name, equal to the JSON `type`.
    pub fn name(&self) -> &'static str {
        match self {
            WalletEvent::PaymentSucceeded { .. } => "payment_succeeded",
            WalletEvent::ToppedUp { .. } => "topped_up",
            WalletEvent::CardLinked { .. } => "card_linked",
            WalletEvent::CardUnlinked { .. } => "card_unlinked",
            WalletEvent::DeviceAdded { .. } => "device_added",
            WalletEvent::DeviceLocked { .. } => "device_locked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
