//! The shell's one piece of state: the wallet of this device, and its event listener.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use saifu_client::{ClientError, KeyStore, NoKeyStore, WalletApp};
use tauri::{Emitter, Manager};

/// The service onboarding proposes: the reference service `cargo xtask run` starts.
const DEFAULT_SERVICE_URL: &str = "http://127.0.0.1:8787";

pub struct Wallet {
    pub app: WalletApp,
    /// Whether the event listener runs.
    listening: AtomicBool,
}

impl Wallet {
    pub fn open(data_dir: &Path) -> Result<Wallet, ClientError> {
        let default_service_url =
            std::env::var("SAIFU_SERVICE_URL").unwrap_or_else(|_| DEFAULT_SERVICE_URL.to_owned());
        Ok(Wallet {
            app: WalletApp::open(data_dir, os_keyring(), default_service_url)?,
            listening: AtomicBool::new(false),
        })
    }
}

/// The OS keyring, or a stand-in that tells the user why there is none.
fn os_keyring() -> Arc<dyn KeyStore> {
    match saifu_client::keys::OsKeyring::connect() {
        Ok(keyring) => Arc::new(keyring),
        Err(error) => {
            tracing::warn!(%error, "no system keyring: this device cannot keep a key");
            Arc::new(NoKeyStore(error.to_string()))
        }
    }
}

/// Listens to the wallet's events while the app runs, once: each is acted on (a lock of this
/// device wipes its key) and passed to the UI, which refreshes and notifies. A dropped stream
/// is reopened with a growing pause; a device that can no longer sign stops listening.
pub fn listen(app: tauri::AppHandle) {
    let wallet = app.state::<Wallet>();
    if wallet.listening.swap(true, Ordering::SeqCst) {
        return;
    }
    tauri::async_runtime::spawn(async move {
        let wallet = app.state::<Wallet>();
        let mut pause = Duration::from_secs(1);
        loop {
            let mut stream = match wallet.app.events().await {
                Ok(stream) => stream,
                Err(ClientError::Unreachable { .. } | ClientError::Protocol(_)) => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(30));
                    continue;
                }
                Err(error) => {
                    tracing::warn!(%error, "stopped listening to the wallet's events");
                    break;
                }
            };
            pause = Duration::from_secs(1);
            loop {
                match wallet.app.next_event(&mut stream).await {
                    Ok(Some(shown)) => {
                        let _ = app.emit(saifu_ipc::WALLET_EVENT, shown);
                    }
                    Ok(None) => break,
                    Err(error) => {
                        tracing::info!(%error, "the event stream broke off");
                        break;
                    }
                }
            }
        }
        wallet.listening.store(false, Ordering::SeqCst);
    });
}
