//! Service errors as HTTP answers, and the router's own refusals as service errors.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use saifu_api::ErrorResponse;

use crate::service::ServiceError;

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let code = self.code();
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            Json(ErrorResponse {
                code,
                message: self.to_string(),
            }),
        )
            .into_response()
    }
}

/// A JSON body axum could not take, as the refusal it is.
pub(super) fn json_rejection(rejection: JsonRejection) -> ServiceError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ServiceError::UnsupportedMediaType,
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ServiceError::PayloadTooLarge
        }
        other => ServiceError::BadRequest(other.body_text()),
    }
}
