//! The signed-request extractors: the headers and body as sent, handed to the service to
//! check. A handler that takes [`SignedRequest`] runs only for a verified request whose
//! nonce is recorded; one that takes [`SignedWrite`] for a verified request whose nonce the
//! service records with its effect.

use axum::extract::{FromRequest, Request};
use saifu_core::auth::{HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP};

use crate::service::{
    RawSignedRequest, Service, ServiceError, SignedRequest, SignedTillRequest, SignedWrite,
};

/// Bodies are small JSON documents; anything larger is refused before it is hashed.
pub(super) const MAX_BODY_BYTES: usize = 64 * 1024;

/// The request's signature headers, target and body, as sent. Reading the body comes
/// first, so that `permit` (a turn to move money) is taken only once it is in: slow senders
/// hold none.
pub(super) async fn raw(request: Request) -> Result<RawSignedRequest, ServiceError> {
    let (parts, body) = request.into_parts();
    let header = |name: &str| {
        let mut values = parts.headers.get_all(name).iter();
        // Exactly one value: with two, the server and a proxy could each read another.
        let value = values.next().filter(|_| values.next().is_none());
        value
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ServiceError::PayloadTooLarge)?;
    Ok(RawSignedRequest {
        method: parts.method.as_str().to_owned(),
        // Signed over the target exactly as sent, never a decoded or re-encoded path.
        target: parts
            .uri
            .path_and_query()
            .map_or(parts.uri.path(), |target| target.as_str())
            .to_owned(),
        device_id: header(HEADER_DEVICE),
        timestamp: header(HEADER_TIMESTAMP),
        nonce: header(HEADER_NONCE),
        signature: header(HEADER_SIGNATURE),
        body,
    })
}

impl FromRequest<Service> for SignedRequest {
    type Rejection = ServiceError;

    async fn from_request(request: Request, service: &Service) -> Result<Self, ServiceError> {
        service.authenticate(raw(request).await?).await
    }
}

impl FromRequest<Service> for SignedWrite {
    type Rejection = ServiceError;

    async fn from_request(request: Request, service: &Service) -> Result<Self, ServiceError> {
        let raw = raw(request).await?;
        let permit = service.money_move_permit().await?;
        service.authenticate_write(raw, permit).await
    }
}

impl FromRequest<Service> for SignedTillRequest {
    type Rejection = ServiceError;

    async fn from_request(request: Request, service: &Service) -> Result<Self, ServiceError> {
        service.authenticate_till(raw(request).await?).await
    }
}
