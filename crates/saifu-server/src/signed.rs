//! The signed-request extractor: a handler that takes [`SignedRequest`] runs only for a
//! known, unlocked device whose signature over the request's canonical bytes verifies,
//! with a fresh timestamp and a nonce never seen before. [`SignedWrite`] is the same check
//! for handlers that record the nonce in their own write transaction.

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use futures_util::future::BoxFuture;
use saifu_api::ErrorCode;
use saifu_core::auth::{
    self, AuthError, CanonicalRequest, DevicePublicKey, HEADER_DEVICE, HEADER_NONCE,
    HEADER_SIGNATURE, HEADER_TIMESTAMP, Signature,
};
use serde::de::DeserializeOwned;
use sqlx::AnyConnection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::AppState;
use crate::db::{Db, DeviceRow, insert_nonce};
use crate::error::ApiError;

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

/// A request that passed every check but the nonce's: the signature verifies for a known,
/// unlocked device and the timestamp is fresh.
struct Verified {
    request: SignedRequest,
    nonce: String,
    now: i64,
    permit: Option<OwnedSemaphorePermit>,
}

/// Checks the request; with `permits`, takes one once the body is in, before the costly
/// checks, so that slow senders hold none.
async fn verify(
    request: Request,
    state: &AppState,
    permits: Option<&Arc<Semaphore>>,
) -> Result<Verified, ApiError> {
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
    let timestamp: i64 = header(HEADER_TIMESTAMP)?
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::InvalidSignature, "the timestamp is not a number"))?;
    let now = state.now();
    auth::check_freshness(timestamp, now, FRESHNESS_WINDOW_SECONDS).map_err(signature_error)?;

    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::bad_request("the request body is too large"))?;
    let permit = match permits {
        Some(permits) => Some(
            permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| ApiError::internal())?,
        ),
        None => None,
    };
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

    let device =
        state.db.device(&device_id).await?.ok_or_else(|| {
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
    Ok(Verified {
        request: SignedRequest { device, body },
        nonce,
        now,
        permit,
    })
}

fn replayed() -> ApiError {
    ApiError::new(
        ErrorCode::ReplayedNonce,
        "This request was already received.",
    )
}

impl FromRequest<AppState> for SignedRequest {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let verified = verify(request, state, None).await?;
        // Last, so that only signed requests can use up nonces.
        let device_id = &verified.request.device.device_id;
        if !state
            .db
            .record_nonce(device_id, &verified.nonce, verified.now)
            .await?
        {
            return Err(replayed());
        }
        Ok(verified.request)
    }
}

/// A signed request whose nonce the handler records itself, in the write transaction of
/// its effect: one durable commit instead of two. The nonce is recorded on every path all
/// the same, so a replay is refused exactly as for a [`SignedRequest`]:
///
/// - a handler that fails before it writes answers with [`SignedWrite::refuse`], which
///   records the nonce in a commit of its own;
/// - [`SignedWrite::write`] records the nonce first in the effect's write transaction,
///   refusing a replay there, and commits it with the effect; when the effect fails, it is
///   rolled back to a savepoint after the nonce, and the nonce is committed alone. The
///   nonce's row never leaves the transaction in between, so a concurrent replay waits for
///   it and is refused.
///
/// It holds one of the service's permits for money moves from before the signature check
/// to the commit (see [`AppState`]'s `money_moves`).
#[derive(Debug)]
pub struct SignedWrite {
    pub request: SignedRequest,
    nonce: String,
    now: i64,
    _permit: Option<OwnedSemaphorePermit>,
}

impl FromRequest<AppState> for SignedWrite {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let Verified {
            request,
            nonce,
            now,
            permit,
        } = verify(request, state, Some(&state.money_moves)).await?;
        Ok(SignedWrite {
            request,
            nonce,
            now,
            _permit: permit,
        })
    }
}

impl SignedWrite {
    /// Records the nonce on its own and answers `error`, or that the request is a replay.
    pub async fn refuse(self, db: &Db, error: ApiError) -> ApiError {
        let device_id = &self.request.device.device_id;
        match db.record_nonce(device_id, &self.nonce, self.now).await {
            Ok(true) => error,
            Ok(false) => replayed(),
            Err(failure) => failure.into(),
        }
    }

    /// Runs `effect` in a write transaction ([`Db::write`]) after recording the nonce there,
    /// and answers its outcome once committed: the effect and the nonce when it succeeds,
    /// the nonce alone when it fails.
    pub async fn write<T, F>(self, db: &Db, effect: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, ApiError>>
            + Send
            + 'static,
    {
        let SignedWrite {
            request,
            nonce,
            now,
            _permit,
        } = self;
        let device_id = request.device.device_id;
        db.write(move |connection| {
            Box::pin(async move {
                if !insert_nonce(&mut *connection, &device_id, &nonce, now).await? {
                    return Ok(Err(replayed()));
                }
                sqlx::raw_sql("SAVEPOINT effect")
                    .execute(&mut *connection)
                    .await?;
                let outcome = effect(&mut *connection).await;
                if outcome.is_err() {
                    sqlx::raw_sql("ROLLBACK TO SAVEPOINT effect")
                        .execute(&mut *connection)
                        .await?;
                }
                Ok(outcome)
            })
        })
        .await?
    }
}
