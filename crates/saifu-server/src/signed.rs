//! The signed-request extractor: a handler that takes [`SignedRequest`] runs only for a
//! known, unlocked device whose signature over the request's canonical bytes verifies,
//! with a fresh timestamp and a nonce never seen before.

use axum::extract::{FromRequest, Request};
use saifu_api::ErrorCode;
use saifu_core::auth::{
    self, AuthError, CanonicalRequest, DevicePublicKey, HEADER_DEVICE, HEADER_NONCE,
    HEADER_SIGNATURE, HEADER_TIMESTAMP, Signature,
};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::db::DeviceRow;
use crate::error::{ApiError, is_unique_violation};

/// How far a request's timestamp may be from the service's clock.
pub const FRESHNESS_WINDOW_SECONDS: i64 = 300;

/// Bodies are small JSON documents; anything larger is refused before it is hashed.
const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug)]
pub struct SignedRequest {
    pub device: DeviceRow,
    body: axum::body::Bytes,
}

impl SignedRequest {
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body)
            .map_err(|error| ApiError::bad_request(format!("invalid request body: {error}")))
    }
}

fn signature_error(error: AuthError) -> ApiError {
    let code = match error {
        AuthError::StaleTimestamp { .. } | AuthError::FutureTimestamp { .. } => {
            ErrorCode::StaleRequest
        }
        _ => ErrorCode::InvalidSignature,
    };
    ApiError::new(code, error.to_string())
}

impl FromRequest<AppState> for SignedRequest {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let header = |name: &str| {
            let mut values = parts.headers.get_all(name).iter();
            // Exactly one value: with two, the server and a proxy could each read another.
            let value = values.next().filter(|_| values.next().is_none());
            value
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidSignature,
                        format!("the {name} header must be given exactly once"),
                    )
                })
        };
        let device_id = header(HEADER_DEVICE)?;
        let nonce = header(HEADER_NONCE)?;
        let signature =
            Signature::from_base64url(&header(HEADER_SIGNATURE)?).map_err(signature_error)?;
        let timestamp: i64 = header(HEADER_TIMESTAMP)?.parse().map_err(|_| {
            ApiError::new(ErrorCode::InvalidSignature, "the timestamp is not a number")
        })?;
        let now = state.now();
        auth::check_freshness(timestamp, now, FRESHNESS_WINDOW_SECONDS).map_err(signature_error)?;

        let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| ApiError::bad_request("the request body is too large"))?;
        // Signed over the target exactly as sent, never a decoded or re-encoded path.
        let target = parts
            .uri
            .path_and_query()
            .map_or(parts.uri.path(), |target| target.as_str());
        let canonical = CanonicalRequest::new(
            parts.method.as_str(),
            target,
            &body,
            timestamp,
            &nonce,
            &device_id,
        )
        .map_err(signature_error)?;

        let device = state.db.device(&device_id).await?.ok_or_else(|| {
            ApiError::new(ErrorCode::UnknownDevice, "This device is not registered.")
        })?;
        let public_key =
            DevicePublicKey::from_base64url(&device.public_key).map_err(signature_error)?;
        public_key
            .verify_request(&canonical, &signature)
            .map_err(signature_error)?;
        if device.locked_at.is_some() {
            return Err(ApiError::new(
                ErrorCode::DeviceLocked,
                "This device was locked from another device of the wallet.",
            ));
        }
        // Last, so that only signed requests can use up nonces.
        state
            .db
            .record_nonce(&device_id, &nonce, now)
            .await
            .map_err(|error| {
                if is_unique_violation(&error) {
                    ApiError::new(
                        ErrorCode::ReplayedNonce,
                        "This request was already received.",
                    )
                } else {
                    error.into()
                }
            })?;
        Ok(SignedRequest { device, body })
    }
}
