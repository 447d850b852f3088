//! The wallet's cards: link, list, unlink.

use axum::Json;
use axum::extract::{Path, State};
use saifu_api::{Card, CardList, ErrorResponse, LinkCard};

use crate::service::{Service, ServiceError, SignedRequest};

#[utoipa::path(post, path = "/v1/cards", request_body = LinkCard, responses((status = 200, body = Card), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn link(
    State(service): State<Service>,
    request: SignedRequest,
) -> Result<Json<Card>, ServiceError> {
    Ok(Json(service.link_card(request).await?))
}

#[utoipa::path(get, path = "/v1/cards", responses((status = 200, body = CardList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list(
    State(service): State<Service>,
    request: SignedRequest,
) -> Result<Json<CardList>, ServiceError> {
    Ok(Json(service.list_cards(&request).await?))
}

#[utoipa::path(delete, path = "/v1/cards/{card_id}", params(("card_id" = String, Path)), responses((status = 200, body = CardList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn unlink(
    State(service): State<Service>,
    Path(card_id): Path<String>,
    request: SignedRequest,
) -> Result<Json<CardList>, ServiceError> {
    Ok(Json(service.unlink_card(request, card_id).await?))
}
