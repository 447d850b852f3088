//! IPC handlers: one per `saifu_ipc::Command`, each taking the request as `req`. They only
//! translate: the work is saifu-client's and saifu-scan's.

use std::sync::atomic::Ordering;

use base64::Engine;
use saifu_client::{ClientError, Onboarding, Sensitive, Status, api};
use saifu_ipc::*;
use tauri::{Manager, State};

use crate::camera::Camera;
use crate::wallet::Wallet;

type Reply<T> = Result<T, IpcError>;

#[tauri::command]
pub(crate) fn app_info(req: AppInfoRequest) -> Reply<AppInfo> {
    let AppInfoRequest {} = req;
    Ok(AppInfo {
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        core_version: saifu_core::VERSION.to_owned(),
        os: std::env::consts::OS.to_owned(),
    })
}

#[tauri::command]
pub(crate) async fn status(wallet: State<'_, Wallet>, req: StatusRequest) -> Reply<AppStatus> {
    let StatusRequest {} = req;
    app_status(&wallet).await
}

#[tauri::command]
pub(crate) async fn onboard(
    app: tauri::AppHandle,
    wallet: State<'_, Wallet>,
    req: OnboardRequest,
) -> Reply<AppStatus> {
    let onboarding = Onboarding {
        service_url: req.service_url,
        device_name: req.device_name,
        home_currency: req.home_currency,
        pin: Sensitive::new(req.pin),
    };
    wallet
        .app
        .lock()
        .await
        .onboard(onboarding)
        .await
        .map_err(ipc_error)?;
    wallet.unlocked.store(true, Ordering::SeqCst);
    crate::wallet::listen(app);
    app_status(&wallet).await
}

#[tauri::command]
pub(crate) async fn forget(wallet: State<'_, Wallet>, req: ForgetRequest) -> Reply<AppStatus> {
    let ForgetRequest {} = req;
    wallet.app.lock().await.forget().await.map_err(ipc_error)?;
    wallet.unlocked.store(false, Ordering::SeqCst);
    app_status(&wallet).await
}

#[tauri::command]
pub(crate) async fn unlock(
    app: tauri::AppHandle,
    wallet: State<'_, Wallet>,
    req: UnlockRequest,
) -> Reply<AppStatus> {
    match req.pin {
        None => wallet.unlocked.store(false, Ordering::SeqCst),
        Some(pin) => {
            wallet
                .app
                .lock()
                .await
                .check_pin(&Sensitive::new(pin))
                .map_err(ipc_error)?;
            wallet.unlocked.store(true, Ordering::SeqCst);
            crate::wallet::listen(app);
        }
    }
    app_status(&wallet).await
}

#[tauri::command]
pub(crate) async fn overview(wallet: State<'_, Wallet>, req: OverviewRequest) -> Reply<Overview> {
    let OverviewRequest {} = req;
    let overview = unlocked(&wallet)?
        .lock()
        .await
        .overview()
        .await
        .map_err(ipc_error)?;
    Ok(Overview {
        has_paid: overview
            .balance
            .as_ref()
            .is_some_and(|wallet| wallet.has_paid),
        balance: overview.balance.map(|wallet| wallet.balance),
        cards: overview.cards.into_iter().map(card_view).collect(),
        recent: overview.recent.into_iter().map(activity_view).collect(),
        fresh: overview.fresh,
        as_of: overview.as_of,
    })
}

#[tauri::command]
pub(crate) async fn link_card(wallet: State<'_, Wallet>, req: LinkCardRequest) -> Reply<CardView> {
    let link = api::LinkCard {
        number: req.number,
        expiry: req.expiry,
        security_code: req.security_code,
        holder: req.holder,
    };
    let card = unlocked(&wallet)?
        .lock()
        .await
        .link_card(link)
        .await
        .map_err(ipc_error)?;
    Ok(card_view(card))
}

