//! Onboarding and devices: challenges, wallets, the device list and remote lock.

use axum::Json;
use axum::extract::{Path, State};
use saifu_api::{
    Challenge, CreateWallet, Device, DeviceList, DeviceRegistration, ErrorCode, ErrorResponse,
    Merchant, MerchantList, WalletCreated, WalletEvent,
};
use saifu_core::auth::{self, DevicePublicKey, Signature};
use saifu_core::money::Currency;

use super::random_token;
use crate::AppState;
use crate::db::{DeviceRow, MerchantRow};
use crate::error::{ApiError, is_unique_violation};
use crate::signed::SignedRequest;

/// How long a registration challenge may be answered.
const CHALLENGE_SECONDS: i64 = 300;

#[utoipa::path(post, path = "/v1/challenges", responses((status = 200, body = Challenge)))]
pub(super) async fn create_challenge(
    State(state): State<AppState>,
) -> Result<Json<Challenge>, ApiError> {
    let now = state.now();
    let challenge = random_token(32)?;
    let expires_at = now + CHALLENGE_SECONDS;
    state
        .db
        .insert_challenge(&challenge, expires_at, now)
        .await?;
    Ok(Json(Challenge {
        challenge,
        expires_at,
    }))
}

/// Checks that the registering device holds the key it presents, then uses up the
/// challenge it signed. Returns the device row to insert, for `wallet_id`.
async fn verify_registration(
    state: &AppState,
    registration: &DeviceRegistration,
    wallet_id: &str,
) -> Result<DeviceRow, ApiError> {
    let bad_signature =
        |error: auth::AuthError| ApiError::new(ErrorCode::InvalidSignature, error.to_string());
    if registration.device_name.trim().is_empty() || registration.device_name.chars().count() > 64 {
        return Err(ApiError::bad_request(
            "the device name must be 1 to 64 characters",
        ));
    }
    let public_key =
        DevicePublicKey::from_base64url(&registration.public_key).map_err(bad_signature)?;
    let signature = Signature::from_base64url(&registration.signature).map_err(bad_signature)?;
    let message = auth::registration_message(
        &registration.challenge,
        &registration.device_id,
        &public_key,
    )
    .map_err(bad_signature)?;
    public_key
        .verify(&message, &signature)
        .map_err(bad_signature)?;
    let now = state.now();
    if !state
        .db
        .take_challenge(&registration.challenge, now)
        .await?
    {
        return Err(ApiError::new(
            ErrorCode::InvalidChallenge,
            "The registration challenge is unknown, used or expired; ask for a new one.",
        ));
    }
    Ok(DeviceRow {
        device_id: registration.device_id.clone(),
        wallet_id: wallet_id.to_owned(),
        device_name: registration.device_name.trim().to_owned(),
        public_key: public_key.to_base64url(),
        registered_at: now,
        locked_at: None,
    })
}

fn taken(error: sqlx::Error) -> ApiError {
    if is_unique_violation(&error) {
        ApiError::new(
            ErrorCode::Conflict,
            "This device id or key is registered already.",
        )
    } else {
        error.into()
    }
}

#[utoipa::path(post, path = "/v1/wallets", request_body = CreateWallet, responses((status = 200, body = WalletCreated), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn create_wallet(
    State(state): State<AppState>,
    Json(request): Json<CreateWallet>,
) -> Result<Json<WalletCreated>, ApiError> {
    let wallet_id = format!("wal_{}", random_token(16)?);
    let device = verify_registration(&state, &request.device, &wallet_id).await?;
    state
        .db
        .create_wallet(&wallet_id, request.home_currency, &device)
        .await
        .map_err(taken)?;
    tracing::info!(wallet_id, device_id = device.device_id, "wallet created");
    Ok(Json(WalletCreated {
        wallet_id,
        device_id: device.device_id,
    }))
}

/// A device of the wallet adds another (the new one proves it holds its key).
#[utoipa::path(post, path = "/v1/devices", request_body = DeviceRegistration, responses((status = 200, body = Device), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn add_device(
    State(state): State<AppState>,
    request: SignedRequest,
) -> Result<Json<Device>, ApiError> {
    let registration: DeviceRegistration = request.json()?;
    let device = verify_registration(&state, &registration, &request.device.wallet_id).await?;
    state.db.add_device(&device).await.map_err(taken)?;
    tracing::info!(
        wallet_id = device.wallet_id,
        device_id = device.device_id,
        "device added"
    );
    let view = device_view(device, &request.device.device_id);
    state.publish(
        &request.device.wallet_id,
        WalletEvent::DeviceAdded {
            device: Device {
                this_device: false,
                ..view.clone()
            },
        },
    );
    Ok(Json(view))
}

fn device_view(row: DeviceRow, asking_device: &str) -> Device {
    Device {
        this_device: row.device_id == asking_device,
        device_id: row.device_id,
        device_name: row.device_name,
        registered_at: row.registered_at,
        locked_at: row.locked_at,
    }
}

#[utoipa::path(get, path = "/v1/devices", responses((status = 200, body = DeviceList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list_devices(
    State(state): State<AppState>,
    request: SignedRequest,
) -> Result<Json<DeviceList>, ApiError> {
    let rows = state.db.wallet_devices(&request.device.wallet_id).await?;
    let devices = rows
        .into_iter()
        .map(|row| device_view(row, &request.device.device_id))
        .collect();
    Ok(Json(DeviceList { devices }))
}

/// Locks a lost device of the same wallet: it is refused from its next request on.
#[utoipa::path(post, path = "/v1/devices/{device_id}/lock", params(("device_id" = String, Path)), responses((status = 200, body = Device), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn lock_device(
    State(state): State<AppState>,
    Path(device_id): Path<String>,
    request: SignedRequest,
) -> Result<Json<Device>, ApiError> {
    let not_found = || ApiError::new(ErrorCode::NotFound, "The wallet has no such device.");
    let target = state.db.device(&device_id).await?.ok_or_else(not_found)?;
    // Another wallet's devices are as good as absent: nothing about them is revealed.
    if target.wallet_id != request.device.wallet_id {
        return Err(not_found());
    }
    if target.device_id == request.device.device_id {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "A device cannot lock itself; lock it from another device.",
        ));
    }
    state
        .db
        .lock_device(&target.device_id, &request.device.device_id, state.now())
        .await?;
    tracing::info!(
        wallet_id = target.wallet_id,
        device_id = target.device_id,
        "device locked"
    );
    state.publish(
        &target.wallet_id,
        WalletEvent::DeviceLocked {
            device_id: target.device_id.clone(),
        },
    );
    let locked = state.db.device(&device_id).await?.ok_or_else(not_found)?;
    Ok(Json(device_view(locked, &request.device.device_id)))
}

#[utoipa::path(get, path = "/v1/merchants", responses((status = 200, body = MerchantList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list_merchants(
    State(state): State<AppState>,
    _request: SignedRequest,
) -> Result<Json<MerchantList>, ApiError> {
    let merchants = state
        .db
        .merchants()
        .await?
        .into_iter()
        .map(merchant_view)
        .collect::<Result<_, _>>()?;
    Ok(Json(MerchantList { merchants }))
}

pub(super) fn merchant_view(row: MerchantRow) -> Result<Merchant, ApiError> {
    let currency = Currency::from_code(&row.currency).map_err(|error| {
        tracing::error!(merchant_id = row.merchant_id, %error, "merchant with an unknown currency");
        ApiError::internal()
    })?;
    Ok(Merchant {
        merchant_id: row.merchant_id,
        name: row.name,
        city: row.city,
        country: row.country,
        mcc: row.mcc,
        currency,
    })
}
