//! What can go wrong for the app, each with a stable code the UI branches on.

use saifu_api::ErrorCode;

use crate::keys::KeyStoreError;
use crate::pin::PinError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service refused the request; its message is written for people.
    #[error("{message}")]
    Service { code: ErrorCode, message: String },
    #[error("The wallet service at {url} cannot be reached. Check the connection and try again.")]
    Unreachable { url: String },
    #[error("The wallet service answered something this app does not understand: {0}")]
    Protocol(String),
    #[error("Set up the wallet on this device first.")]
    NotOnboarded,
    #[error(
        "This device's key is no longer in the system keyring. Set the wallet up again on this device."
    )]
    KeyMissing,
    #[error("This device was locked from another device of the wallet. Set it up again to use it.")]
    DeviceLocked,
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error(transparent)]
    Pin(#[from] PinError),
    #[error("{0}")]
    Invalid(String),
    #[error("The wallet's data on this device could not be saved or read: {0}")]
    Storage(String),
}

impl ClientError {
    /// A stable snake_case code for the UI: the service's own code when it refused.
    pub fn code(&self) -> String {
        let fixed = match self {
            ClientError::Service { code, .. } => {
                return serde_json::to_value(code)
                    .ok()
                    .and_then(|value| value.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "service_error".to_owned());
            }
            ClientError::Unreachable { .. } => "unreachable",
            ClientError::Protocol(_) => "protocol",
            ClientError::NotOnboarded => "not_onboarded",
            ClientError::KeyMissing => "key_missing",
            ClientError::DeviceLocked => "device_locked",
            ClientError::KeyStore(KeyStoreError::Unavailable(_)) => "keyring_unavailable",
            ClientError::KeyStore(KeyStoreError::Failed(_)) => "keyring_failed",
            ClientError::Pin(PinError::Wrong { .. }) => "wrong_pin",
            ClientError::Pin(PinError::Paused { .. }) => "pin_paused",
            ClientError::Pin(PinError::BadFormat | PinError::TooSimple) => "invalid_pin",
            ClientError::Pin(PinError::Hash(_)) => "pin_failed",
            ClientError::Invalid(_) => "invalid",
            ClientError::Storage(_) => "storage",
        };
        fixed.to_owned()
    }
}
