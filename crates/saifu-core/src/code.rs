//! The one list of codes for what did not go as asked. The wallet service answers with
//! them, the app's shell adds its own, and only the UI turns a code into words, in the
//! user's language; a message that travels with a code is detail for developers and logs.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ErrorCode))]
#[serde(rename_all = "snake_case")]
pub enum Code {
    // What the wallet service answers.
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
    /// The till invite is unknown, used or expired: ask the shop's owner for a new one.
    InvalidInvite,
    /// The request conflicts with the current state (an id already taken, locking oneself).
    Conflict,
    /// The device or till may not do this (for example, act on another wallet's device, or
    /// a staff till asking for what only the shop's owner may do).
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
    /// A discount in the quoted price is no longer available (its budget ran out, its
    /// coupon or per-user limit was used meanwhile): scan again for the current price.
    OfferChanged,
    /// The price was quoted without this way of paying (a card linked since): scan again.
    FundingNotQuoted,
    /// The wallet holds an unused coupon of this promotion already.
    CouponAlreadyClaimed,
    /// This promotion gives no coupon now: it applies without one, has ended or not
    /// started, its budget is spent, or the wallet has used it as often as it allows.
    CouponUnavailable,
    /// An amount is above the most its currency allows (`Currency::ceiling_minor`), or zero
    /// or negative where only a positive amount makes sense.
    AmountOutOfRange,
    /// The amount would take a balance past the most the ledger keeps in one account.
    BalanceLimit,
    /// No exchange rate recent enough to price in the wallet's currency: try again later.
    RateUnavailable,
    /// A refund would give back more of the payment than was paid, with those before it.
    RefundExceedsPayment,
    /// The payment is older than refunds may reach back.
    RefundWindowClosed,
    /// The pay code is not one a key of this service made near now: mistyped past its
    /// check digit, forged, or from a device that has none.
    PayCodeWrong,
    /// The pay code is real but too old: the customer shows the current one.
    PayCodeExpired,
    /// The pay code was charged already (or its charge was declined): it is good once.
    PayCodeUsed,
    /// The device that made the pay code was locked: its codes are refused.
    PayCodeLocked,
    /// The shop's tills sent too many wrong pay codes lately: it tries again in minutes.
    PayCodesPaused,
    /// The customer declined the charge on their device.
    PaymentDeclined,
    /// The customer did not confirm the charge in time: nothing was charged.
    ConfirmationTimedOut,
    /// No wallet has this lock code.
    InvalidLockCode,
    /// Too many wrong lock codes from here lately: try again in minutes.
    LockPaused,
    /// The wallet was suspended with its lock code: the recovery code lifts it.
    WalletSuspended,
    /// The recovery code is not this wallet's.
    InvalidRecoveryCode,
    /// No such route.
    UnknownRoute,
    /// The route exists, but not with this method.
    MethodNotAllowed,
    /// The body is not `application/json`.
    UnsupportedMediaType,
    /// The body is larger than the service accepts.
    PayloadTooLarge,
    /// The service failed; details are in its log, not here.
    Internal,

    // What the device finds on its own: the app's shell, its client, the UI. The service
    // never sends these.
    /// The page runs outside the app shell (for example in a plain browser).
    NoShell,
    /// The wallet service cannot be reached: what shows is what was saved last.
    Unreachable,
    /// The service answered something that does not match the contract.
    Protocol,
    /// There is no wallet on this device yet.
    NotOnboarded,
    /// This device has a wallet already.
    AlreadyOnboarded,
    /// A device name must have 1 to 64 characters.
    InvalidDeviceName,
    /// A service address starts with https:// (or http:// for a local one).
    InvalidServiceAddress,
    /// The keyring lost this device's key: the user sets the wallet up again.
    KeyMissing,
    /// This device has no pay code yet: it gets one from the service once, online.
    PayCodeMissing,
    /// No system keyring can be used, so no device key can be kept.
    KeyringUnavailable,
    /// The keyring refused to read or write the device's key.
    KeyringFailed,
    /// The app is locked: the PIN opens it first.
    AppLocked,
    /// A PIN is six digits.
    InvalidPin,
    /// A PIN such as 123456 or 111111 is refused.
    PinTooSimple,
    /// Wrong PIN; `Detail::tries_left` or `Detail::wait_seconds` says what follows.
    WrongPin,
    /// Too many wrong PINs: `Detail::wait_seconds` says how long to wait.
    PinPaused,
    /// The file is not an image the scanner reads (PNG, JPEG or WebP), or could not be read.
    NotAnImage,
    /// The image has no readable code.
    NoCode,
    /// The device could not keep its own files.
    Storage,
}

impl Code {
    /// The HTTP status that carries this code; the device's own codes never travel over
    /// HTTP and count as the service's failure if they ever did.
    pub fn status(self) -> u16 {
        match self {
            Code::BadRequest
            | Code::InvalidCard
            | Code::InvalidPaymentCode
            | Code::AmountRequired
            | Code::AmountOutOfRange => 400,
            Code::BalanceLimit => 409,
            Code::UnknownRoute => 404,
            Code::RateUnavailable => 503,
            Code::MethodNotAllowed => 405,
            Code::PayloadTooLarge => 413,
            Code::UnsupportedMediaType => 415,
            Code::CardExpired | Code::CardDeclined | Code::InsufficientFunds => 402,
            Code::UnknownMerchant => 404,
            Code::QuoteExpired => 410,
            Code::QuoteAlreadyPaid
            | Code::IdempotencyKeyReused
            | Code::OfferChanged
            | Code::FundingNotQuoted
            | Code::CouponAlreadyClaimed
            | Code::CouponUnavailable => 409,
            Code::InvalidSignature
            | Code::StaleRequest
            | Code::ReplayedNonce
            | Code::UnknownDevice => 401,
            Code::DeviceLocked | Code::Forbidden => 403,
            Code::NotFound => 404,
            Code::InvalidChallenge | Code::InvalidInvite | Code::Conflict => 409,
            Code::RefundExceedsPayment | Code::RefundWindowClosed => 409,
            Code::InvalidLockCode => 404,
            Code::LockPaused => 429,
            Code::WalletSuspended | Code::InvalidRecoveryCode => 403,
            Code::PayCodeWrong => 400,
            Code::PayCodeExpired => 410,
            Code::PayCodeUsed => 409,
            Code::PayCodeLocked => 403,
            Code::PayCodesPaused => 429,
            Code::PaymentDeclined => 402,
            Code::ConfirmationTimedOut => 408,
            Code::Internal
            | Code::NoShell
            | Code::Unreachable
            | Code::Protocol
            | Code::NotOnboarded
            | Code::AlreadyOnboarded
            | Code::InvalidDeviceName
            | Code::InvalidServiceAddress
            | Code::KeyMissing
            | Code::PayCodeMissing
            | Code::KeyringUnavailable
            | Code::KeyringFailed
            | Code::AppLocked
            | Code::InvalidPin
            | Code::PinTooSimple
            | Code::WrongPin
            | Code::PinPaused
            | Code::NotAnImage
            | Code::NoCode
            | Code::Storage => 500,
        }
    }
}

/// What a message about a code needs beyond the code itself, as typed facts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    /// Wrong PIN: tries left before a pause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u32>,
    /// A pause: seconds to wait before the next try.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<u64>,
}
