//! The wallet as the app uses it: onboarding, money, payments and devices, each a method
//! that signs with the device key from the keyring and keeps the offline cache fresh.

use std::path::Path;
use std::sync::Arc;

use reqwest::Method;
use saifu_api::{
    Activity, Card, CardList, Challenge, ClaimCoupon, Coupon, CreateWallet, Device, DeviceList,
    DeviceRegistration, ErrorCode, Funding, History, LinkCard, Pay, Promotion, PromotionList,
    Quote, QuoteRequest, Receipt, TopUp, TopUpReceipt, WalletCreated, WalletEvent, paths,
};
use saifu_core::auth::{self, DeviceSigningKey};
use saifu_core::code::Code;
use saifu_core::money::Currency;
use serde::{Deserialize, Serialize};

use crate::http::{Api, DeviceIdentity, EventStream, Pushed, idempotency_key, unix_now};
use crate::keys::KeyStore;
use crate::pin::{PinRecord, check_new_pin};
use crate::profile::{Cache, Profile, ProfileFile};
use crate::{ClientError, Sensitive};

/// Recent activity kept for the home screen and offline display.
const RECENT: usize = 20;

/// Where the app stands on this device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No wallet on this device yet.
    Welcome,
    Ready,
    /// The profile is here but the keyring lost the device key: set up again.
    KeyMissing,
    /// Another device locked this one; its key is wiped.
    DeviceLocked,
}

/// What onboarding asks for.
#[derive(Debug)]
pub struct Onboarding {
    pub service_url: String,
    pub device_name: String,
    pub home_currency: Currency,
    pub pin: Sensitive<String>,
}

/// The home screen's data: live, or the cache marked as not fresh.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub balance: Option<saifu_api::Wallet>,
    pub cards: Vec<Card>,
    pub recent: Vec<Activity>,
    /// False when the service could not be reached and this is the cache.
    pub fresh: bool,
    /// Unix seconds when this data came from the service.
    pub as_of: i64,
}

/// A device key, fresh from the system's randomness.
pub fn new_device_key() -> Result<DeviceSigningKey, ClientError> {
    let mut secret = Sensitive::new([0_u8; 32]);
    loop {
        getrandom::fill(secret.expose_mut())
            .map_err(|error| ClientError::Storage(error.to_string()))?;
        // The odds a random scalar is invalid are about 2^-128; draw again if so.
        if let Ok(key) = DeviceSigningKey::from_bytes(secret.expose()) {
            return Ok(key);
        }
    }
}

/// The registration a device sends, signed over the service's challenge.
pub fn device_registration(
    challenge: &Challenge,
    device_id: &str,
    device_name: &str,
    key: &DeviceSigningKey,
) -> Result<DeviceRegistration, ClientError> {
    let public_key = key.public_key();
    let message = auth::registration_message(&challenge.challenge, device_id, &public_key)
        .map_err(|error| ClientError::invalid(Code::BadRequest, error.to_string()))?;
    Ok(DeviceRegistration {
        device_id: device_id.to_owned(),
        device_name: device_name.to_owned(),
        public_key: public_key.to_base64url(),
        challenge: challenge.challenge.clone(),
        signature: key.sign(&message).to_base64url(),
    })
}

fn key_account(device_id: &str) -> String {
    format!("device-key/{device_id}")
}

/// One wallet on this device.
pub struct WalletApp {
    file: ProfileFile,
    keys: Arc<dyn KeyStore>,
    profile: Option<Profile>,
    device: Option<DeviceIdentity>,
    api: Option<Api>,
}

impl WalletApp {
    /// Opens the wallet kept in `dir`, if there is one.
    pub fn open(dir: &Path, keys: Arc<dyn KeyStore>) -> Result<WalletApp, ClientError> {
        let file = ProfileFile::in_dir(dir);
        let profile = file.load()?;
        let api = match &profile {
            Some(profile) => Some(Api::new(&profile.service_url)?),
            None => None,
        };
        Ok(WalletApp {
            file,
            keys,
            profile,
            device: None,
            api,
        })
    }

    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    /// Where the app stands. Reads the keyring, so the answer is what it holds now.
    /// Whether a device key can be kept on this device: the system keyring answers.
    pub fn keyring_ready(&self) -> bool {
        self.keys.unavailable().is_none()
    }

