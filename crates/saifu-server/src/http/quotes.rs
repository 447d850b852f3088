//! Pricing a scanned code.

use axum::Json;
use axum::extract::State;
use saifu_api::{ErrorResponse, Quote, QuoteRequest};

use crate::service::{Service, ServiceError, SignedRequest};

#[utoipa::path(post, path = "/v1/quotes", request_body = QuoteRequest, responses((status = 200, body = Quote), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse), (status = "5XX", description = "No rate recent enough (rate_unavailable), or a failure: see the error code", body = ErrorResponse)))]
pub(super) async fn create(
    State(service): State<Service>,
    request: SignedRequest,
) -> Result<Json<Quote>, ServiceError> {
    Ok(Json(service.quote(request).await?))
}
