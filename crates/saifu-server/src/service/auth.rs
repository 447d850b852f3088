//! Signed requests: a request is served only for a known, unlocked device whose signature
//! over the request's canonical bytes verifies, with a fresh timestamp and a nonce never
//! seen before. Every nonce is recorded by construction: a [`SignedRequest`] has recorded
//! its own, and a [`SignedWrite`]'s is recorded by [`Service::transact`], the only thing
//! that consumes one, in the transaction of its effect.

use bytes::Bytes;
use futures_util::future::BoxFuture;
use saifu_core::auth::{self, AuthError, CanonicalRequest, DevicePublicKey, Signature};
use serde::de::DeserializeOwned;
use tokio::sync::OwnedSemaphorePermit;

use super::{Service, ServiceError};
use crate::store::{DeviceRow, NonceUse, Signer, TillRow, WriteTx};

/// How far a request's timestamp may be from the service's clock.
pub const FRESHNESS_WINDOW_SECONDS: i64 = 300;

/// A request as it arrived, before any check: each signature header exactly once (`None`
/// when missing or repeated), the target exactly as sent.
#[derive(Debug)]
pub struct RawSignedRequest {
    pub method: String,
    pub target: String,
    pub device_id: Option<String>,
    pub timestamp: Option<String>,
    pub nonce: Option<String>,
    pub signature: Option<String>,
    pub body: Bytes,
}

/// A verified request whose nonce is recorded: its device and body.
#[derive(Debug)]
pub struct SignedRequest {
    pub device: DeviceRow,
    body: Bytes,
}

impl SignedRequest {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ServiceError> {
        parse(&self.body)
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ServiceError> {
    serde_json::from_slice(body)
        .map_err(|error| ServiceError::BadRequest(format!("invalid request body: {error}")))
}

/// A verified request whose nonce is still to be recorded, in the write transaction of its
/// effect: one durable commit instead of two. Only [`Service::transact`] consumes it. It
/// holds one of the service's permits for money moves from before the signature check to
/// the commit.
#[derive(Debug)]
pub struct SignedWrite {
    pub device: DeviceRow,
    body: Bytes,
    /// Taken by [`Service::transact`]; a `SignedWrite` dropped with it still here leaves its
    /// nonce unrecorded, which is logged.
    nonce: Option<NonceUse>,
    _permit: OwnedSemaphorePermit,
}

impl SignedWrite {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ServiceError> {
        parse(&self.body)
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl Drop for SignedWrite {
    fn drop(&mut self) {
        // Only when its request was abandoned (the client hung up before it was planned):
        // every path that answers ends in `transact`.
        if let Some(nonce) = &self.nonce {
            tracing::warn!(
                signer = nonce.signer.id(),
                "a signed write ended unanswered"
            );
        }
    }
}

/// A device's signed request that is served even while its wallet is suspended.
#[derive(Debug)]
pub struct SignedWhileSuspended(pub SignedRequest);

/// A verified request from a shop's till whose nonce is recorded: its till and body.
#[derive(Debug)]
pub struct SignedTillRequest {
    pub till: TillRow,
    body: Bytes,
}

impl SignedTillRequest {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ServiceError> {
        parse(&self.body)
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// A request's signature, read and fresh, not yet checked against its signer's key.
struct ReadSignature {
    signer_id: String,
    nonce: String,
    signature: Signature,
    canonical: CanonicalRequest,
    now: i64,
    body: Bytes,
}

impl ReadSignature {
    fn verify_with(&self, public_key: &str) -> Result<(), ServiceError> {
        DevicePublicKey::from_base64url(public_key)
            .and_then(|key| key.verify_request(&self.canonical, &self.signature))
            .map_err(signature_error)
    }

    fn into_parts(self, signer: Signer) -> (Bytes, NonceUse) {
        let nonce = NonceUse {
            signer,
            nonce: self.nonce,
            seen_at: self.now,
        };
        (self.body, nonce)
    }
}

fn signature_error(error: AuthError) -> ServiceError {
    match error {
        AuthError::StaleTimestamp { .. } | AuthError::FutureTimestamp { .. } => {
            ServiceError::StaleRequest(error.to_string())
        }
        _ => ServiceError::InvalidSignature(error.to_string()),
    }
}

impl Service {
    /// Checks a request and records its nonce: last, so that only signed requests can use
    /// up nonces.
    pub async fn authenticate(&self, raw: RawSignedRequest) -> Result<SignedRequest, ServiceError> {
        let (device, body, nonce) = self.verify(raw).await?;
        if device.wallet_suspended_at.is_some() {
            return Err(ServiceError::WalletSuspended);
        }
        self.store.record_nonce(nonce).await?;
        Ok(SignedRequest { device, body })
    }

    /// [`Service::authenticate`] for the one request a suspended wallet's device may make:
    /// lifting the suspension.
    pub async fn authenticate_suspended(
        &self,
        raw: RawSignedRequest,
    ) -> Result<SignedWhileSuspended, ServiceError> {
        let (device, body, nonce) = self.verify(raw).await?;
        self.store.record_nonce(nonce).await?;
        Ok(SignedWhileSuspended(SignedRequest { device, body }))
    }

