//! The wallet app's brain without a UI: the service's client, the device key in the OS
//! keyring, the app PIN and the offline cache. The desktop shell and the CLI are thin
//! layers over [`WalletApp`]; tests drive it against a real service.

mod error;
mod http;
pub mod keys;
pub mod pin;
mod profile;
mod sensitive;
mod wallet;

pub use error::ClientError;
pub use http::{Api, DeviceIdentity, EventStream, Pushed, idempotency_key};
pub use keys::{KeyStore, KeyStoreError, MemoryKeyStore, NoKeyStore};
pub use profile::{Cache, Profile};
pub use reqwest::Method;
/// The service's wire types, which this crate's answers are made of.
pub use saifu_api as api;
pub use sensitive::Sensitive;
pub use wallet::{Onboarding, Overview, Status, WalletApp, device_registration, new_device_key};
