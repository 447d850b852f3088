//! Why the service refused or failed a request: one variant per outcome a caller can act
//! on, each with its stable wire code. The text is developer detail for logs and bodies,
//! never shown to a user: the apps word every refusal from its code.

use saifu_api::ErrorCode;

use crate::ledger::LedgerError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("invalid signature: {0}")]
    InvalidSignature(String),
    #[error("the signed timestamp is outside the service's window: {0}")]
    StaleRequest(String),
    #[error("this request was already received")]
    ReplayedNonce,
    #[error("this device is not registered")]
    UnknownDevice,
    #[error("this device was locked from another device of the wallet")]
    DeviceLocked,
    #[error("the registration challenge is unknown, used or expired")]
    InvalidChallenge,
    #[error("the till invite is unknown, used or expired")]
    InvalidInvite,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Conflict(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("invalid card: {0}")]
    InvalidCard(String),
    #[error("the card has expired")]
    CardExpired,
    #[error("the card issuer declined the card")]
    CardDeclined,
    #[error("the balance or the card does not cover the amount")]
    InsufficientFunds,
    #[error("this code cannot be paid: {0}")]
    InvalidPaymentCode(String),
    #[error("this shop does not accept Saifu")]
    UnknownMerchant,
    #[error("the code is static: enter the amount")]
    AmountRequired,
    #[error("amount out of range: {0}")]
    AmountOutOfRange(String),
    #[error("the amount would take a balance past its limit")]
    BalanceLimit,
    #[error("the price has expired")]
    QuoteExpired,
    #[error("the price was paid already")]
    QuoteAlreadyPaid,
    #[error("the idempotency key was used for a different request")]
    IdempotencyKeyReused,
    #[error("a discount in the price is no longer available")]
    OfferChanged,
    #[error("the price was quoted without this way of paying")]
    FundingNotQuoted,
    #[error("the wallet holds an unused coupon of this promotion already")]
    CouponAlreadyClaimed,
    #[error("no coupon to claim: {0}")]
    CouponUnavailable(&'static str),
    #[error("no exchange rate from {0} recent enough to quote with")]
    RateUnavailable(saifu_core::money::Currency),
    #[error("a refund may give back at most what is left of the payment")]
    RefundExceedsPayment,
    #[error("the payment is older than refunds reach back")]
    RefundWindowClosed,
    #[error("no key of this service made this pay code near now")]
    PayCodeWrong,
    #[error("the pay code has expired")]
    PayCodeExpired,
    #[error("the pay code was used already")]
    PayCodeUsed,
    #[error("the device that made the pay code was locked")]
    PayCodeLocked,
    #[error("the shop sent too many wrong pay codes; try again in minutes")]
    PayCodesPaused,
    #[error("the customer declined the charge")]
    PaymentDeclined,
    #[error("the customer did not confirm the charge in time")]
    ConfirmationTimedOut,
    /// A charge waiting for its customer ended in this refusal, met by the device's answer.
    #[error("the charge was refused when the customer confirmed it: {0:?}")]
    RefusedOnConfirmation(ErrorCode),
    #[error("no wallet has this lock code")]
    InvalidLockCode,
    #[error("too many wrong lock codes from here; try again in minutes")]
    LockPaused,
    #[error("the wallet is suspended; its recovery code lifts the suspension")]
    WalletSuspended,
    #[error("the recovery code is not this wallet's")]
    InvalidRecoveryCode,
    #[error("no such route")]
    UnknownRoute,
    #[error("the route does not take this method")]
    MethodNotAllowed,
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    #[error("the body is larger than the service accepts")]
    PayloadTooLarge,
    /// A failure inside the service: logged where it happens, answered without detail.
    #[error("the service could not complete the request")]
    Internal,
}

