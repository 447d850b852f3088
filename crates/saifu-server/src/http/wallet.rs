//! The wallet's balance.

use axum::Json;
use axum::extract::State;
use saifu_api::{ErrorResponse, Wallet};

use crate::service::{Service, ServiceError, SignedRequest};

#[utoipa::path(get, path = "/v1/wallet", responses((status = 200, body = Wallet), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn show(
    State(service): State<Service>,
    request: SignedRequest,
) -> Result<Json<Wallet>, ServiceError> {
    Ok(Json(service.wallet(request).await?))
}
