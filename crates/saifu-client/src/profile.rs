//! What the app keeps on disk: which wallet and device this is, the PIN's hash, and the last
//! good answers of the service for offline display. Never a key, a PIN or a card number.

use std::path::{Path, PathBuf};

use saifu_api::{Activity, Card, Wallet as WalletBalance};
use saifu_core::money::Currency;
use serde::{Deserialize, Serialize};

use crate::ClientError;
use crate::pin::PinRecord;

const FILE_NAME: &str = "wallet.json";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Profile {
    pub service_url: String,
    pub wallet_id: String,
    pub device_id: String,
    pub device_name: String,
    pub home_currency: Currency,
    pub pin: PinRecord,
    /// Set when the service said this device was locked; the key is wiped by then.
    #[serde(default)]
    pub locked: bool,
    /// How this device's pay code pays, as the service last confirmed (its key is in the
    /// keyring).
    #[serde(default)]
    pub pay_code: Option<saifu_api::PayCodeSettings>,
    /// The user said they saved the recovery sheet (its codes are never kept here).
    #[serde(default)]
    pub recovery_saved: bool,
    /// The service said the wallet is suspended with its lock code.
    #[serde(default)]
    pub suspended: bool,
    #[serde(default)]
    pub cache: Cache,
}

/// The service's last answers, shown marked as not fresh when it cannot be reached.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    pub balance: Option<WalletBalance>,
    pub cards: Vec<Card>,
    pub recent: Vec<Activity>,
    /// Unix seconds of the last refresh.
    pub saved_at: i64,
}

/// The profile's file in the app's data directory.
#[derive(Clone, Debug)]
pub struct ProfileFile {
    path: PathBuf,
}

fn storage(error: impl std::fmt::Display) -> ClientError {
    ClientError::Storage(error.to_string())
}

impl ProfileFile {
    pub fn in_dir(dir: &Path) -> ProfileFile {
        ProfileFile {
            path: dir.join(FILE_NAME),
        }
    }

    pub fn load(&self) -> Result<Option<Profile>, ClientError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(storage),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(storage(error)),
        }
    }

    /// Writes the whole profile to a temporary file and renames it over the old one, so a
    /// crash leaves either the old profile or the new, never half of one.
    pub fn save(&self, profile: &Profile) -> Result<(), ClientError> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(storage)?;
        }
        let bytes = serde_json::to_vec_pretty(profile).map_err(storage)?;
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, bytes).map_err(storage)?;
        std::fs::rename(&temporary, &self.path).map_err(storage)
    }

    pub fn delete(&self) -> Result<(), ClientError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(storage(error)),
        }
    }
}
