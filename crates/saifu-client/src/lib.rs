//! The wallet app's brain without a UI: the service's client, the device key in the OS
//! keyring, the app PIN and the offline cache. It answers with the views the screens show
//! (saifu-ipc's), so the shell is a thin layer over [`WalletApp`]; tests drive it against a
//! real service.

mod error;
mod http;
pub mod keys;
pub mod pin;
mod profile;
mod sensitive;
mod views;
mod wallet;

pub use error::ClientError;
pub use http::{Api, DeviceIdentity, EventStream, idempotency_key};
pub use keys::{KeyStore, KeyStoreError, MemoryKeyStore, NoKeyStore};
pub use profile::{Cache, Profile};
pub use sensitive::Sensitive;
pub use wallet::{Onboarding, WalletApp, device_registration, new_device_key};
