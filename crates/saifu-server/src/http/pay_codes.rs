//! The wallet's own pay code: the device's key and settings, its answer to a charge that
//! waits for it, and a till's charge.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use saifu_api::{ErrorResponse, FeedEntry, PayCodeAnswered, PayCodeGrant, PayCodeSettings};

use super::top_ups::idempotency_key;
use crate::service::{IdempotencyKey, Service, ServiceError, SignedTillRequest, SignedWrite};

/// Issues this device's pay-code key and number, or a new key: its older codes stop working.
#[utoipa::path(post, path = "/v1/pay-code", responses((status = 200, body = PayCodeGrant), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn issue(
    State(service): State<Service>,
    write: SignedWrite,
) -> Result<Json<PayCodeGrant>, ServiceError> {
    Ok(Json(service.issue_pay_code(write).await?))
}

#[utoipa::path(put, path = "/v1/pay-code/settings", request_body = PayCodeSettings, responses((status = 200, body = PayCodeSettings), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn settings(
    State(service): State<Service>,
    write: SignedWrite,
) -> Result<Json<PayCodeSettings>, ServiceError> {
    Ok(Json(service.set_pay_code_settings(write).await?))
}

/// The device's answer to a charge of its code above the no-PIN limit.
#[utoipa::path(post, path = "/v1/pay-code/charges/{charge_id}", request_body = saifu_api::AnswerPayCode, params(("charge_id" = String, Path)), responses((status = 200, body = PayCodeAnswered), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn answer(
    State(service): State<Service>,
    Path(charge_id): Path<String>,
    write: SignedWrite,
) -> Result<Json<PayCodeAnswered>, ServiceError> {
    Ok(Json(service.answer_pay_code(write, charge_id).await?))
}

/// A till charges a customer's pay code; above the customer's no-PIN limit the answer
/// waits until the customer confirms, declines, or the time runs out.
#[utoipa::path(post, path = "/v1/merchant/pay-code-charges", request_body = saifu_api::ChargePayCode, params(("idempotency-key" = String, Header)), responses((status = 200, body = FeedEntry), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn charge(
    State(service): State<Service>,
    headers: HeaderMap,
    request: SignedTillRequest,
) -> Result<Json<FeedEntry>, ServiceError> {
    let key = IdempotencyKey::parse(idempotency_key(&headers));
    Ok(Json(service.charge_pay_code(request, key).await?))
}