#[tauri::command]
pub(crate) async fn unlink_card(
    wallet: State<'_, Wallet>,
    req: UnlinkCardRequest,
) -> Reply<Vec<CardView>> {
    let cards = unlocked(&wallet)?
        .lock()
        .await
        .unlink_card(&req.card_id)
        .await
        .map_err(ipc_error)?;
    Ok(cards.into_iter().map(card_view).collect())
}

#[tauri::command]
pub(crate) async fn top_up(wallet: State<'_, Wallet>, req: TopUpRequest) -> Reply<TopUpDone> {
    let receipt = unlocked(&wallet)?
        .lock()
        .await
        .top_up(&req.card_id, &req.amount)
        .await
        .map_err(ipc_error)?;
    Ok(TopUpDone {
        amount: receipt.amount,
        balance: receipt.balance,
    })
}

#[tauri::command]
pub(crate) async fn scan_image(req: ScanImageRequest) -> Reply<ScannedCodes> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(req.image_base64.trim())
        .map_err(|_| IpcError::new(Code::NotAnImage, "the image is not base64"))?;
    // Decoding a photo takes tens of milliseconds: off the async workers.
    let decoded = tauri::async_runtime::spawn_blocking(move || saifu_scan::decode_bytes(&bytes))
        .await
        .map_err(|error| IpcError::new(Code::Internal, error.to_string()))?
        .map_err(|_| IpcError::new(Code::NotAnImage, "not a PNG, JPEG or WebP image"))?;
    if decoded.is_empty() {
        return Err(IpcError::new(Code::NoCode, "no code in the image"));
    }
    Ok(ScannedCodes {
        payloads: decoded.into_iter().map(|code| code.text).collect(),
    })
}

#[tauri::command]
pub(crate) async fn quote(wallet: State<'_, Wallet>, req: QuoteRequest) -> Reply<QuoteView> {
    let quote = unlocked(&wallet)?
        .lock()
        .await
        .quote(&req.payload, req.amount.as_deref())
        .await
        .map_err(ipc_error)?;
    Ok(QuoteView {
        quote_id: quote.quote_id,
        merchant_name: quote.merchant.name,
        merchant_local: quote.merchant.local,
        merchant_city: quote.merchant.city,
        merchant_country: quote.merchant.country,
        price: quote.price,
        rate: quote.rate.map(rate_view).transpose()?,
        expires_at: quote.expires_at,
        offers: quote
            .offers
            .into_iter()
            .map(|offer| OfferView {
                card: offer.card.map(card_view),
                funding: funding_choice(offer.funding),
                discount: offer.discount,
                applied: offer.applied.into_iter().map(applied_view).collect(),
                pay: offer.pay,
            })
            .collect(),
    })
}

#[tauri::command]
pub(crate) async fn pay(wallet: State<'_, Wallet>, req: PayRequest) -> Reply<ReceiptView> {
    let funding = match req.funding {
        FundingChoice::Balance => api::Funding::Balance,
        FundingChoice::Card { card_id } => api::Funding::Card { card_id },
    };
    let receipt = unlocked(&wallet)?
        .lock()
        .await
        .pay(&req.quote_id, funding, &Sensitive::new(req.pin))
        .await
        .map_err(ipc_error)?;
    Ok(ReceiptView {
        payment_id: receipt.payment_id,
        merchant_name: receipt.merchant_name,
        merchant_local: receipt.merchant_local,
        merchant_city: receipt.merchant_city,
        price: receipt.price,
        discount: receipt.discount,
        applied: receipt.applied.into_iter().map(applied_view).collect(),
        paid: receipt.paid,
        rate: receipt.rate.map(rate_view).transpose()?,
        funding: funding_choice(receipt.funding),
        created_at: receipt.created_at,
    })
}

