//! The shell's one piece of state: the wallet of this device, and whether the app is
//! unlocked for this session.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use saifu_client::{ClientError, KeyStore, NoKeyStore, Pushed, WalletApp};
use tauri::{Emitter, Manager};
use tokio::sync::Mutex;

/// The service onboarding proposes: the reference service `cargo xtask run` starts.
const DEFAULT_SERVICE_URL: &str = "http://127.0.0.1:8787";

pub struct Wallet {
    pub app: Mutex<WalletApp>,
    /// Set by the right PIN, cleared by "Lock the app"; every start begins locked.
    pub unlocked: AtomicBool,
    /// Whether the event listener runs.
    listening: AtomicBool,
    pub default_service_url: String,
}

impl Wallet {
    pub fn open(data_dir: &Path) -> Result<Wallet, saifu_client::ClientError> {
        let app = WalletApp::open(data_dir, os_keyring())?;
        Ok(Wallet {
            app: Mutex::new(app),
            unlocked: AtomicBool::new(false),
            listening: AtomicBool::new(false),
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
            let subscribed = wallet.app.lock().await.subscribe().await;
            let mut stream = match subscribed {
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
            while let Ok(Some(pushed)) = stream.next().await {
                let mut app_wallet = wallet.app.lock().await;
                if let Err(error) = app_wallet.on_pushed(&pushed).await {
                    tracing::warn!(%error, "a pushed event could not be acted on");
                }
                let this_device = app_wallet
                    .profile()
                    .map(|profile| profile.device_id.clone());
                drop(app_wallet);
                if let Some(shown) = for_ui(pushed, this_device.as_deref()) {
                    let _ = app.emit(saifu_ipc::WALLET_EVENT, shown);
                }
            }
        }
        wallet.listening.store(false, Ordering::SeqCst);
    });
}

fn for_ui(pushed: Pushed, this_device: Option<&str>) -> Option<saifu_ipc::Pushed> {
    use saifu_client::api::WalletEvent;
    use saifu_ipc::Pushed as Ui;
    let event = match pushed {
        Pushed::Missed => return Some(Ui::Missed),
        Pushed::Event(event) => *event,
    };
    Some(match event {
        WalletEvent::PaymentSucceeded { receipt } => Ui::PaymentSucceeded {
            merchant_name: receipt.merchant_name,
            merchant_local: receipt.merchant_local,
            paid: receipt.paid,
        },
        WalletEvent::ToppedUp { receipt } => Ui::ToppedUp {
            amount: receipt.amount,
            balance: receipt.balance,
        },
        WalletEvent::CardLinked { card } => Ui::CardLinked {
            brand: card.brand,
            last4: card.last4,
        },
        WalletEvent::CardUnlinked { .. } => Ui::CardUnlinked,
        WalletEvent::CouponClaimed { coupon } => Ui::CouponClaimed { name: coupon.name },
        WalletEvent::DeviceAdded { device } => Ui::DeviceAdded {
            device_name: device.device_name,
        },
        WalletEvent::DeviceLocked { device_id } => Ui::DeviceLocked {
            this_device: Some(device_id.as_str()) == this_device,
        },
    })
}
