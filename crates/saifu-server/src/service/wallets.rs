//! Onboarding and devices: challenges, wallets, the device list and remote lock; and the
//! shops a wallet can pay.

use saifu_api::{
    Challenge, CreateWallet, Device, DeviceList, DeviceRegistration, Merchant, MerchantList,
    Wallet, WalletCreated, WalletEvent,
};
use saifu_core::auth::{self, DevicePublicKey, Signature};
use saifu_core::money::Money;

use super::lost_mode::{RecoveryCodes, new_recovery_codes};
use super::{Service, ServiceError, SignedRequest, random_token};
use crate::ledger::Account;
use crate::store::{DeviceRow, MerchantRow, StoreError, WriteTx};

/// How long a registration challenge may be answered.
const CHALLENGE_SECONDS: i64 = 300;

fn device_view(row: DeviceRow, asking_device: &str) -> Device {
    Device {
        this_device: row.device_id == asking_device,
        device_id: row.device_id,
        device_name: row.device_name,
        registered_at: row.registered_at,
        locked_at: row.locked_at,
    }
}

pub(super) fn merchant_view(row: MerchantRow) -> Merchant {
    Merchant {
        merchant_id: row.merchant_id,
        name: row.name,
        city: row.city,
        country: row.country,
        mcc: row.mcc,
        currency: row.currency,
        local: row.local,
    }
}

/// Uses up a registration's challenge, in the transaction that registers its key.
pub(super) async fn take_challenge(
    tx: &mut WriteTx<'_>,
    challenge: &str,
    now: i64,
) -> Result<(), ServiceError> {
    tx.take_challenge(challenge, now)
        .await
        .map_err(|error| match error {
            StoreError::NotFound => ServiceError::InvalidChallenge,
            other => other.into(),
        })
}

fn taken(error: StoreError) -> ServiceError {
    match error {
        StoreError::Duplicate => {
            ServiceError::Conflict("this device id or key is registered already")
        }
        other => other.into(),
    }
}

impl Service {
    pub async fn create_challenge(&self) -> Result<Challenge, ServiceError> {
        let now = self.now();
        let challenge = random_token(32)?;
        let expires_at = now + CHALLENGE_SECONDS;
        let stored = challenge.clone();
        self.store
            .write(move |mut tx| {
                Box::pin(async move { tx.insert_challenge(&stored, expires_at, now).await })
            })
            .await
            .map_err(ServiceError::from)?;
        Ok(Challenge {
            challenge,
            expires_at,
        })
    }