#[tauri::command]
pub(crate) async fn promotions(
    wallet: State<'_, Wallet>,
    req: PromotionsRequest,
) -> Reply<Vec<PromotionView>> {
    let PromotionsRequest {} = req;
    let promotions = unlocked(&wallet)?
        .lock()
        .await
        .promotions(None)
        .await
        .map_err(ipc_error)?;
    Ok(promotions
        .into_iter()
        .map(|promotion| PromotionView {
            campaign_id: promotion.campaign_id,
            name: promotion.name,
            names: promotion.names,
            funder: funder(promotion.funder),
            reward: reward_view(promotion.reward),
            brands: promotion.brands,
            ends_at: promotion.window.ends_at,
            coupon: promotion.coupon,
            coupon_held: promotion.coupon_held,
        })
        .collect())
}

#[tauri::command]
pub(crate) async fn claim_coupon(
    wallet: State<'_, Wallet>,
    req: ClaimCouponRequest,
) -> Reply<CouponView> {
    let coupon = unlocked(&wallet)?
        .lock()
        .await
        .claim_coupon(&req.campaign_id)
        .await
        .map_err(ipc_error)?;
    Ok(CouponView {
        name: coupon.name,
        expires_at: coupon.expires_at,
    })
}

#[tauri::command]
pub(crate) async fn history(wallet: State<'_, Wallet>, req: HistoryRequest) -> Reply<HistoryPage> {
    let page = unlocked(&wallet)?
        .lock()
        .await
        .history(req.cursor.as_deref())
        .await
        .map_err(ipc_error)?;
    Ok(HistoryPage {
        entries: page.entries.into_iter().map(activity_view).collect(),
        next_cursor: page.next_cursor,
    })
}

#[tauri::command]
pub(crate) async fn devices(
    wallet: State<'_, Wallet>,
    req: DevicesRequest,
) -> Reply<Vec<DeviceView>> {
    let DevicesRequest {} = req;
    let devices = unlocked(&wallet)?
        .lock()
        .await
        .devices()
        .await
        .map_err(ipc_error)?;
    Ok(devices.into_iter().map(device_view).collect())
}

#[tauri::command]
pub(crate) async fn lock_device(
    wallet: State<'_, Wallet>,
    req: LockDeviceRequest,
) -> Reply<DeviceView> {
    let device = unlocked(&wallet)?
        .lock()
        .await
        .lock_device(&req.device_id)
        .await
        .map_err(ipc_error)?;
    Ok(device_view(device))
}

#[tauri::command]
pub(crate) fn notify(app: tauri::AppHandle, req: NotifyRequest) -> Reply<()> {
    use tauri_plugin_notification::NotificationExt;
    // No notification service (a bare desktop session) is no reason to fail the UI.
    if let Err(error) = app
        .notification()
        .builder()
        .title(req.title)
        .body(req.body)
        .show()
    {
        tracing::info!(%error, "notification not shown");
    }
    Ok(())
}

#[tauri::command]
pub(crate) async fn camera_start(
    app: tauri::AppHandle,
    req: CameraStartRequest,
    events: tauri::ipc::Channel<CameraEvent>,
) -> Reply<()> {
    let CameraStartRequest {} = req;
    // Opening a camera waits for its first frame: off the async workers.
    tauri::async_runtime::spawn_blocking(move || app.state::<Camera>().start(events))
        .await
        .map_err(|error| IpcError::new(Code::Internal, error.to_string()))
}

#[tauri::command]
pub(crate) async fn camera_stop(app: tauri::AppHandle, req: CameraStopRequest) -> Reply<()> {
    let CameraStopRequest {} = req;
    tauri::async_runtime::spawn_blocking(move || app.state::<Camera>().stop())
        .await
        .map_err(|error| IpcError::new(Code::Internal, error.to_string()))
}

