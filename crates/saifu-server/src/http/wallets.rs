//! Onboarding: a challenge, then a wallet with its first device.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use saifu_api::{Challenge, CreateWallet, ErrorResponse, WalletCreated};

use super::error::json_rejection;
use crate::service::{Service, ServiceError};

#[utoipa::path(post, path = "/v1/challenges", responses((status = 200, body = Challenge), (status = "5XX", description = "Failed: see the error code", body = ErrorResponse)))]
pub(super) async fn create_challenge(
    State(service): State<Service>,
) -> Result<Json<Challenge>, ServiceError> {
    Ok(Json(service.create_challenge().await?))
}

#[utoipa::path(post, path = "/v1/wallets", request_body = CreateWallet, responses((status = 200, body = WalletCreated), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn create_wallet(
    State(service): State<Service>,
    body: Result<Json<CreateWallet>, JsonRejection>,
) -> Result<Json<WalletCreated>, ServiceError> {
    let Json(request) = body.map_err(json_rejection)?;
    Ok(Json(service.create_wallet(request).await?))
}
