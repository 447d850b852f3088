//! Where the device key lives: the OS keyring on a real device, memory in tests.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::Sensitive;

/// The keyring's service name for every Saifu secret.
pub const SERVICE: &str = "saifu";

#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    /// No keyring can be reached (no Secret Service on Linux, a locked keychain): the app
    /// cannot hold a device key here until there is one.
    #[error("The system keyring cannot be used: {0}")]
    Unavailable(String),
    #[error("The system keyring failed: {0}")]
    Failed(String),
}

/// A place for secrets, keyed by account name. Calls may block (the OS keyring talks to
/// another process): async callers run them on a blocking thread.
pub trait KeyStore: Send + Sync + 'static {
    /// The secret stored for `account`, or `None` when there is none.
    fn load(&self, account: &str) -> Result<Option<Sensitive<String>>, KeyStoreError>;
    fn save(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeyStoreError>;
    /// Removes the secret; removing one that is not there is not an error.
    fn delete(&self, account: &str) -> Result<(), KeyStoreError>;

    /// Why no secret can be kept here at all, if so: known before a wallet is set up.
    fn unavailable(&self) -> Option<String> {
        None
    }
}

/// Secrets in memory only: for tests and for tools that must not touch the user's keyring.
#[derive(Debug, Default)]
pub struct MemoryKeyStore(Mutex<HashMap<String, Sensitive<String>>>);

impl KeyStore for MemoryKeyStore {
    fn load(&self, account: &str) -> Result<Option<Sensitive<String>>, KeyStoreError> {
        Ok(self.entries().get(account).cloned())
    }

    fn save(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeyStoreError> {
        self.entries().insert(account.to_owned(), secret.clone());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), KeyStoreError> {
        self.entries().remove(account);
        Ok(())
    }
}

impl MemoryKeyStore {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Sensitive<String>>> {
        // A panic while holding the lock cannot leave a map half-written.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Stands in when no keyring can be reached: every call says so, and the app shows it.
#[derive(Debug)]
pub struct NoKeyStore(pub String);

impl KeyStore for NoKeyStore {
    fn load(&self, _account: &str) -> Result<Option<Sensitive<String>>, KeyStoreError> {
        Err(KeyStoreError::Unavailable(self.0.clone()))
    }

    fn save(&self, _account: &str, _secret: &Sensitive<String>) -> Result<(), KeyStoreError> {
        Err(KeyStoreError::Unavailable(self.0.clone()))
    }

    fn delete(&self, _account: &str) -> Result<(), KeyStoreError> {
        Err(KeyStoreError::Unavailable(self.0.clone()))
    }

    fn unavailable(&self) -> Option<String> {
        Some(self.0.clone())
    }
}

#[cfg(feature = "keyring")]
pub use os::OsKeyring;

#[cfg(feature = "keyring")]
mod os {
    use std::sync::Arc;

    use keyring_core::{Entry, Error};

    use super::{KeyStore, KeyStoreError, SERVICE};
    use crate::Sensitive;

    /// The operating system's keyring: the Secret Service on Linux, the Keychain on macOS
    /// and iOS, the Credential Manager on Windows, the Keystore on Android.
    #[derive(Debug)]
    pub struct OsKeyring(());

    impl OsKeyring {
        /// Connects to the platform's store and makes it keyring-core's default.
        pub fn connect() -> Result<OsKeyring, KeyStoreError> {
            let store = platform_store().map_err(unavailable)?;
            keyring_core::set_default_store(store);
            Ok(OsKeyring(()))
        }

        fn entry(&self, account: &str) -> Result<Entry, KeyStoreError> {
            Entry::new(SERVICE, account).map_err(failed)
        }
    }

    #[cfg(any(target_os = "linux", target_os = "freebsd"))]
    fn platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
        let store: Arc<keyring_core::CredentialStore> =
            zbus_secret_service_keyring_store::Store::new()?;
        Ok(store)
    }

    #[cfg(any(target_os = "macos", target_os = "ios"))]
    fn platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
        let store: Arc<keyring_core::CredentialStore> =
            apple_native_keyring_store::keychain::Store::new()?;
        Ok(store)
    }

    #[cfg(target_os = "windows")]
    fn platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
        let store: Arc<keyring_core::CredentialStore> = windows_native_keyring_store::Store::new()?;
        Ok(store)
    }

    /// The Android Keystore behind SharedPreferences; needs the app context that Tauri's
    /// Android activity provides through ndk-context.
    #[cfg(target_os = "android")]
    fn platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
        let store: Arc<keyring_core::CredentialStore> = android_native_keyring_store::Store::new()?;
        Ok(store)
    }

    #[cfg(not(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "macos",
        target_os = "ios",
        target_os = "windows",
        target_os = "android"
    )))]
    fn platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
        Err(Error::NotSupportedByStore(
            "no keyring store for this platform yet".into(),
        ))
    }

    fn unavailable(error: Error) -> KeyStoreError {
        KeyStoreError::Unavailable(error.to_string())
    }

    fn failed(error: Error) -> KeyStoreError {
        match error {
            Error::NoStorageAccess(_) | Error::NoDefaultStore => unavailable(error),
            other => KeyStoreError::Failed(other.to_string()),
        }
    }

    impl KeyStore for OsKeyring {
        fn load(&self, account: &str) -> Result<Option<Sensitive<String>>, KeyStoreError> {
            match self.entry(account)?.get_password() {
                Ok(secret) => Ok(Some(Sensitive::new(secret))),
                Err(Error::NoEntry) => Ok(None),
                Err(error) => Err(failed(error)),
            }
        }

        fn save(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeyStoreError> {
            self.entry(account)?
                .set_password(secret.expose())
                .map_err(failed)
        }

        fn delete(&self, account: &str) -> Result<(), KeyStoreError> {
            match self.entry(account)?.delete_credential() {
                Ok(()) | Err(Error::NoEntry) => Ok(()),
                Err(error) => Err(failed(error)),
            }
        }
    }
}
