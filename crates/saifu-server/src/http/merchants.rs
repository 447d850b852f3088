//! The shops that accept Saifu.

use axum::Json;
use axum::extract::State;
use saifu_api::{ErrorResponse, MerchantList};

use crate::service::{Service, ServiceError, SignedRequest};

#[utoipa::path(get, path = "/v1/merchants", responses((status = 200, body = MerchantList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list(
    State(service): State<Service>,
    _request: SignedRequest,
) -> Result<Json<MerchantList>, ServiceError> {
    Ok(Json(service.list_merchants().await?))
}
