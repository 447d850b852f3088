//! Refunds from an owner's till, safe to retry with an idempotency key.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use saifu_api::{ErrorResponse, Refund, RefundRequest};

use super::top_ups::idempotency_key;
use crate::service::{IdempotencyKey, Service, ServiceError, SignedTillRequest};

#[utoipa::path(post, path = "/v1/merchant/refunds", request_body = RefundRequest, params(("idempotency-key" = String, Header)), responses((status = 200, body = Refund), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn create(
    State(service): State<Service>,
    headers: HeaderMap,
    request: SignedTillRequest,
) -> Result<Json<Refund>, ServiceError> {
    let key = IdempotencyKey::parse(idempotency_key(&headers));
    Ok(Json(service.refund(request, key).await?))
}
