//! Paying a quote, safe to retry with an idempotency key; and one payment's receipt.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use saifu_api::{ErrorResponse, Pay, Receipt};

use super::top_ups::idempotency_key;
use crate::service::{IdempotencyKey, Service, ServiceError, SignedRequest, SignedWrite};

#[utoipa::path(post, path = "/v1/payments", request_body = Pay, params(("idempotency-key" = String, Header)), responses((status = 200, body = Receipt), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn create(
    State(service): State<Service>,
    headers: HeaderMap,
    write: SignedWrite,
) -> Result<Json<Receipt>, ServiceError> {
    let key = IdempotencyKey::parse(idempotency_key(&headers));
    Ok(Json(service.pay(write, key).await?))
}

#[utoipa::path(get, path = "/v1/payments/{payment_id}", params(("payment_id" = String, Path)), responses((status = 200, body = Receipt), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn show(
    State(service): State<Service>,
    Path(payment_id): Path<String>,
    request: SignedRequest,
) -> Result<Json<Receipt>, ServiceError> {
    Ok(Json(service.payment(request, payment_id).await?))
}
