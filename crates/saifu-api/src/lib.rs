//! The wallet service's HTTP contract: paths, request and response bodies, and the error
//! codes clients branch on. Shared by the reference server and the app's client, so the two
//! cannot drift apart.
//!
//! Every `/v1` request except creating a challenge and a wallet is signed by a device (see
//! `saifu_core::auth`): the headers named there carry the device id, timestamp, nonce and
//! signature over the canonical bytes of the request.

use serde::{Deserialize, Serialize};

/// Request paths. Parameters are written `{name}` as axum routes them.
pub mod paths {
    pub const HEALTH: &str = "/healthz";
    pub const CHALLENGES: &str = "/v1/challenges";
    pub const WALLETS: &str = "/v1/wallets";
    pub const DEVICES: &str = "/v1/devices";
    pub const DEVICE_LOCK: &str = "/v1/devices/{device_id}/lock";
    pub const MERCHANTS: &str = "/v1/merchants";

    /// `DEVICE_LOCK` for one device.
    pub fn device_lock(device_id: &str) -> String {
        DEVICE_LOCK.replace("{device_id}", device_id)
    }
}

/// What every failed request answers: a stable code to branch on and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// The service failed; details are in its log, not here.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that carries this code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// A single-use challenge a new device signs to prove it holds its key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub challenge: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A device proving it holds the private key of `public_key`: `signature` is over
/// `saifu_core::auth::registration_message(challenge, device_id, public_key)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletCreated {
    pub wallet_id: String,
    pub device_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub device_id: String,
    pub device_name: String,
    pub registered_at: i64,
    /// When another device of the wallet locked this one.
    pub locked_at: Option<i64>,
    /// Whether this is the device that asked.
    pub this_device: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceList {
    pub devices: Vec<Device>,
}

/// A shop that accepts Saifu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merchant {
    pub merchant_id: String,
    pub name: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub mcc: String,
    pub currency: saifu_core::money::Currency,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantList {
    pub merchants: Vec<Merchant>,
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
    fn lock_path_names_the_device() {
        assert_eq!(paths::device_lock("dev_1"), "/v1/devices/dev_1/lock");
    }
}
