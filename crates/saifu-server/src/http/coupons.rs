//! The wallet's coupons: claimed here, used up by the payment they discount.

use axum::Json;
use axum::extract::State;
use saifu_api::{ClaimCoupon, Coupon, CouponList, ErrorResponse};

use crate::service::{Service, ServiceError, SignedRequest};

/// Claims a coupon of a coupon campaign: one unused at a time.
#[utoipa::path(post, path = "/v1/coupons", request_body = ClaimCoupon, responses((status = 200, body = Coupon), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn claim(
    State(service): State<Service>,
    request: SignedRequest,
) -> Result<Json<Coupon>, ServiceError> {
    Ok(Json(service.claim_coupon(request).await?))
}

/// The wallet's coupons, used and expired ones too, newest first.
#[utoipa::path(get, path = "/v1/coupons", responses((status = 200, body = CouponList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list(
    State(service): State<Service>,
    request: SignedRequest,
) -> Result<Json<CouponList>, ServiceError> {
    Ok(Json(service.list_coupons(request).await?))
}