    pub async fn status(&mut self) -> Result<Status, ClientError> {
        let Some(profile) = &self.profile else {
            return Ok(Status::Welcome);
        };
        if profile.locked {
            return Ok(Status::DeviceLocked);
        }
        match self.device().await {
            Ok(_) => Ok(Status::Ready),
            Err(ClientError::KeyMissing) => Ok(Status::KeyMissing),
            Err(error) => Err(error),
        }
    }

    /// Creates a wallet with this device: a new key into the keyring, registered with the
    /// service, and the PIN's hash kept here.
    pub async fn onboard(&mut self, onboarding: Onboarding) -> Result<(), ClientError> {
        if self.profile.as_ref().is_some_and(|profile| !profile.locked) {
            return Err(ClientError::invalid(
                Code::AlreadyOnboarded,
                "this device has a wallet already",
            ));
        }
        let device_name = onboarding.device_name.trim();
        if device_name.is_empty() || device_name.chars().count() > 64 {
            return Err(ClientError::invalid(
                Code::InvalidDeviceName,
                "a device name has 1 to 64 characters",
            ));
        }
        check_new_pin(onboarding.pin.expose())?;
        let api = Api::new(&onboarding.service_url)?;
        let pin = PinRecord::new(&onboarding.pin)?;
        let key = new_device_key()?;
        let device_id = format!("dev_{}", idempotency_key()?);
        let challenge: Challenge = api
            .public(Method::POST, paths::CHALLENGES, None::<&()>)
            .await?;
        let registration = device_registration(&challenge, &device_id, device_name, &key)?;
        // The key is in the keyring before the service knows it: a wallet is never created
        // for a key this device failed to keep.
        let account = key_account(&device_id);
        let secret = Sensitive::new(key.to_base64url_secret());
        self.with_keys(move |keys| keys.save(&account, &secret))
            .await?;
        let created: WalletCreated = api
            .public(
                Method::POST,
                paths::WALLETS,
                Some(&CreateWallet {
                    device: registration,
                    home_currency: onboarding.home_currency,
                }),
            )
            .await?;
        let profile = Profile {
            service_url: api.base().to_owned(),
            wallet_id: created.wallet_id,
            device_id: created.device_id.clone(),
            device_name: device_name.to_owned(),
            home_currency: onboarding.home_currency,
            pin,
            locked: false,
            cache: Cache::default(),
        };
        self.file.save(&profile)?;
        // A previous, locked wallet's profile is replaced; its key is gone already.
        self.profile = Some(profile);
        self.device = Some(DeviceIdentity {
            device_id: created.device_id,
            key: Sensitive::new(key),
        });
        self.api = Some(api);
        Ok(())
    }

    /// Forgets the wallet on this device: key and profile. The wallet itself stays with the
    /// service and its other devices.
    pub async fn forget(&mut self) -> Result<(), ClientError> {
        if let Some(profile) = &self.profile {
            let account = key_account(&profile.device_id);
            self.with_keys(move |keys| keys.delete(&account)).await?;
        }
        self.file.delete()?;
        self.profile = None;
        self.device = None;
        self.api = None;
        Ok(())
    }

    pub async fn overview(&mut self) -> Result<Overview, ClientError> {
        let live = async {
            let balance: saifu_api::Wallet = self.get(paths::WALLET).await?;
            let cards: CardList = self.get(paths::CARDS).await?;
            let history: History = self.get(paths::HISTORY).await?;
            Ok::<_, ClientError>((balance, cards.cards, history.entries))
        }
        .await;
        let profile = self.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
        match live {
            Ok((balance, cards, mut recent)) => {
                recent.truncate(RECENT);
                profile.cache = Cache {
                    balance: Some(balance),
                    cards,
                    recent,
                    saved_at: unix_now(),
                };
                let overview = overview_of(&profile.cache, true);
                self.file.save(profile)?;
                Ok(overview)
            }
            Err(ClientError::Unreachable { .. }) if profile.cache.saved_at > 0 => {
                Ok(overview_of(&profile.cache, false))
            }
            Err(error) => Err(error),
        }
    }

