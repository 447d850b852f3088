//! A shop's tills: enrol with an invite, the till's own shop, and an owner's invites,
//! till list and remote lock.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use saifu_api::{EnrolTill, ErrorResponse, Invite, Shop, Till, TillList};

use super::error::json_rejection;
use crate::service::{Service, ServiceError, SignedTillRequest};

/// A browser becomes a till of the shop whose one-time invite it carries.
#[utoipa::path(post, path = "/v1/merchant/tills", request_body = EnrolTill, responses((status = 200, body = Shop), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn enrol(
    State(service): State<Service>,
    body: Result<Json<EnrolTill>, JsonRejection>,
) -> Result<Json<Shop>, ServiceError> {
    let Json(enrol) = body.map_err(json_rejection)?;
    Ok(Json(service.enrol_till(enrol).await?))
}

/// The shop the signing till works for, and the till itself.
#[utoipa::path(get, path = "/v1/merchant", responses((status = 200, body = Shop), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn shop(
    State(service): State<Service>,
    request: SignedTillRequest,
) -> Result<Json<Shop>, ServiceError> {
    Ok(Json(service.shop(request).await?))
}

/// The shop's tills: an owner's till only.
#[utoipa::path(get, path = "/v1/merchant/tills", responses((status = 200, body = TillList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list(
    State(service): State<Service>,
    request: SignedTillRequest,
) -> Result<Json<TillList>, ServiceError> {
    Ok(Json(service.list_tills(request).await?))
}

/// Locks a till of the shop: an owner's till only.
#[utoipa::path(post, path = "/v1/merchant/tills/{till_id}/lock", params(("till_id" = String, Path)), responses((status = 200, body = Till), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn lock(
    State(service): State<Service>,
    Path(till_id): Path<String>,
    request: SignedTillRequest,
) -> Result<Json<Till>, ServiceError> {
    Ok(Json(service.lock_till(request, till_id).await?))
}

/// A one-time invite for another till: an owner's till only.
#[utoipa::path(post, path = "/v1/merchant/invites", request_body = saifu_api::CreateInvite, responses((status = 200, body = Invite), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn invite(
    State(service): State<Service>,
    request: SignedTillRequest,
) -> Result<Json<Invite>, ServiceError> {
    Ok(Json(service.invite(request).await?))
}