    /// Checks that the registering device holds the key it presents, and answers the row
    /// to insert for `wallet_id`. Its challenge is used up with the insert.
    pub(super) fn verify_registration(
        &self,
        registration: &DeviceRegistration,
        wallet_id: &str,
    ) -> Result<DeviceRow, ServiceError> {
        let bad_signature =
            |error: auth::AuthError| ServiceError::InvalidSignature(error.to_string());
        let name = registration.device_name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(ServiceError::BadRequest(
                "the device name must be 1 to 64 characters".into(),
            ));
        }
        let public_key =
            DevicePublicKey::from_base64url(&registration.public_key).map_err(bad_signature)?;
        let signature =
            Signature::from_base64url(&registration.signature).map_err(bad_signature)?;
        let message = auth::registration_message(
            &registration.challenge,
            &registration.device_id,
            &public_key,
        )
        .map_err(bad_signature)?;
        public_key
            .verify(&message, &signature)
            .map_err(bad_signature)?;
        Ok(DeviceRow {
            device_id: registration.device_id.clone(),
            wallet_id: wallet_id.to_owned(),
            device_name: name.to_owned(),
            public_key: public_key.to_base64url(),
            registered_at: self.now(),
            locked_at: None,
            wallet_suspended_at: None,
        })
    }

    /// Registers `device` after using up `challenge`, with the wallet when `new_wallet`
    /// names its currency and recovery codes, in one transaction: all or nothing.
    async fn register(
        &self,
        challenge: String,
        device: DeviceRow,
        new_wallet: Option<(saifu_core::money::Currency, RecoveryCodes)>,
    ) -> Result<DeviceRow, ServiceError> {
        // The challenge is checked at the time the device is registered at.
        let now = device.registered_at;
        self.store
            .write(move |mut tx| {
                Box::pin(async move {
                    take_challenge(&mut tx, &challenge, now).await?;
                    match new_wallet {
                        Some((home, codes)) => {
                            tx.create_wallet(&device.wallet_id, home, &device)
                                .await
                                .map_err(taken)?;
                            tx.set_recovery_codes(
                                &device.wallet_id,
                                &codes.lock_hash,
                                &codes.recovery_hash,
                            )
                            .await?;
                        }
                        None => tx.add_device(&device).await.map_err(taken)?,
                    }
                    Ok(device)
                })
            })
            .await
    }

    pub async fn create_wallet(
        &self,
        request: CreateWallet,
    ) -> Result<WalletCreated, ServiceError> {
        let wallet_id = format!("wal_{}", random_token(16)?);
        let device = self.verify_registration(&request.device, &wallet_id)?;
        let codes = new_recovery_codes()?;
        let recovery = codes.sheet.clone();
        let device = self
            .register(
                request.device.challenge,
                device,
                Some((request.home_currency, codes)),
            )
            .await?;
        tracing::info!(wallet_id, device_id = device.device_id, "wallet created");
        Ok(WalletCreated {
            wallet_id,
            device_id: device.device_id,
            recovery,
        })
    }

    /// A device of the wallet adds another (the new one proves it holds its key).
    pub async fn add_device(&self, request: SignedRequest) -> Result<Device, ServiceError> {
        let registration: DeviceRegistration = request.json()?;
        let device = self.verify_registration(&registration, &request.device.wallet_id)?;
        let device = self.register(registration.challenge, device, None).await?;
        tracing::info!(
            wallet_id = device.wallet_id,
            device_id = device.device_id,
            "device added"
        );
        let view = device_view(device, &request.device.device_id);
        self.publish(
            &request.device.wallet_id,
            WalletEvent::DeviceAdded {
                device: Device {
                    this_device: false,
                    ..view.clone()
                },
            },
        );
        Ok(view)
    }

    pub async fn list_devices(&self, request: SignedRequest) -> Result<DeviceList, ServiceError> {
        let rows = self.store.wallet_devices(&request.device.wallet_id).await?;
        Ok(DeviceList {
            devices: rows
                .into_iter()
                .map(|row| device_view(row, &request.device.device_id))
                .collect(),
        })
    }

    /// Locks a lost device of the same wallet: it is refused from its next request on.
    pub async fn lock_device(
        &self,
        request: SignedRequest,
        device_id: String,
    ) -> Result<Device, ServiceError> {
        let not_found = || ServiceError::NotFound("the wallet has no such device");
        let target = self.store.device(&device_id).await?.ok_or_else(not_found)?;
        // Another wallet's devices are as good as absent: nothing about them is revealed.
        if target.wallet_id != request.device.wallet_id {
            return Err(not_found());
        }
        if target.device_id == request.device.device_id {
            return Err(ServiceError::Conflict(
                "a device cannot lock itself; lock it from another device",
            ));
        }
        let (locked, by, now) = (
            target.device_id.clone(),
            request.device.device_id.clone(),
            self.now(),
        );
        self.store
            .write(move |mut tx| Box::pin(async move { tx.lock_device(&locked, &by, now).await }))
            .await
            .map_err(ServiceError::from)?;
        tracing::info!(
            wallet_id = target.wallet_id,
            device_id = target.device_id,
            "device locked"
        );
        self.publish(
            &target.wallet_id,
            WalletEvent::DeviceLocked {
                device_id: target.device_id.clone(),
            },
        );
        let locked = self.store.device(&device_id).await?.ok_or_else(not_found)?;
        Ok(device_view(locked, &request.device.device_id))
    }

    pub async fn list_merchants(&self) -> Result<MerchantList, ServiceError> {
        let merchants = self.store.merchants().await?;
        Ok(MerchantList {
            merchants: merchants.into_iter().map(merchant_view).collect(),
        })
    }

    pub async fn wallet(&self, request: SignedRequest) -> Result<Wallet, ServiceError> {
        let wallet_id = &request.device.wallet_id;
        let currency = self.store.wallet_currency(wallet_id).await?;
        let balance = self
            .store
            .balance(&Account::wallet(wallet_id, currency).id())
            .await?;
        Ok(Wallet {
            wallet_id: wallet_id.clone(),
            balance: Money::from_minor(balance, currency),
            has_paid: self.store.has_paid(wallet_id).await?,
        })
    }
}
