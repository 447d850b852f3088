//! The shell's one piece of state: the wallet of this device, and whether the app is
//! unlocked for this session.

use std::path::Path;
use std::sync::Arc;

use saifu_client::{KeyStore, NoKeyStore, WalletApp};
use tokio::sync::Mutex;

/// The service onboarding proposes: the reference service `cargo xtask run` starts.
const DEFAULT_SERVICE_URL: &str = "http://127.0.0.1:8787";

pub struct Wallet {
    pub app: Mutex<WalletApp>,
    /// Set by the right PIN, cleared by "Lock the app"; every start begins locked.
    pub unlocked: std::sync::atomic::AtomicBool,
    pub default_service_url: String,
}

impl Wallet {
    pub fn open(data_dir: &Path) -> Result<Wallet, saifu_client::ClientError> {
        let app = WalletApp::open(data_dir, os_keyring())?;
        Ok(Wallet {
            app: Mutex::new(app),
            unlocked: std::sync::atomic::AtomicBool::new(false),
            default_service_url: std::env::var("SAIFU_SERVICE_URL")
                .unwrap_or_else(|_| DEFAULT_SERVICE_URL.to_owned()),
        })
    }
}

/// The OS keyring, or a stand-in that tells the user why there is none.
fn os_keyring() -> Arc<dyn KeyStore> {
    match saifu_client::keys::OsKeyring::connect() {
        Ok(keyring) => Arc::new(keyring),
        Err(error) => {
            eprintln!("saifu: {error}");
            Arc::new(NoKeyStore(error.to_string()))
        }
    }
}
