//! The wallet as the app uses it: onboarding, money, payments and devices, each a method
//! that signs with the device key from the keyring, keeps the offline cache fresh and
//! answers with what the screen shows.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use saifu_api::{
    AnswerPayCode, CardList, Challenge, ClaimCoupon, CreateWallet, DeviceList, DeviceRegistration,
    History, LinkCard, Pay, PayCodeAnswered, PayCodeGrant, PayCodeSettings, PromotionList,
    QuoteRequest, RecoverySheet, ResumeWallet, TopUp, WalletCreated, paths,
};
use saifu_core::auth::{self, DeviceSigningKey};
use saifu_core::code::Code;
use saifu_core::draw;
use saifu_core::money::{Currency, Money};
use saifu_core::paycode::{self, PayCodeKey};
use saifu_ipc::{
    AppStatus, CardView, CouponView, DeviceView, FundingChoice, HistoryPage, LinkCardRequest,
    OnboardRequest, Overview, PayCodeSettingsRequest, PayCodeView, PromotionView, QuoteView,
    ReceiptView, RecoverySheetView, Stage, TopUpDone,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::http::{Api, DeviceIdentity, EventStream, Pushed, idempotency_key, unix_now};
use crate::keys::KeyStore;
use crate::pin::{PinRecord, check_new_pin};
use crate::profile::{Cache, Profile, ProfileFile};
use crate::{ClientError, Sensitive, views};

/// Recent activity kept for the home screen and offline display.
const RECENT: usize = 20;

/// What onboarding asks for.
#[derive(Debug)]
pub struct Onboarding {
    pub service_url: String,
    pub device_name: String,
    pub home_currency: Currency,
    pub pin: Sensitive<String>,
}

impl From<OnboardRequest> for Onboarding {
    fn from(request: OnboardRequest) -> Onboarding {
        Onboarding {
            service_url: request.service_url,
            device_name: request.device_name,
            home_currency: request.home_currency,
            pin: Sensitive::new(request.pin),
        }
    }
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

/// Where the device's pay-code key is kept, as `NUMBER.KEY` (the key in base64url).
fn pay_code_account(device_id: &str) -> String {
    format!("pay-code/{device_id}")
}

fn pay_code_secret(number: u32, key: &str) -> Sensitive<String> {
    Sensitive::new(format!("{number}.{key}"))
}

fn read_pay_code_secret(secret: &Sensitive<String>) -> Option<(u32, PayCodeKey)> {
    let (number, key) = secret.expose().split_once('.')?;
    let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(key).ok()?.try_into().ok()?;
    Some((number.parse().ok()?, PayCodeKey::from_bytes(bytes)))
}

/// One wallet on this device. Every method takes `&self` and may run beside any other: the
/// state is locked only between requests, never across one, so a slow refresh never holds
/// up a payment.
pub struct WalletApp {
    file: ProfileFile,
    keys: Arc<dyn KeyStore>,
    /// The service onboarding proposes.
    default_service_url: String,
    state: Mutex<State>,
    /// Onboarding and forgetting, one at a time.
    setup: tokio::sync::Mutex<()>,
    /// Set by the right PIN, cleared by [`WalletApp::lock`]; every start begins locked.
    unlocked: AtomicBool,
}

#[derive(Default)]
struct State {
    profile: Option<Profile>,
    /// The device key, read from the keyring the first time it is needed.
    device: Option<Arc<DeviceIdentity>>,
    api: Option<Api>,
    /// The recovery sheet made with the wallet, until the user saves it; never on disk.
    recovery: Option<RecoverySheet>,
}

impl WalletApp {
    /// Opens the wallet kept in `dir`, if there is one; onboarding proposes
    /// `default_service_url`.
    pub fn open(
        dir: &Path,
        keys: Arc<dyn KeyStore>,
        default_service_url: impl Into<String>,
    ) -> Result<WalletApp, ClientError> {
        let file = ProfileFile::in_dir(dir);
        let profile = file.load()?;
        let api = match &profile {
            Some(profile) => Some(Api::new(&profile.service_url)?),
            None => None,
        };
        Ok(WalletApp {
            file,
            keys,
            default_service_url: default_service_url.into(),
            state: Mutex::new(State {
                profile,
                device: None,
                api,
                recovery: None,
            }),
            setup: tokio::sync::Mutex::new(()),
            unlocked: AtomicBool::new(false),
        })
    }

    /// What the profile on disk holds now.
    pub fn profile(&self) -> Option<Profile> {
        self.state().profile.clone()
    }

    /// Where the app stands. Reads the keyring, so the answer is what it holds now.
    pub async fn status(&self) -> Result<AppStatus, ClientError> {
        let stage = match self.device().await {
            Ok(_)
                if self
                    .state()
                    .profile
                    .as_ref()
                    .is_some_and(|profile| profile.suspended) =>
            {
                Stage::Suspended
            }
            Ok(_) if self.unlocked.load(Ordering::SeqCst) => Stage::Ready,
            Ok(_) => Stage::Locked,
            Err(ClientError::NotOnboarded) => Stage::Welcome,
            Err(ClientError::DeviceLocked) => Stage::DeviceLocked,
            Err(ClientError::KeyMissing) => Stage::KeyMissing,
            Err(error) => return Err(error),
        };
        let state = self.state();
        let profile = state.profile.as_ref();
        Ok(AppStatus {
            stage,
            service_url: profile.map_or_else(
                || self.default_service_url.clone(),
                |profile| profile.service_url.clone(),
            ),
            device_name: profile.map(|profile| profile.device_name.clone()),
            keyring_ready: self.keys.unavailable().is_none(),
        })
    }

    /// Creates a wallet with this device: a new key into the keyring, registered with the
    /// service, and the PIN's hash kept here. The app is unlocked after.
    pub async fn onboard(&self, onboarding: Onboarding) -> Result<AppStatus, ClientError> {
        let _setup = self.setup.lock().await;
        if self
            .state()
            .profile
            .as_ref()
            .is_some_and(|profile| !profile.locked)
        {
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
            pay_code: None,
            recovery_saved: false,
            suspended: false,
            cache: Cache::default(),
        };
        self.file.save(&profile)?;
        // A previous, locked wallet's profile is replaced; its key is gone already.
        *self.state() = State {
            profile: Some(profile),
            device: Some(Arc::new(DeviceIdentity {
                device_id: created.device_id,
                key: Sensitive::new(key),
            })),
            api: Some(api),
            recovery: Some(created.recovery),
        };
        self.unlocked.store(true, Ordering::SeqCst);
        // The pay code's key comes with registration; if it cannot be had now, the pay
        // code screen asks for it the next time it opens online.
        if let Err(error) = self.fetch_pay_code().await {
            tracing::warn!(code = ?error.code(), "no pay code yet");
        }
        self.status().await
    }

    /// Forgets the wallet on this device: key and profile. The wallet itself stays with the
    /// service and its other devices.
    pub async fn forget(&self) -> Result<AppStatus, ClientError> {
        let _setup = self.setup.lock().await;
        let device_id = self
            .state()
            .profile
            .as_ref()
            .map(|profile| profile.device_id.clone());
        if let Some(device_id) = device_id {
            let accounts = [key_account(&device_id), pay_code_account(&device_id)];
            self.with_keys(move |keys| {
                accounts.iter().try_for_each(|account| keys.delete(account))
            })
            .await?;
        }
        self.file.delete()?;
        *self.state() = State::default();
        self.unlocked.store(false, Ordering::SeqCst);
        self.status().await
    }

    /// Opens the app for this session with the PIN; wrong tries count towards the pause.
    pub fn unlock(&self, pin: &Sensitive<String>) -> Result<(), ClientError> {
        self.check_pin(pin)?;
        self.unlocked.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Closes the app until the PIN is given again.
    pub fn lock(&self) {
        self.unlocked.store(false, Ordering::SeqCst);
    }

    /// Balance, cards and recent activity: live, or the last saved marked as not fresh.
    pub async fn overview(&self) -> Result<Overview, ClientError> {
        let live = tokio::try_join!(
            self.get::<saifu_api::Wallet>(paths::WALLET),
            self.get::<CardList>(paths::CARDS),
            self.get::<History>(paths::HISTORY),
        );
        let mut state = self.state();
        let profile = state.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
        match live {
            Ok((balance, cards, mut history)) => {
                history.entries.truncate(RECENT);
                profile.cache = Cache {
                    balance: Some(balance),
                    cards: cards.cards,
                    recent: history.entries,
                    saved_at: unix_now(),
                };
                self.file.save(profile)?;
                Ok(overview_of(profile, true))
            }
            Err(ClientError::Unreachable { .. }) if profile.cache.saved_at > 0 => {
                Ok(overview_of(profile, false))
            }
            Err(error) => Err(error),
        }
    }

    pub async fn link_card(&self, link: LinkCardRequest) -> Result<CardView, ClientError> {
        let link = LinkCard {
            number: link.number,
            expiry: link.expiry,
            security_code: link.security_code,
            holder: link.holder,
        };
        let card = self
            .send(Method::POST, paths::CARDS, Some(&link), None)
            .await?;
        Ok(views::card(card))
    }

    pub async fn unlink_card(&self, card_id: &str) -> Result<Vec<CardView>, ClientError> {
        let list: CardList = self
            .send(Method::DELETE, &paths::card(card_id), None::<&()>, None)
            .await?;
        Ok(list.cards.into_iter().map(views::card).collect())
    }

    pub async fn top_up(&self, card_id: &str, amount: &str) -> Result<TopUpDone, ClientError> {
        let key = idempotency_key()?;
        let body = TopUp {
            card_id: card_id.to_owned(),
            amount: amount.trim().to_owned(),
        };
        let receipt = self
            .send(Method::POST, paths::TOP_UPS, Some(&body), Some(&key))
            .await?;
        Ok(views::top_up(receipt))
    }

    /// Prices a scanned or pasted payment code; `amount` when the code carries none.
    pub async fn quote(
        &self,
        payload: &str,
        amount: Option<&str>,
    ) -> Result<QuoteView, ClientError> {
        let body = QuoteRequest {
            payload: payload.trim().to_owned(),
            amount: amount
                .map(|amount| amount.trim().to_owned())
                .filter(|a| !a.is_empty()),
        };
        let quote = self
            .send(Method::POST, paths::QUOTES, Some(&body), None)
            .await?;
        views::quote(quote)
    }

    /// Pays a quote once the PIN is confirmed. A wrong PIN counts towards the pause.
    pub async fn pay(
        &self,
        quote_id: &str,
        funding: FundingChoice,
        pin: &Sensitive<String>,
    ) -> Result<ReceiptView, ClientError> {
        self.ensure_unlocked()?;
        self.check_pin(pin)?;
        let key = idempotency_key()?;
        let body = Pay {
            quote_id: quote_id.to_owned(),
            funding: views::funding(funding),
        };
        let receipt = self
            .send(Method::POST, paths::PAYMENTS, Some(&body), Some(&key))
            .await?;
        views::receipt(receipt)
    }

    /// Promotions running now that the wallet may use.
    pub async fn promotions(&self) -> Result<Vec<PromotionView>, ClientError> {
        let list: PromotionList = self.get(paths::PROMOTIONS).await?;
        Ok(list.promotions.into_iter().map(views::promotion).collect())
    }

    /// Claims a coupon into the wallet; the next payment it fits uses it.
    pub async fn claim_coupon(&self, campaign_id: &str) -> Result<CouponView, ClientError> {
        let body = ClaimCoupon {
            campaign_id: campaign_id.to_owned(),
        };
        let coupon = self
            .send(Method::POST, paths::COUPONS, Some(&body), None)
            .await?;
        Ok(views::coupon(coupon))
    }

    pub async fn history(&self, cursor: Option<&str>) -> Result<HistoryPage, ClientError> {
        let path = match cursor {
            Some(cursor) => format!("{}?cursor={cursor}", paths::HISTORY),
            None => paths::HISTORY.to_owned(),
        };
        Ok(views::history(self.get(&path).await?))
    }

    pub async fn devices(&self) -> Result<Vec<DeviceView>, ClientError> {
        let list: DeviceList = self.get(paths::DEVICES).await?;
        Ok(list.devices.into_iter().map(views::device).collect())
    }

    /// Locks another device of this wallet, for good.
    pub async fn lock_device(&self, device_id: &str) -> Result<DeviceView, ClientError> {
        let device = self
            .send(
                Method::POST,
                &paths::device_lock(device_id),
                None::<&()>,
                None,
            )
            .await?;
        Ok(views::device(device))
    }

    /// Adds another device to this wallet from its signed registration.
    pub async fn approve_device(
        &self,
        registration: &DeviceRegistration,
    ) -> Result<DeviceView, ClientError> {
        let device = self
            .send(Method::POST, paths::DEVICES, Some(registration), None)
            .await?;
        Ok(views::device(device))
    }

    /// This device's pay code now, made here from the key in the keyring with no network;
    /// the key is fetched once if the keyring has none yet.
    pub async fn pay_code(&self) -> Result<PayCodeView, ClientError> {
        self.ensure_unlocked()?;
        let device_id = self
            .state()
            .profile
            .as_ref()
            .map(|profile| profile.device_id.clone())
            .ok_or(ClientError::NotOnboarded)?;
        let account = pay_code_account(&device_id);
        let kept = self.with_keys(move |keys| keys.load(&account)).await?;
        let (number, key) = match kept.as_ref().and_then(read_pay_code_secret) {
            Some(kept) => kept,
            None => self.fetch_pay_code().await?,
        };
        let now = unix_now();
        let code = paycode::make(&key, number, now)
            .map_err(|error| ClientError::Protocol(error.to_string()))?;
        let settings = self
            .state()
            .profile
            .as_ref()
            .and_then(|profile| profile.pay_code.clone())
            .ok_or(ClientError::PayCodeMissing)?;
        Ok(PayCodeView {
            qr_svg: draw::qr_svg(&code, "QR").unwrap_or_default(),
            barcode_svg: draw::code128_svg(&code, "Code 128").unwrap_or_default(),
            code,
            expires_at: (paycode::step(now) + 1) * paycode::STEP_SECONDS,
            settings: views::pay_code_settings(settings),
        })
    }

    /// Asks the service for this device's pay-code key and keeps it in the keyring.
    async fn fetch_pay_code(&self) -> Result<(u32, PayCodeKey), ClientError> {
        let grant: PayCodeGrant = self
            .send(Method::POST, paths::PAY_CODE, None::<&()>, None)
            .await
            .map_err(|error| match error {
                ClientError::Unreachable { .. } => ClientError::PayCodeMissing,
                other => other,
            })?;
        let secret = pay_code_secret(grant.device_number, &grant.key);
        let kept = read_pay_code_secret(&secret)
            .ok_or_else(|| ClientError::Protocol("a pay-code key is not 32 bytes".into()))?;
        let account = {
            let mut state = self.state();
            let profile = state.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
            profile.pay_code = Some(grant.settings.clone());
            self.file.save(profile)?;
            pay_code_account(&profile.device_id)
        };
        self.with_keys(move |keys| keys.save(&account, &secret))
            .await?;
        Ok(kept)
    }

    /// How the pay code pays, and up to what amount without the PIN.
    pub async fn set_pay_code_settings(
        &self,
        request: PayCodeSettingsRequest,
    ) -> Result<PayCodeView, ClientError> {
        let currency = self
            .state()
            .profile
            .as_ref()
            .map(|profile| profile.home_currency)
            .ok_or(ClientError::NotOnboarded)?;
        let limit = Money::parse_typed(&request.no_pin_limit, currency)
            .map_err(|error| ClientError::invalid(Code::AmountOutOfRange, error.to_string()))?;
        let body = PayCodeSettings {
            funding: views::funding(request.funding),
            fallback_card_id: request.fallback_card_id,
            no_pin_limit: limit,
        };
        let settings: PayCodeSettings = self
            .send(Method::PUT, paths::PAY_CODE_SETTINGS, Some(&body), None)
            .await?;
        {
            let mut state = self.state();
            let profile = state.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
            profile.pay_code = Some(settings);
            self.file.save(profile)?;
        }
        self.pay_code().await
    }

    /// Answers a till's charge of the pay code above the no-PIN limit: approving takes the
    /// PIN (a wrong one counts towards the pause); the receipt when paid.
    pub async fn answer_charge(
        &self,
        charge_id: &str,
        approve: bool,
        pin: Option<&Sensitive<String>>,
    ) -> Result<Option<ReceiptView>, ClientError> {
        self.ensure_unlocked()?;
        if approve {
            self.check_pin(pin.ok_or(ClientError::Pin(crate::pin::PinError::BadFormat))?)?;
        }
        let answered: PayCodeAnswered = self
            .send(
                Method::POST,
                &paths::pay_code_charge(charge_id),
                Some(&AnswerPayCode { approve }),
                None,
            )
            .await?;
        answered
            .receipt
            .map(|receipt| views::receipt(*receipt))
            .transpose()
    }

    /// The wallet's live events; read them with [`WalletApp::next_event`].
    pub async fn events(&self) -> Result<EventStream, ClientError> {
        let (api, device) = self.device().await?;
        api.events(&device).await
    }

    /// The next event of `stream` as the UI shows it, once acted on: a lock of this very
    /// device wipes its key at once. `None` when the service closed the stream.
    pub async fn next_event(
        &self,
        stream: &mut EventStream,
    ) -> Result<Option<saifu_ipc::Pushed>, ClientError> {
        let this_device = self
            .state()
            .profile
            .as_ref()
            .map(|profile| profile.device_id.clone());
        let shown = loop {
            let event = match stream.next().await? {
                None => return Ok(None),
                Some(Pushed::Missed) => return Ok(Some(saifu_ipc::Pushed::Missed)),
                Some(Pushed::Event(event)) => *event,
            };
            // Another device's charges to confirm are that device's alone.
            if let Some(shown) = views::pushed(event, this_device.as_deref()) {
                break shown;
            }
        };
        match shown {
            saifu_ipc::Pushed::DeviceLocked { this_device: true } => {
                self.wipe_locked_device().await?
            }
            saifu_ipc::Pushed::WalletSuspended => self.mark_suspended(true)?,
            saifu_ipc::Pushed::WalletResumed => self.mark_suspended(false)?,
            _ => {}
        }
        Ok(Some(shown))
    }

    /// Checks the app PIN; wrong tries count towards the pause, saved at once.
    fn check_pin(&self, pin: &Sensitive<String>) -> Result<(), ClientError> {
        let mut state = self.state();
        let profile = state.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
        let outcome = profile.pin.verify(pin, unix_now());
        // Failures count even if the app is closed right after.
        self.file.save(profile)?;
        Ok(outcome?)
    }

    fn ensure_unlocked(&self) -> Result<(), ClientError> {
        if self.unlocked.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(ClientError::AppLocked)
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.send(Method::GET, path, None::<&()>, None).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + Sync)>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ClientError> {
        self.ensure_unlocked()?;
        let (api, device) = self.device().await?;
        let outcome = api
            .signed(&device, method, path, body, idempotency_key)
            .await;
        match &outcome {
            Err(ClientError::Service {
                code: Code::DeviceLocked,
                ..
            }) => {
                self.wipe_locked_device().await?;
                return Err(ClientError::DeviceLocked);
            }
            Err(ClientError::Service {
                code: Code::WalletSuspended,
                ..
            }) => self.mark_suspended(true)?,
            _ => {}
        }
        outcome
    }

    /// Keeps what the service said of the wallet's suspension, for the next start too.
    fn mark_suspended(&self, suspended: bool) -> Result<(), ClientError> {
        let mut state = self.state();
        let profile = state.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
        if profile.suspended != suspended {
            profile.suspended = suspended;
            self.file.save(profile)?;
        }
        Ok(())
    }

    /// The recovery sheet: the one made with the wallet while this run has it, else new
    /// codes from the service (the old ones stop working).
    pub async fn recovery_sheet(&self) -> Result<RecoverySheetView, ClientError> {
        self.ensure_unlocked()?;
        let kept = self.state().recovery.clone();
        let sheet = match kept {
            Some(sheet) => sheet,
            None => {
                let sheet: RecoverySheet = self
                    .send(Method::POST, paths::RECOVERY_SHEET, None::<&()>, None)
                    .await?;
                self.state().recovery = Some(sheet.clone());
                sheet
            }
        };
        let lock_page = {
            let state = self.state();
            let api = state.api.as_ref().ok_or(ClientError::NotOnboarded)?;
            format!("{}{}", api.base(), paths::LOCK_PAGE)
        };
        Ok(RecoverySheetView {
            lock_code: sheet.lock_code,
            recovery_code: sheet.recovery_code,
            lock_page,
        })
    }

    /// The user saved the recovery sheet: this run forgets its codes, and Home stops asking.
    pub fn recovery_saved(&self) -> Result<(), ClientError> {
        let mut state = self.state();
        state.recovery = None;
        let profile = state.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
        profile.recovery_saved = true;
        self.file.save(profile)
    }

    /// Lifts the wallet's suspension with the recovery code from the sheet.
    pub async fn resume(&self, recovery_code: &str) -> Result<AppStatus, ClientError> {
        let body = ResumeWallet {
            recovery_code: recovery_code.trim().to_owned(),
        };
        let (api, device) = self.device().await?;
        let _: saifu_api::Wallet = api
            .signed(&device, Method::POST, paths::RESUME, Some(&body), None)
            .await?;
        self.mark_suspended(false)?;
        self.status().await
    }

    /// The service refuses this device for good: its key goes, and the app says why.
    async fn wipe_locked_device(&self) -> Result<(), ClientError> {
        let account = {
            let mut state = self.state();
            state.device = None;
            let profile = state.profile.as_mut().ok_or(ClientError::NotOnboarded)?;
            profile.locked = true;
            profile.cache = Cache::default();
            self.file.save(profile)?;
            [
                key_account(&profile.device_id),
                pay_code_account(&profile.device_id),
            ]
        };
        self.with_keys(move |keys| account.iter().try_for_each(|account| keys.delete(account)))
            .await
    }

    /// The service's client and this device's key, read from the keyring the first time.
    async fn device(&self) -> Result<(Api, Arc<DeviceIdentity>), ClientError> {
        let (api, device_id) = {
            let state = self.state();
            let profile = state.profile.as_ref().ok_or(ClientError::NotOnboarded)?;
            if profile.locked {
                return Err(ClientError::DeviceLocked);
            }
            let api = state.api.clone().ok_or(ClientError::NotOnboarded)?;
            if let Some(device) = &state.device {
                return Ok((api, device.clone()));
            }
            (api, profile.device_id.clone())
        };
        let account = key_account(&device_id);
        let secret = self
            .with_keys(move |keys| keys.load(&account))
            .await?
            .ok_or(ClientError::KeyMissing)?;
        let key = DeviceSigningKey::from_base64url(secret.expose())
            .map_err(|_| ClientError::KeyMissing)?;
        let device = Arc::new(DeviceIdentity {
            device_id: device_id.clone(),
            key: Sensitive::new(key),
        });
        let mut state = self.state();
        // Forgotten, replaced or locked while the keyring answered: this key is not to be used.
        match &state.profile {
            Some(profile) if profile.device_id == device_id && !profile.locked => {
                state.device = Some(device.clone());
                Ok((api, device))
            }
            Some(profile) if profile.locked => Err(ClientError::DeviceLocked),
            _ => Err(ClientError::NotOnboarded),
        }
    }

    /// The state, between two awaits only: the guard cannot cross one.
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held leaves plain data, still whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
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

fn overview_of(profile: &Profile, fresh: bool) -> Overview {
    let cache = &profile.cache;
    Overview {
        recovery_saved: profile.recovery_saved,
        has_paid: cache.balance.as_ref().is_some_and(|wallet| wallet.has_paid),
        balance: cache.balance.as_ref().map(|wallet| wallet.balance),
        cards: cache.cards.iter().cloned().map(views::card).collect(),
        recent: cache.recent.iter().cloned().map(views::activity).collect(),
        fresh,
        as_of: cache.saved_at,
    }
}