    pub async fn cards(&mut self) -> Result<Vec<Card>, ClientError> {
        let list: CardList = self.get(paths::CARDS).await?;
        Ok(list.cards)
    }

    pub async fn link_card(&mut self, link: LinkCard) -> Result<Card, ClientError> {
        self.send(Method::POST, paths::CARDS, Some(&link), None)
            .await
    }

    pub async fn unlink_card(&mut self, card_id: &str) -> Result<Vec<Card>, ClientError> {
        let list: CardList = self
            .send(Method::DELETE, &paths::card(card_id), None::<&()>, None)
            .await?;
        Ok(list.cards)
    }

    pub async fn top_up(
        &mut self,
        card_id: &str,
        amount: &str,
    ) -> Result<TopUpReceipt, ClientError> {
        let key = idempotency_key()?;
        let body = TopUp {
            card_id: card_id.to_owned(),
            amount: amount.trim().to_owned(),
        };
        self.send(Method::POST, paths::TOP_UPS, Some(&body), Some(&key))
            .await
    }

    /// Prices a scanned or pasted payment code; `amount` when the code carries none.
    pub async fn quote(
        &mut self,
        payload: &str,
        amount: Option<&str>,
    ) -> Result<Quote, ClientError> {
        let body = QuoteRequest {
            payload: payload.trim().to_owned(),
            amount: amount
                .map(|amount| amount.trim().to_owned())
                .filter(|a| !a.is_empty()),
        };
        self.send(Method::POST, paths::QUOTES, Some(&body), None)
            .await
    }

    /// Pays a quote once the PIN is confirmed. A wrong PIN counts towards the pause.
    pub async fn pay(
        &mut self,
        quote_id: &str,
        funding: Funding,
        pin: &Sensitive<String>,
    ) -> Result<Receipt, ClientError> {
        self.check_pin(pin)?;
        let key = idempotency_key()?;
        let body = Pay {
            quote_id: quote_id.to_owned(),
            funding,
        };
        self.send(Method::POST, paths::PAYMENTS, Some(&body), Some(&key))
            .await
    }

    /// Promotions running now: all the wallet may use, or those of one shop.
    pub async fn promotions(
        &mut self,
        merchant_id: Option<&str>,
    ) -> Result<Vec<Promotion>, ClientError> {
        let path = match merchant_id {
            Some(merchant_id) => format!("{}?merchant_id={merchant_id}", paths::PROMOTIONS),
            None => paths::PROMOTIONS.to_owned(),
        };
        let list: PromotionList = self.get(&path).await?;
        Ok(list.promotions)
    }

    /// Claims a coupon into the wallet; the next payment it fits uses it.
    pub async fn claim_coupon(&mut self, campaign_id: &str) -> Result<Coupon, ClientError> {
        let body = ClaimCoupon {
            campaign_id: campaign_id.to_owned(),
        };
        self.send(Method::POST, paths::COUPONS, Some(&body), None)
            .await
    }

    pub async fn history(&mut self, cursor: Option<&str>) -> Result<History, ClientError> {
        let path = match cursor {
            Some(cursor) => format!("{}?cursor={cursor}", paths::HISTORY),
            None => paths::HISTORY.to_owned(),
        };
        self.get(&path).await
    }

    pub async fn devices(&mut self) -> Result<Vec<Device>, ClientError> {
        let list: DeviceList = self.get(paths::DEVICES).await?;
        Ok(list.devices)
    }

    /// Locks another device of this wallet, for good.
    pub async fn lock_device(&mut self, device_id: &str) -> Result<Device, ClientError> {
        self.send(
            Method::POST,
            &paths::device_lock(device_id),
            None::<&()>,
            None,
        )
        .await
    }

    /// Adds another device to this wallet from its signed registration.
    pub async fn approve_device(
        &mut self,
        registration: &DeviceRegistration,
    ) -> Result<Device, ClientError> {
        self.send(Method::POST, paths::DEVICES, Some(registration), None)
            .await
    }

