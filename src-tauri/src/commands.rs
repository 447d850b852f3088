//! IPC handlers: one per `saifu_ipc::Command`, each taking the request as `req`. They only
//! translate: the work is saifu-client's and saifu-scan's.

use base64::Engine;
use saifu_client::{ClientError, Sensitive};
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
    wallet.app.status().await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn onboard(
    app: tauri::AppHandle,
    wallet: State<'_, Wallet>,
    req: OnboardRequest,
) -> Reply<AppStatus> {
    let status = wallet.app.onboard(req.into()).await.map_err(refused)?;
    crate::wallet::listen(app);
    Ok(status)
}

#[tauri::command]
pub(crate) async fn forget(wallet: State<'_, Wallet>, req: ForgetRequest) -> Reply<AppStatus> {
    let ForgetRequest {} = req;
    wallet.app.forget().await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn unlock(
    app: tauri::AppHandle,
    wallet: State<'_, Wallet>,
    req: UnlockRequest,
) -> Reply<AppStatus> {
    match req.pin {
        None => wallet.app.lock(),
        Some(pin) => {
            wallet.app.unlock(&Sensitive::new(pin)).map_err(refused)?;
            crate::wallet::listen(app);
        }
    }
    wallet.app.status().await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn overview(wallet: State<'_, Wallet>, req: OverviewRequest) -> Reply<Overview> {
    let OverviewRequest {} = req;
    wallet.app.overview().await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn link_card(wallet: State<'_, Wallet>, req: LinkCardRequest) -> Reply<CardView> {
    wallet.app.link_card(req).await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn unlink_card(
    wallet: State<'_, Wallet>,
    req: UnlinkCardRequest,
) -> Reply<Vec<CardView>> {
    wallet.app.unlink_card(&req.card_id).await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn top_up(wallet: State<'_, Wallet>, req: TopUpRequest) -> Reply<TopUpDone> {
    let app = &wallet.app;
    app.top_up(&req.card_id, &req.amount).await.map_err(refused)
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
    let amount = req.amount.as_deref();
    wallet
        .app
        .quote(&req.payload, amount)
        .await
        .map_err(refused)
}

#[tauri::command]
pub(crate) async fn pay(wallet: State<'_, Wallet>, req: PayRequest) -> Reply<ReceiptView> {
    let pin = Sensitive::new(req.pin);
    wallet
        .app
        .pay(&req.quote_id, req.funding, &pin)
        .await
        .map_err(refused)
}

#[tauri::command]
pub(crate) async fn recovery_sheet(
    wallet: State<'_, Wallet>,
    req: RecoverySheetRequest,
) -> Reply<RecoverySheetView> {
    let RecoverySheetRequest {} = req;
    wallet.app.recovery_sheet().await.map_err(refused)
}

#[tauri::command]
pub(crate) fn recovery_saved(wallet: State<'_, Wallet>, req: RecoverySavedRequest) -> Reply<()> {
    let RecoverySavedRequest {} = req;
    wallet.app.recovery_saved().map_err(refused)
}

#[tauri::command]
pub(crate) async fn resume(wallet: State<'_, Wallet>, req: ResumeRequest) -> Reply<AppStatus> {
    wallet.app.resume(&req.recovery_code).await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn pay_code(wallet: State<'_, Wallet>, req: PayCodeRequest) -> Reply<PayCodeView> {
    let PayCodeRequest {} = req;
    wallet.app.pay_code().await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn pay_code_settings(
    wallet: State<'_, Wallet>,
    req: PayCodeSettingsRequest,
) -> Reply<PayCodeView> {
    wallet.app.set_pay_code_settings(req).await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn answer_charge(
    wallet: State<'_, Wallet>,
    req: AnswerChargeRequest,
) -> Reply<Option<ReceiptView>> {
    let pin = req.pin.map(Sensitive::new);
    wallet
        .app
        .answer_charge(&req.charge_id, req.approve, pin.as_ref())
        .await
        .map_err(refused)
}

#[tauri::command]
pub(crate) async fn promotions(
    wallet: State<'_, Wallet>,
    req: PromotionsRequest,
) -> Reply<Vec<PromotionView>> {
    let PromotionsRequest {} = req;
    wallet.app.promotions().await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn claim_coupon(
    wallet: State<'_, Wallet>,
    req: ClaimCouponRequest,
) -> Reply<CouponView> {
    wallet
        .app
        .claim_coupon(&req.campaign_id)
        .await
        .map_err(refused)
}

#[tauri::command]
pub(crate) async fn history(wallet: State<'_, Wallet>, req: HistoryRequest) -> Reply<HistoryPage> {
    wallet
        .app
        .history(req.cursor.as_deref())
        .await
        .map_err(refused)
}

#[tauri::command]
pub(crate) async fn devices(
    wallet: State<'_, Wallet>,
    req: DevicesRequest,
) -> Reply<Vec<DeviceView>> {
    let DevicesRequest {} = req;
    wallet.app.devices().await.map_err(refused)
}

#[tauri::command]
pub(crate) async fn lock_device(
    wallet: State<'_, Wallet>,
    req: LockDeviceRequest,
) -> Reply<DeviceView> {
    wallet
        .app
        .lock_device(&req.device_id)
        .await
        .map_err(refused)
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

/// The UI words the code; what the client said is logged here, for whoever reads the log.
fn refused(error: ClientError) -> IpcError {
    tracing::info!(code = ?error.code(), %error, "refused");
    error.into()
}
