//! A lost phone costs nothing: a wallet's lock code suspends every device of it from any
//! browser, with no device at hand, and only its recovery code lifts the suspension. Both
//! are shown once, at onboarding or when asked for anew; only their hashes are kept.

use saifu_api::{LockWallet, RecoverySheet, ResumeWallet, Wallet, WalletEvent, WalletLocked};

use super::{Service, ServiceError, SignedRequest, SignedWrite, codes};
use crate::store::StoreError;

/// Twelve symbols (60 bits): enough for a code that can only suspend, with the pause below.
const LOCK_CODE_LENGTH: usize = 12;
/// Twenty symbols (100 bits): the code that undoes a suspension.
const RECOVERY_CODE_LENGTH: usize = 20;
/// Wrong lock codes one source may send within [`LOCK_WINDOW_SECONDS`] before it is paused.
const LOCK_TRIES: i64 = 10;
const LOCK_WINDOW_SECONDS: i64 = 600;

/// A new recovery sheet and what is kept of it.
pub(super) struct RecoveryCodes {
    pub(super) sheet: RecoverySheet,
    pub(super) lock_hash: String,
    pub(super) recovery_hash: String,
}

pub(super) fn new_recovery_codes() -> Result<RecoveryCodes, ServiceError> {
    let lock_code = codes::new_code(LOCK_CODE_LENGTH)?;
    let recovery_code = codes::new_code(RECOVERY_CODE_LENGTH)?;
    let unreadable = || ServiceError::internal("recovery sheet", "a new code does not read back");
    Ok(RecoveryCodes {
        lock_hash: codes::code_hash(&lock_code, LOCK_CODE_LENGTH).ok_or_else(unreadable)?,
        recovery_hash: codes::code_hash(&recovery_code, RECOVERY_CODE_LENGTH)
            .ok_or_else(unreadable)?,
        sheet: RecoverySheet {
            lock_code,
            recovery_code,
        },
    })
}

impl Service {
    /// New lock and recovery codes for the signing device's wallet; the old ones stop
    /// working.
    pub async fn issue_recovery_sheet(
        &self,
        write: SignedWrite,
    ) -> Result<RecoverySheet, ServiceError> {
        let wallet_id = write.device.wallet_id.clone();
        let plan = new_recovery_codes();
        let sheet = self
            .transact(write, plan, move |mut tx, codes| {
                Box::pin(async move {
                    tx.set_recovery_codes(&wallet_id, &codes.lock_hash, &codes.recovery_hash)
                        .await?;
                    Ok(codes.sheet)
                })
            })
            .await?;
        tracing::info!("recovery sheet issued");
        Ok(sheet)
    }

    /// Suspends the wallet whose lock code this is. `source` is where the request came
    /// from: one that sends too many wrong codes is paused.
    pub async fn lock_wallet(
        &self,
        lock: LockWallet,
        source: &str,
    ) -> Result<WalletLocked, ServiceError> {
        let now = self.now();
        let tries = self
            .store
            .lock_attempts(source, now - LOCK_WINDOW_SECONDS)
            .await?;
        if tries >= LOCK_TRIES {
            tracing::warn!(source, "lock codes paused");
            return Err(ServiceError::LockPaused);
        }
        let found = match codes::code_hash(&lock.lock_code, LOCK_CODE_LENGTH) {
            Some(hash) => self.store.wallet_of_lock_code(&hash).await?,
            None => None,
        };
        let Some((wallet_id, already)) = found else {
            let source = source.to_owned();
            self.store
                .write_single(move |mut tx| {
                    Box::pin(async move { tx.record_lock_attempt(&source, now).await })
                })
                .await?;
            tracing::info!("a wrong lock code");
            return Err(ServiceError::InvalidLockCode);
        };
        let suspended = wallet_id.clone();
        let suspended_at = self
            .store
            .write(move |mut tx| Box::pin(async move { tx.suspend_wallet(&suspended, now).await }))
            .await
            .map_err(ServiceError::from)?;
        if already.is_none() {
            tracing::info!(wallet_id, "wallet suspended with its lock code");
            self.publish(&wallet_id, WalletEvent::WalletSuspended { suspended_at });
        }
        Ok(WalletLocked { suspended_at })
    }

    /// Lifts the suspension of the signing device's wallet with its recovery code.
    pub async fn resume_wallet(&self, request: SignedRequest) -> Result<Wallet, ServiceError> {
        let resume: ResumeWallet = request.json()?;
        let hash = codes::code_hash(&resume.recovery_code, RECOVERY_CODE_LENGTH)
            .ok_or(ServiceError::InvalidRecoveryCode)?;
        let wallet_id = request.device.wallet_id.clone();
        let resumed = wallet_id.clone();
        self.store
            .write(move |mut tx| {
                Box::pin(async move {
                    tx.resume_wallet(&resumed, &hash)
                        .await
                        .map_err(|error| match error {
                            StoreError::NotFound => ServiceError::InvalidRecoveryCode,
                            other => other.into(),
                        })
                })
            })
            .await?;
        tracing::info!(wallet_id, "wallet suspension lifted");
        self.publish(&wallet_id, WalletEvent::WalletResumed);
        self.wallet(request).await
    }
}
