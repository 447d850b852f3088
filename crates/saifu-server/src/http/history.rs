//! The wallet's history, a page at a time.

use axum::Json;
use axum::extract::{Query, State};
use saifu_api::{ErrorResponse, History};
use serde::Deserialize;

use crate::service::{Service, ServiceError, SignedRequest};

#[derive(Debug, Deserialize)]
pub(super) struct HistoryQuery {
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/history", params(("cursor" = Option<String>, Query)), responses((status = 200, body = History), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn page(
    State(service): State<Service>,
    Query(query): Query<HistoryQuery>,
    request: SignedRequest,
) -> Result<Json<History>, ServiceError> {
    Ok(Json(service.history(request, query.cursor).await?))
}
