//! A wallet's devices: add one, list them, lock a lost one.

use axum::Json;
use axum::extract::{Path, State};
use saifu_api::{Device, DeviceList, DeviceRegistration, ErrorResponse};

use crate::service::{Service, ServiceError, SignedRequest};

/// A device of the wallet adds another (the new one proves it holds its key).
#[utoipa::path(post, path = "/v1/devices", request_body = DeviceRegistration, responses((status = 200, body = Device), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn add(
    State(service): State<Service>,
    request: SignedRequest,
) -> Result<Json<Device>, ServiceError> {
    Ok(Json(service.add_device(request).await?))
}

#[utoipa::path(get, path = "/v1/devices", responses((status = 200, body = DeviceList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list(
    State(service): State<Service>,
    request: SignedRequest,
) -> Result<Json<DeviceList>, ServiceError> {
    Ok(Json(service.list_devices(request).await?))
}

/// Locks a lost device of the same wallet: it is refused from its next request on.
#[utoipa::path(post, path = "/v1/devices/{device_id}/lock", params(("device_id" = String, Path)), responses((status = 200, body = Device), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn lock(
    State(service): State<Service>,
    Path(device_id): Path<String>,
    request: SignedRequest,
) -> Result<Json<Device>, ServiceError> {
    Ok(Json(service.lock_device(request, device_id).await?))
}
