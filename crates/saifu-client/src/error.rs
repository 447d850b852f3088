//! What can go wrong for the app, each with its code from the one list; the UI words it.

use saifu_core::code::{Code, Detail};

use crate::keys::KeyStoreError;
use crate::pin::PinError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service refused the request; its message is detail for the log.
    #[error("{message}")]
    Service { code: Code, message: String },
    #[error("The wallet service at {url} cannot be reached. Check the connection and try again.")]
    Unreachable { url: String },
    #[error("The wallet service answered something this app does not understand: {0}")]
    Protocol(String),
    #[error("Set up the wallet on this device first.")]
    NotOnboarded,
    #[error("The app is locked: unlock it with the PIN.")]
    AppLocked,
    #[error(
        "This device's key is no longer in the system keyring. Set the wallet up again on this device."
    )]
    KeyMissing,
    #[error("This device was locked from another device of the wallet. Set it up again to use it.")]
    DeviceLocked,
    #[error(
        "This device has no pay code yet, and the wallet service cannot be reached to get one."
    )]
    PayCodeMissing,
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error(transparent)]
    Pin(#[from] PinError),
    /// What the user gave is not acceptable, as `code` says.
    #[error("{message}")]
    Invalid { code: Code, message: String },
    #[error("The wallet's data on this device could not be saved or read: {0}")]
    Storage(String),
}

impl ClientError {
    /// The code the UI words: the service's own when it refused.
    pub fn code(&self) -> Code {
        match self {
            ClientError::Service { code, .. } | ClientError::Invalid { code, .. } => *code,
            ClientError::Unreachable { .. } => Code::Unreachable,
            ClientError::Protocol(_) => Code::Protocol,
            ClientError::NotOnboarded => Code::NotOnboarded,
            ClientError::AppLocked => Code::AppLocked,
            ClientError::KeyMissing => Code::KeyMissing,
            ClientError::DeviceLocked => Code::DeviceLocked,
            ClientError::PayCodeMissing => Code::PayCodeMissing,
            ClientError::KeyStore(KeyStoreError::Unavailable(_)) => Code::KeyringUnavailable,
            ClientError::KeyStore(KeyStoreError::Failed(_)) => Code::KeyringFailed,
            ClientError::Pin(PinError::Wrong { .. }) => Code::WrongPin,
            ClientError::Pin(PinError::Paused { .. }) => Code::PinPaused,
            ClientError::Pin(PinError::BadFormat) => Code::InvalidPin,
            ClientError::Pin(PinError::TooSimple) => Code::PinTooSimple,
            ClientError::Pin(PinError::Hash(_)) => Code::Internal,
            ClientError::Storage(_) => Code::Storage,
        }
    }

    /// The facts the code's words need: tries left, seconds to wait.
    pub fn detail(&self) -> Detail {
        let seconds = |seconds: i64| u64::try_from(seconds).ok();
        match self {
            ClientError::Pin(PinError::Wrong {
                tries_left,
                paused_for,
            }) => Detail {
                tries_left: Some(*tries_left),
                wait_seconds: paused_for.and_then(seconds),
            },
            ClientError::Pin(PinError::Paused { seconds: wait }) => Detail {
                wait_seconds: seconds(*wait),
                ..Detail::default()
            },
            _ => Detail::default(),
        }
    }

    pub(crate) fn invalid(code: Code, message: impl Into<String>) -> Self {
        ClientError::Invalid {
            code,
            message: message.into(),
        }
    }
}