    /// The wallet's live events. Read them outside the lock on this wallet, and hand each
    /// to [`WalletApp::on_pushed`].
    pub async fn subscribe(&mut self) -> Result<EventStream, ClientError> {
        self.device().await?;
        let (Some(api), Some(device)) = (&self.api, &self.device) else {
            return Err(ClientError::NotOnboarded);
        };
        api.events(device).await
    }

    /// Acts on a pushed event: a lock of this very device wipes its key at once.
    pub async fn on_pushed(&mut self, pushed: &Pushed) -> Result<(), ClientError> {
        let locked_here = match (pushed, &self.profile) {
            (Pushed::Event(event), Some(profile)) => matches!(
                &**event,
                WalletEvent::DeviceLocked { device_id } if *device_id == profile.device_id
            ),
            _ => false,
        };
        if locked_here {
            self.wipe_locked_device().await?;
        }
        Ok(())
    }

    /// Checks the app PIN; wrong tries count towards the pause, saved at once.
    pub fn check_pin(&mut self, pin: &Sensitive<String>) -> Result<(), ClientError> {
        let profile = self.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
        let outcome = profile.pin.verify(pin, unix_now());
        // Failures count even if the app is closed right after.
        self.file.save(profile)?;
        Ok(outcome?)
    }

    async fn get<T: serde::de::DeserializeOwned>(&mut self, path: &str) -> Result<T, ClientError> {
        self.send(Method::GET, path, None::<&()>, None).await
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ClientError> {
        self.device().await?;
        let (Some(api), Some(device)) = (&self.api, &self.device) else {
            return Err(ClientError::NotOnboarded);
        };
        let outcome = api
            .signed(device, method, path, body, idempotency_key)
            .await;
        if let Err(ClientError::Service {
            code: ErrorCode::DeviceLocked,
            ..
        }) = &outcome
        {
            self.wipe_locked_device().await?;
            return Err(ClientError::DeviceLocked);
        }
        outcome
    }

    /// The service refuses this device for good: its key goes, and the app says why.
    async fn wipe_locked_device(&mut self) -> Result<(), ClientError> {
        let profile = self.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
        profile.locked = true;
        profile.cache = Cache::default();
        self.file.save(profile)?;
        let account = key_account(&profile.device_id);
        self.device = None;
        self.with_keys(move |keys| keys.delete(&account)).await
    }

    /// The device key, read from the keyring the first time it is needed.
    async fn device(&mut self) -> Result<&DeviceIdentity, ClientError> {
        let profile = self.profile.as_ref().ok_or(ClientError::NotOnboarded)?;
        if profile.locked {
            return Err(ClientError::DeviceLocked);
        }
        if self.device.is_none() {
            let device_id = profile.device_id.clone();
            let account = key_account(&device_id);
            let secret = self
                .with_keys(move |keys| keys.load(&account))
                .await?
                .ok_or(ClientError::KeyMissing)?;
            let key = DeviceSigningKey::from_base64url(secret.expose())
                .map_err(|_| ClientError::KeyMissing)?;
            self.device = Some(DeviceIdentity {
                device_id,
                key: Sensitive::new(key),
            });
        }
        self.device.as_ref().ok_or(ClientError::KeyMissing)
    }

    /// Runs a keyring call on a blocking thread: it may wait on another process.
    async fn with_keys<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn KeyStore) -> Result<T, crate::KeyStoreError> + Send + 'static,
    ) -> Result<T, ClientError> {
        let keys = self.keys.clone();
        tokio::task::spawn_blocking(move || call(keys.as_ref()))
            .await
            .map_err(|error| ClientError::Storage(error.to_string()))?
            .map_err(ClientError::from)
    }
}

fn overview_of(cache: &Cache, fresh: bool) -> Overview {
    Overview {
        balance: cache.balance.clone(),
        cards: cache.cards.clone(),
        recent: cache.recent.clone(),
        fresh,
        as_of: cache.saved_at,
    }
}