    /// Checks a request that moves money; its nonce is recorded by [`Service::transact`].
    /// The permit is taken once the body is in, before the costly checks, so that slow
    /// senders hold none.
    pub async fn authenticate_write(
        &self,
        raw: RawSignedRequest,
        permit: OwnedSemaphorePermit,
    ) -> Result<SignedWrite, ServiceError> {
        let (device, body, nonce) = self.verify(raw).await?;
        if device.wallet_suspended_at.is_some() {
            return Err(ServiceError::WalletSuspended);
        }
        Ok(SignedWrite {
            device,
            body,
            nonce: Some(nonce),
            _permit: permit,
        })
    }

    async fn verify(
        &self,
        raw: RawSignedRequest,
    ) -> Result<(DeviceRow, Bytes, NonceUse), ServiceError> {
        let request = self.read_signature(raw)?;
        let device = self
            .store
            .device(&request.signer_id)
            .await?
            .ok_or(ServiceError::UnknownDevice)?;
        request.verify_with(&device.public_key)?;
        if device.locked_at.is_some() {
            return Err(ServiceError::DeviceLocked);
        }
        let (body, nonce) = request.into_parts(Signer::Device(device.device_id.clone()));
        Ok((device, body, nonce))
    }

    /// Checks a request signed by a shop's till and records its nonce.
    pub async fn authenticate_till(
        &self,
        raw: RawSignedRequest,
    ) -> Result<SignedTillRequest, ServiceError> {
        let request = self.read_signature(raw)?;
        let till = self
            .store
            .till(&request.signer_id)
            .await?
            .ok_or(ServiceError::UnknownDevice)?;
        request.verify_with(&till.public_key)?;
        if till.locked_at.is_some() {
            return Err(ServiceError::DeviceLocked);
        }
        let (body, nonce) = request.into_parts(Signer::Till(till.till_id.clone()));
        self.store.record_nonce(nonce).await?;
        Ok(SignedTillRequest { till, body })
    }

    /// The signature headers checked for form and freshness, before the signer is looked up.
    fn read_signature(&self, raw: RawSignedRequest) -> Result<ReadSignature, ServiceError> {
        let missing = |name: &str| {
            ServiceError::InvalidSignature(format!("the {name} header must be given exactly once"))
        };
        let signer_id = raw.device_id.ok_or_else(|| missing(auth::HEADER_DEVICE))?;
        let nonce = raw.nonce.ok_or_else(|| missing(auth::HEADER_NONCE))?;
        let signature = Signature::from_base64url(
            &raw.signature
                .ok_or_else(|| missing(auth::HEADER_SIGNATURE))?,
        )
        .map_err(signature_error)?;
        let timestamp: i64 = raw
            .timestamp
            .ok_or_else(|| missing(auth::HEADER_TIMESTAMP))?
            .parse()
            .map_err(|_| ServiceError::InvalidSignature("the timestamp is not a number".into()))?;
        let now = self.now();
        auth::check_freshness(timestamp, now, FRESHNESS_WINDOW_SECONDS).map_err(signature_error)?;
        let canonical = CanonicalRequest::new(
            &raw.method,
            &raw.target,
            &raw.body,
            timestamp,
            &nonce,
            &signer_id,
        )
        .map_err(signature_error)?;
        Ok(ReadSignature {
            signer_id,
            nonce,
            signature,
            canonical,
            now,
            body: raw.body,
        })
    }

    /// Ends a signed write refused before it was planned: records its nonce alone.
    pub(super) async fn refuse(&self, write: SignedWrite, refusal: ServiceError) -> ServiceError {
        match self
            .transact(write, Err::<(), _>(refusal), |_, ()| {
                Box::pin(async { Ok(()) })
            })
            .await
        {
            Err(refusal) => refusal,
            Ok(()) => ServiceError::internal("refuse", "a refused write was written"),
        }
    }

    /// Ends a signed write: with its `plan` refused, records the nonce alone and answers the
    /// refusal; otherwise runs `effect` on the plan in a write transaction after recording
    /// the nonce there, and answers once committed: the effect and the nonce when it
    /// succeeds, the nonce alone when it fails. The nonce's row never leaves the transaction
    /// in between, so a concurrent replay waits for it and is refused.
    pub(super) async fn transact<P, T, F>(
        &self,
        mut write: SignedWrite,
        plan: Result<P, ServiceError>,
        effect: F,
    ) -> Result<T, ServiceError>
    where
        P: Send + 'static,
        T: Send + 'static,
        F: for<'c> FnOnce(WriteTx<'c>, P) -> BoxFuture<'c, Result<T, ServiceError>>
            + Send
            + 'static,
    {
        let Some(nonce) = write.nonce.take() else {
            return Err(ServiceError::internal(
                "transact",
                "a signed write ended twice",
            ));
        };
        match plan {
            Err(refusal) => match self.store.record_nonce(nonce).await {
                Ok(()) => Err(refusal),
                Err(failure) => Err(failure.into()),
            },
            Ok(plan) => {
                self.store
                    .write_signed(nonce, move |tx| effect(tx, plan))
                    .await
            }
        }
    }
}
