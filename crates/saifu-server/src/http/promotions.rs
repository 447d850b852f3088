//! Promotions the wallet can use, at a shop, in a city or anywhere.

use axum::Json;
use axum::extract::{Query, State};
use saifu_api::{ErrorResponse, PromotionList};
use serde::Deserialize;

use crate::service::{Service, ServiceError, SignedRequest};

#[derive(Debug, Deserialize)]
pub(super) struct PromotionQuery {
    merchant_id: Option<String>,
    city: Option<String>,
}

#[utoipa::path(get, path = "/v1/promotions", params(("merchant_id" = Option<String>, Query, description = "Only this shop's"), ("city" = Option<String>, Query, description = "Only those of this city's shops")), responses((status = 200, body = PromotionList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list(
    State(service): State<Service>,
    Query(query): Query<PromotionQuery>,
    request: SignedRequest,
) -> Result<Json<PromotionList>, ServiceError> {
    let promotions = service
        .list_promotions(request, query.merchant_id, query.city)
        .await?;
    Ok(Json(promotions))
}