impl ServiceError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::BadRequest(_) => ErrorCode::BadRequest,
            ServiceError::InvalidSignature(_) => ErrorCode::InvalidSignature,
            ServiceError::StaleRequest(_) => ErrorCode::StaleRequest,
            ServiceError::ReplayedNonce => ErrorCode::ReplayedNonce,
            ServiceError::UnknownDevice => ErrorCode::UnknownDevice,
            ServiceError::DeviceLocked => ErrorCode::DeviceLocked,
            ServiceError::InvalidChallenge => ErrorCode::InvalidChallenge,
            ServiceError::InvalidInvite => ErrorCode::InvalidInvite,
            ServiceError::Forbidden(_) => ErrorCode::Forbidden,
            ServiceError::Conflict(_) => ErrorCode::Conflict,
            ServiceError::NotFound(_) => ErrorCode::NotFound,
            ServiceError::InvalidCard(_) => ErrorCode::InvalidCard,
            ServiceError::CardExpired => ErrorCode::CardExpired,
            ServiceError::CardDeclined => ErrorCode::CardDeclined,
            ServiceError::InsufficientFunds => ErrorCode::InsufficientFunds,
            ServiceError::InvalidPaymentCode(_) => ErrorCode::InvalidPaymentCode,
            ServiceError::UnknownMerchant => ErrorCode::UnknownMerchant,
            ServiceError::AmountRequired => ErrorCode::AmountRequired,
            ServiceError::AmountOutOfRange(_) => ErrorCode::AmountOutOfRange,
            ServiceError::BalanceLimit => ErrorCode::BalanceLimit,
            ServiceError::QuoteExpired => ErrorCode::QuoteExpired,
            ServiceError::QuoteAlreadyPaid => ErrorCode::QuoteAlreadyPaid,
            ServiceError::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            ServiceError::OfferChanged => ErrorCode::OfferChanged,
            ServiceError::FundingNotQuoted => ErrorCode::FundingNotQuoted,
            ServiceError::CouponAlreadyClaimed => ErrorCode::CouponAlreadyClaimed,
            ServiceError::CouponUnavailable(_) => ErrorCode::CouponUnavailable,
            ServiceError::RateUnavailable(_) => ErrorCode::RateUnavailable,
            ServiceError::RefundExceedsPayment => ErrorCode::RefundExceedsPayment,
            ServiceError::RefundWindowClosed => ErrorCode::RefundWindowClosed,
            ServiceError::PayCodeWrong => ErrorCode::PayCodeWrong,
            ServiceError::PayCodeExpired => ErrorCode::PayCodeExpired,
            ServiceError::PayCodeUsed => ErrorCode::PayCodeUsed,
            ServiceError::PayCodeLocked => ErrorCode::PayCodeLocked,
            ServiceError::PayCodesPaused => ErrorCode::PayCodesPaused,
            ServiceError::PaymentDeclined => ErrorCode::PaymentDeclined,
            ServiceError::ConfirmationTimedOut => ErrorCode::ConfirmationTimedOut,
            ServiceError::RefusedOnConfirmation(code) => *code,
            ServiceError::InvalidLockCode => ErrorCode::InvalidLockCode,
            ServiceError::LockPaused => ErrorCode::LockPaused,
            ServiceError::WalletSuspended => ErrorCode::WalletSuspended,
            ServiceError::InvalidRecoveryCode => ErrorCode::InvalidRecoveryCode,
            ServiceError::UnknownRoute => ErrorCode::UnknownRoute,
            ServiceError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            ServiceError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ServiceError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            ServiceError::Internal => ErrorCode::Internal,
        }
    }

    /// Logs a failure inside the service and hides it from the caller.
    pub fn internal(what: &str, error: impl std::fmt::Display) -> ServiceError {
        tracing::error!(%error, "{what}");
        ServiceError::Internal
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NonceUsed => ServiceError::ReplayedNonce,
            other => ServiceError::internal("database failure", other),
        }
    }
}

impl From<LedgerError> for ServiceError {
    fn from(error: LedgerError) -> Self {
        match error {
            LedgerError::InsufficientFunds => ServiceError::InsufficientFunds,
            LedgerError::BalanceLimit => ServiceError::BalanceLimit,
            LedgerError::AboveCeiling(amount) => {
                ServiceError::AmountOutOfRange(format!("{amount} is above the ceiling"))
            }
            LedgerError::BeyondPrice => ServiceError::RefundExceedsPayment,
            LedgerError::Store(error) => error.into(),
            other @ (LedgerError::Unbalanced(_) | LedgerError::CurrencyMismatch(..)) => {
                ServiceError::internal("refused an unbalanced ledger transaction", other)
            }
        }
    }
}