async fn app_status(wallet: &Wallet) -> Reply<AppStatus> {
    let mut app = wallet.app.lock().await;
    let stage = match app.status().await.map_err(ipc_error)? {
        Status::Welcome => Stage::Welcome,
        Status::KeyMissing => Stage::KeyMissing,
        Status::DeviceLocked => Stage::DeviceLocked,
        Status::Ready if wallet.unlocked.load(Ordering::SeqCst) => Stage::Ready,
        Status::Ready => Stage::Locked,
    };
    let profile = app.profile();
    Ok(AppStatus {
        stage,
        service_url: profile.map_or_else(
            || wallet.default_service_url.clone(),
            |profile| profile.service_url.clone(),
        ),
        device_name: profile.map(|profile| profile.device_name.clone()),
        keyring_ready: app.keyring_ready(),
    })
}

/// The wallet, once the PIN opened the app this session.
fn unlocked<'a>(
    wallet: &'a State<'_, Wallet>,
) -> Reply<&'a tokio::sync::Mutex<saifu_client::WalletApp>> {
    if wallet.unlocked.load(Ordering::SeqCst) {
        Ok(&wallet.app)
    } else {
        Err(IpcError::new(Code::AppLocked, "the app is locked"))
    }
}

/// The UI words the code; what the client said is logged here, for whoever reads the log.
fn ipc_error(error: ClientError) -> IpcError {
    let code = error.code();
    tracing::info!(?code, %error, "refused");
    IpcError::new(code, error.to_string()).with_detail(error.detail())
}

fn rate_view(rate: api::RateShown) -> Reply<RateView> {
    Ok(RateView {
        rate: rate
            .exchange_rate()
            .map_err(|error| IpcError::new(Code::Protocol, error.to_string()))?,
        as_of: rate.as_of,
    })
}

fn funding_choice(funding: api::Funding) -> FundingChoice {
    match funding {
        api::Funding::Balance => FundingChoice::Balance,
        api::Funding::Card { card_id } => FundingChoice::Card { card_id },
    }
}

fn funder(funder: api::Funder) -> Funder {
    match funder {
        api::Funder::Merchant => Funder::Merchant,
        api::Funder::Issuer => Funder::Issuer,
        api::Funder::Operator => Funder::Operator,
    }
}

fn applied_view(applied: api::AppliedPromotion) -> AppliedView {
    AppliedView {
        name: applied.name,
        names: applied.names,
        funder: funder(applied.funder),
        saving: applied.saving,
        coupon: applied.coupon_id.is_some(),
    }
}

fn reward_view(reward: api::Reward) -> RewardView {
    match reward {
        api::Reward::PercentOff { basis_points, cap } => {
            RewardView::PercentOff { basis_points, cap }
        }
        api::Reward::AmountOff { off } => RewardView::AmountOff { off },
        api::Reward::ThresholdOff { spend, off } => RewardView::ThresholdOff { spend, off },
        api::Reward::RandomOff { min, max } => RewardView::RandomOff { min, max },
        api::Reward::FirstPaymentBonus { off } => RewardView::FirstPaymentBonus { off },
    }
}

fn card_view(card: api::Card) -> CardView {
    CardView {
        card_id: card.card_id,
        brand: card.brand,
        issuer: card.issuer,
        last4: card.last4,
        expiry: card.expiry,
    }
}

fn activity_view(activity: api::Activity) -> ActivityView {
    ActivityView {
        activity_id: activity.activity_id,
        kind: match activity.kind {
            api::ActivityKind::Payment => ActivityKind::Payment,
            api::ActivityKind::TopUp => ActivityKind::TopUp,
        },
        reference: activity.reference,
        merchant_local: activity
            .merchant
            .as_ref()
            .and_then(|merchant| merchant.local.clone()),
        merchant: activity.merchant.map(|merchant| merchant.name),
        card: activity.card.map(|card| ActivityCardView {
            brand: card.brand,
            issuer: card.issuer,
            last4: card.last4,
        }),
        amount: activity.amount,
        created_at: activity.created_at,
    }
}

fn device_view(device: api::Device) -> DeviceView {
    DeviceView {
        device_id: device.device_id,
        device_name: device.device_name,
        registered_at: device.registered_at,
        locked_at: device.locked_at,
        this_device: device.this_device,
    }
}
