//! The wallet service over HTTP: every state-changing or wallet-bound request signed by the
//! device key, errors decoded into the service's codes, payments retried safely.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use saifu_api::{ErrorResponse, WalletEvent, paths};
use saifu_core::auth::{self, CanonicalRequest, DeviceSigningKey};
use saifu_core::code::Code;
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
            return Err(ClientError::invalid(
                Code::InvalidServiceAddress,
                "the service address starts with https:// (or http:// for one on this computer)",
            ));
        }
        let http = client_builder()?
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
            let mut request = self.sign(&self.http, device, method.clone(), path, &body)?;
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

    /// `request` with a fresh timestamp and nonce, signed by `device`.
    fn sign(
        &self,
        http: &reqwest::Client,
        device: &DeviceIdentity,
        method: Method,
        path: &str,
        body: &[u8],
    ) -> Result<reqwest::RequestBuilder, ClientError> {
        let timestamp = unix_now();
        let nonce = random_token(18)?;
        let canonical = CanonicalRequest::new(
            method.as_str(),
            path,
            body,
            timestamp,
            &nonce,
            &device.device_id,
        )
        .map_err(|error| ClientError::invalid(Code::BadRequest, error.to_string()))?;
        let signature = device.key.expose().sign_request(&canonical);
        let mut request = http
            .request(method, format!("{}{path}", self.base))
            .header(auth::HEADER_DEVICE, &device.device_id)
            .header(auth::HEADER_TIMESTAMP, timestamp.to_string())
            .header(auth::HEADER_NONCE, nonce)
            .header(auth::HEADER_SIGNATURE, signature.to_base64url());
        if !body.is_empty() {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        Ok(request)
    }

    /// The wallet's server-sent events, as `device` may see them.
    pub async fn events(&self, device: &DeviceIdentity) -> Result<EventStream, ClientError> {
        // No total timeout on a stream that lasts as long as the app; the service's
        // keep-alives arrive every 15 s, so a silent minute means the connection is gone.
        let http = client_builder()?
            .connect_timeout(REQUEST_TIMEOUT)
            .read_timeout(Duration::from_secs(60))
            .build()
            .map_err(|error| ClientError::Protocol(error.to_string()))?;
        let response = self
            .sign(&http, device, Method::GET, paths::EVENTS, &[])?
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await
            .map_err(|_| self.unreachable())?;
        if response.status() != StatusCode::OK {
            return Err(decode::<()>(response).await.err().unwrap_or_else(|| {
                ClientError::Protocol("the event stream answered without events".into())
            }));
        }
        Ok(EventStream {
            response,
            buffer: String::new(),
        })
    }
}

/// What the service pushed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pushed {
    Event(Box<WalletEvent>),
    /// The service dropped events this device was too slow for: refresh everything.
    Missed,
}

/// A wallet's server-sent events, read one at a time.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// The next event, or `None` when the service closed the stream.
    pub(crate) async fn next(&mut self) -> Result<Option<Pushed>, ClientError> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(pushed) = parse_event(&block)? {
                    return Ok(Some(pushed));
                }
                continue;
            }
            match self.response.chunk().await {
                Ok(Some(bytes)) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(None) => return Ok(None),
                Err(error) => return Err(ClientError::Protocol(error.to_string())),
            }
        }
    }
}

/// One SSE block: `event:` names it, `data:` lines carry the JSON; comments keep alive.
fn parse_event(block: &str) -> Result<Option<Pushed>, ClientError> {
    let mut name = None;
    let mut data = String::new();
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            name = Some(value.trim());
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push_str(value.strip_prefix(' ').unwrap_or(value));
        }
    }
    match name {
        None if data.is_empty() => Ok(None),
        Some("lagged") => Ok(Some(Pushed::Missed)),
        _ => serde_json::from_str(&data)
            .map(|event| Some(Pushed::Event(Box::new(event))))
            .map_err(|error| ClientError::Protocol(error.to_string())),
    }
}

/// A client builder with the platform's TLS: rustls's default provider and the system's
/// verifier on desktops.
#[cfg(not(any(target_os = "android", target_os = "ios")))]
fn client_builder() -> Result<reqwest::ClientBuilder, ClientError> {
    Ok(reqwest::Client::builder())
}

/// On phones: rustls over RustCrypto with the Mozilla roots.
#[cfg(any(target_os = "android", target_os = "ios"))]
fn client_builder() -> Result<reqwest::ClientBuilder, ClientError> {
    let provider = std::sync::Arc::new(rustls_rustcrypto::provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| ClientError::Protocol(error.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(reqwest::Client::builder().tls_backend_preconfigured(config))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_from_their_blocks() {
        let block =
            "event: card_unlinked\ndata: {\"type\":\"card_unlinked\",\"card_id\":\"card_1\"}\n\n";
        assert_eq!(
            parse_event(block).unwrap(),
            Some(Pushed::Event(Box::new(WalletEvent::CardUnlinked {
                card_id: "card_1".into()
            })))
        );
        assert_eq!(parse_event(":\n\n").unwrap(), None);
        assert_eq!(
            parse_event("event: lagged\ndata: 3\n\n").unwrap(),
            Some(Pushed::Missed)
        );
        assert!(parse_event("event: x\ndata: {not json\n\n").is_err());
    }
}
