//! The wallet service over HTTP: every state-changing or wallet-bound request signed by the
//! device key, errors decoded into the service's codes, payments retried safely.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use saifu_api::{ErrorResponse, paths};
use saifu_core::auth::{self, CanonicalRequest, DeviceSigningKey};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{ClientError, Sensitive};

/// How long one request may take before the app says the service cannot be reached.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// Attempts of a request that carries an idempotency key, when the connection fails.
const ATTEMPTS: u32 = 3;

/// The signing identity of this device.
pub struct DeviceIdentity {
    pub device_id: String,
    pub key: Sensitive<DeviceSigningKey>,
}

/// A client of one wallet service.
#[derive(Clone, Debug)]
pub struct Api {
    base: String,
    http: reqwest::Client,
}

fn random_token(bytes: usize) -> Result<String, ClientError> {
    use base64::Engine;
    let mut buffer = vec![0_u8; bytes];
    getrandom::fill(&mut buffer).map_err(|error| ClientError::Storage(error.to_string()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer))
}

/// A fresh idempotency key for one top-up or payment the user asked for.
pub fn idempotency_key() -> Result<String, ClientError> {
    random_token(18)
}

impl Api {
    /// A client of the service at `base` (`https://...`, or `http://` for a local service).
    pub fn new(base: &str) -> Result<Api, ClientError> {
        let base = base.trim().trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ClientError::Invalid(
                "The service address starts with https:// (or http:// for a service on this computer).".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("saifu/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ClientError::Protocol(error.to_string()))?;
        Ok(Api {
            base: base.to_owned(),
            http,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn unreachable(&self) -> ClientError {
        ClientError::Unreachable {
            url: self.base.clone(),
        }
    }

    /// An unsigned request: challenges and wallet creation.
    pub async fn public<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, ClientError> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|_| self.unreachable())?;
        decode(response).await
    }

    /// A request signed by `device`. With an idempotency key it is retried when the
    /// connection fails, each attempt with a fresh nonce and the same key and body, so the
    /// service applies it once.
    pub async fn signed<T: DeserializeOwned>(
        &self,
        device: &DeviceIdentity,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ClientError> {
        let body = match body {
            Some(body) => serde_json::to_vec(body)
                .map_err(|error| ClientError::Protocol(error.to_string()))?,
            None => Vec::new(),
        };
        let attempts = if idempotency_key.is_some() {
            ATTEMPTS
        } else {
            1
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timestamp = unix_now();
            let nonce = random_token(18)?;
            let canonical = CanonicalRequest::new(
                method.as_str(),
                path,
                &body,
                timestamp,
                &nonce,
                &device.device_id,
            )
            .map_err(|error| ClientError::Invalid(error.to_string()))?;
            let signature = device.key.expose().sign_request(&canonical);
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.base))
                .header(auth::HEADER_DEVICE, &device.device_id)
                .header(auth::HEADER_TIMESTAMP, timestamp.to_string())
                .header(auth::HEADER_NONCE, nonce)
                .header(auth::HEADER_SIGNATURE, signature.to_base64url());
            if !body.is_empty() {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            if let Some(key) = idempotency_key {
                request = request.header(paths::IDEMPOTENCY_KEY, key);
            }
            match request.send().await {
                Ok(response) => return decode(response).await,
                Err(error) if attempt < attempts => {
                    tracing::info!(attempt, %path, "retrying after a failed connection: {error}");
                    tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
                }
                Err(_) => return Err(self.unreachable()),
            }
        }
    }
}

async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, ClientError> {
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|error| ClientError::Protocol(error.to_string()))?;
    if status == StatusCode::OK {
        return serde_json::from_slice(&bytes)
            .map_err(|error| ClientError::Protocol(error.to_string()));
    }
    match serde_json::from_slice::<ErrorResponse>(&bytes) {
        Ok(ErrorResponse { code, message }) => Err(ClientError::Service { code, message }),
        Err(_) => Err(ClientError::Protocol(format!("HTTP {status}"))),
    }
}

pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}
