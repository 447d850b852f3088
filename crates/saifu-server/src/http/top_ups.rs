//! Top-ups from a linked card, safe to retry with an idempotency key.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use saifu_api::{ErrorResponse, TopUp, TopUpReceipt, paths};

use crate::service::{IdempotencyKey, Service, ServiceError, SignedWrite};

#[utoipa::path(post, path = "/v1/top-ups", request_body = TopUp, params(("idempotency-key" = String, Header)), responses((status = 200, body = TopUpReceipt), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn create(
    State(service): State<Service>,
    headers: HeaderMap,
    write: SignedWrite,
) -> Result<Json<TopUpReceipt>, ServiceError> {
    let key = IdempotencyKey::parse(idempotency_key(&headers));
    Ok(Json(service.top_up(write, key).await?))
}

/// The request's idempotency key header, if it is text.
pub(super) fn idempotency_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(paths::IDEMPOTENCY_KEY)
        .and_then(|value| value.to_str().ok())
}
