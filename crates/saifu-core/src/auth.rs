//! Device request signing: the pure pieces of authenticating a device to the wallet service.
//!
//! Every state-changing HTTP request from a device is signed with the device's P-256 ECDSA
//! key. The private key stays on the device (in the OS keyring); the service stores only the
//! public key, verifies the signature over the canonical bytes below, refuses timestamps
//! outside its window ([`check_freshness`]), and refuses nonces it has seen and devices it
//! has locked. Nonce storage and device state are the service's job, not this module's.
//!
//! # Canonical request bytes (`saifu-request-v1`)
//!
//! The signed message is the UTF-8 (in fact ASCII) text of seven lines joined by a single
//! line feed (`\n`, 0x0A), with no trailing line feed:
//!
//! ```text
//! saifu-request-v1
//! METHOD
//! /path?query
//! hex(sha256(body))
//! timestamp
//! nonce
//! device_id
//! ```
//!
//! - `METHOD`: one of `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, in upper case.
//!   [`CanonicalRequest::new`] upper-cases what it is given before checking.
//! - `/path?query`: the request target exactly as sent on the wire (origin form): starts with
//!   `/`, keeps the query string if there is one, and is not decoded, re-encoded or
//!   normalised in any way. Only visible ASCII (0x21-0x7E) is allowed: anything else must be
//!   percent-encoded, as HTTP requires anyway. The service must verify against the raw
//!   target it received, not a router's decoded path.
//! - `hex(sha256(body))`: SHA-256 of the exact body bytes, as 64 lower-case hex digits. An
//!   empty body (as for `GET` and most `DELETE`s) hashes to
//!   `e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`.
//! - `timestamp`: Unix time in seconds, in decimal, `-` for negatives, no leading zeros or
//!   `+` (as Rust and JavaScript print an integer).
//! - `nonce`: 16 to 128 characters of `A-Z a-z 0-9 _ -` (base64url fits: 16 random bytes
//!   are 22 characters), chosen by the device, never reused.
//! - `device_id`: 1 to 128 visible ASCII characters (0x21-0x7E), the id the service gave the
//!   device at registration.
//!
//! No field can contain a line feed, so the seven lines split back into exactly these
//! fields: two different requests never share canonical bytes.
//!
//! # Headers and signature encoding
//!
//! The request carries [`HEADER_DEVICE`], [`HEADER_TIMESTAMP`], [`HEADER_NONCE`] and
//! [`HEADER_SIGNATURE`]. The signature is ECDSA P-256 with SHA-256 over the canonical bytes
//! (the signer hashes them: pass the bytes, not their hash), encoded as the fixed 64-byte
//! `r || s` form (each a 32-byte big-endian integer, IEEE P1363 / WebCrypto / JOSE `ES256`
//! layout), written as base64url without padding (86 characters). Android Keystore and
//! Apple's Secure Enclave return ASN.1 DER signatures: the device converts DER to `r || s`
//! before sending.
//!
//! [`DeviceSigningKey::sign`] uses RFC 6979 deterministic nonces, so it needs no randomness
//! and one key signs one message to one signature. It does not normalise `s` to the low half
//! of the group order, and [`DevicePublicKey::verify`] accepts both `s` and `n - s`, since
//! platform keystores produce either. ECDSA signatures are therefore malleable: anyone who
//! sees a valid signature can make a second, different one for the same message. That is
//! harmless here because replay protection is by (device, nonce), never by signature bytes:
//! never use a signature as a deduplication key.
//!
//! Public keys travel as SEC1 compressed points (33 bytes: `02` or `03`, then x) in
//! base64url without padding (44 characters); parsing also accepts the uncompressed form
//! (65 bytes: `04`, x, y). All base64url here is strict: URL-safe alphabet, no `=` padding,
//! no unused bits set, so each value has exactly one text form.
//!
//! # Registration (`saifu-register-v1`)
//!
//! To register, the device proves it holds the private key by signing
//! [`registration_message`]: three lines after the version line, joined by `\n`, no trailing
//! line feed:
//!
//! ```text
//! saifu-register-v1
//! challenge
//! device_id
//! public key (compressed SEC1, base64url)
//! ```
//!
//! The challenge follows the nonce rules and comes from the service, which makes it single
//! use and short lived. The different first line keeps a registration signature from ever
//! passing as a request signature, and the other way round.
//!
//! The signing key zeroes its scalar on drop (the `p256` crate does this), but the text from
//! [`DeviceSigningKey::to_base64url_secret`] is an ordinary `String` the caller must handle.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::{Signer, Verifier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Header naming the device (its registered id).
pub const HEADER_DEVICE: &str = "x-saifu-device";
/// Header with the request's Unix time in seconds, in decimal.
pub const HEADER_TIMESTAMP: &str = "x-saifu-timestamp";
/// Header with the request's single-use nonce.
pub const HEADER_NONCE: &str = "x-saifu-nonce";
/// Header with the signature: 64-byte `r || s`, base64url without padding.
pub const HEADER_SIGNATURE: &str = "x-saifu-signature";

/// First line of the canonical request bytes.
pub const REQUEST_VERSION: &str = "saifu-request-v1";
/// First line of the registration message.
pub const REGISTRATION_VERSION: &str = "saifu-register-v1";

/// Methods a signed request may use.
pub const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Shortest and longest nonce (and registration challenge), in characters.
pub const NONCE_MIN_LEN: usize = 16;
pub const NONCE_MAX_LEN: usize = 128;
/// Longest device id, in characters.
pub const DEVICE_ID_MAX_LEN: usize = 128;

/// Why a device's request or registration was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(
        "malformed device key: expected a P-256 key (SEC1 point or 32-byte secret) in unpadded base64url"
    )]
    MalformedKey,
    #[error("malformed signature: expected 64 bytes (r || s) in unpadded base64url")]
    MalformedSignature,
    #[error("signature does not verify")]
    BadSignature,
    #[error(
        "request timestamp {timestamp} is more than {window_seconds} seconds behind server time {now}"
    )]
    StaleTimestamp {
        timestamp: i64,
        now: i64,
        window_seconds: i64,
    },
    #[error(
        "request timestamp {timestamp} is more than {window_seconds} seconds ahead of server time {now}"
    )]
    FutureTimestamp {
        timestamp: i64,
        now: i64,
        window_seconds: i64,
    },
    #[error("invalid {field}: {reason}")]
    InvalidField {
        field: &'static str,
        reason: &'static str,
    },
}

/// The parts of an HTTP request that its signature covers; see the module docs for the bytes.
///
/// Built only through [`CanonicalRequest::new`], so every value holds valid fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalRequest {
    method: String,
    path: String,
    body_sha256: [u8; 32],
    timestamp: i64,
    nonce: String,
    device_id: String,
}

impl CanonicalRequest {
    /// Checks the fields and hashes `body`. `method` is upper-cased first; `path_and_query`
    /// is the request target exactly as sent.
    pub fn new(
        method: &str,
        path_and_query: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
        device_id: &str,
    ) -> Result<Self, AuthError> {
        let method = method.to_ascii_uppercase();
        if method.is_empty() {
            return Err(invalid("method", "must not be empty"));
        }
        if !METHODS.contains(&method.as_str()) {
            return Err(invalid(
                "method",
                "must be one of GET, POST, PUT, PATCH, DELETE",
            ));
        }
        check_path(path_and_query)?;
        check_token("nonce", nonce)?;
        check_device_id(device_id)?;
        Ok(Self {
            method,
            path: path_and_query.to_owned(),
            body_sha256: Sha256::digest(body).into(),
            timestamp,
            nonce: nonce.to_owned(),
            device_id: device_id.to_owned(),
        })
    }

    /// The method, upper case.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target (path and query) as sent.
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn body_sha256(&self) -> [u8; 32] {
        self.body_sha256
    }

    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The `saifu-request-v1` bytes that are signed.
    pub fn to_bytes(&self) -> Vec<u8> {
        let lines = [
            REQUEST_VERSION,
            &self.method,
            &self.path,
            &hex(&self.body_sha256),
            &self.timestamp.to_string(),
            &self.nonce,
            &self.device_id,
        ];
        lines.join("\n").into_bytes()
    }
}

/// The message a device signs at registration to prove it holds the key for `public_key`.
///
/// `challenge` follows the nonce rules (16-128 of `A-Z a-z 0-9 _ -`), `device_id` the device
/// id rules; see the module docs for the bytes.
pub fn registration_message(
    challenge: &str,
    device_id: &str,
    public_key: &DevicePublicKey,
) -> Result<Vec<u8>, AuthError> {
    check_token("challenge", challenge)?;
    check_device_id(device_id)?;
    let lines = [
        REGISTRATION_VERSION,
        challenge,
        device_id,
        &public_key.to_base64url(),
    ];
    Ok(lines.join("\n").into_bytes())
}

/// Accepts `request_timestamp` within `window_seconds` of `now`, both ends included: from
/// `now - window_seconds` to `now + window_seconds`. A negative window accepts nothing.
pub fn check_freshness(
    request_timestamp: i64,
    now: i64,
    window_seconds: i64,
) -> Result<(), AuthError> {
    // i128: no overflow for any i64 inputs.
    let (timestamp, current, window) = (
        i128::from(request_timestamp),
        i128::from(now),
        i128::from(window_seconds),
    );
    if timestamp < current - window {
        Err(AuthError::StaleTimestamp {
            timestamp: request_timestamp,
            now,
            window_seconds,
        })
    } else if timestamp > current + window {
        Err(AuthError::FutureTimestamp {
            timestamp: request_timestamp,
            now,
            window_seconds,
        })
    } else {
        Ok(())
    }
}

/// A device's public key: a point on P-256, as the service stores it.
///
/// `Display`, `FromStr` and serde use the compressed SEC1 base64url text.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DevicePublicKey(p256::ecdsa::VerifyingKey);

impl DevicePublicKey {
    /// Parses a SEC1 point: compressed (33 bytes, `02`/`03` then x) or uncompressed (65 bytes,
    /// `04`, x, y). The point must be on the curve and not the identity.
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self, AuthError> {
        let well_formed = matches!(
            (bytes.len(), bytes.first()),
            (33, Some(0x02 | 0x03)) | (65, Some(0x04))
        );
        if !well_formed {
            return Err(AuthError::MalformedKey);
        }
        p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
            .map(Self)
            .map_err(|_| AuthError::MalformedKey)
    }

    /// Parses base64url (no padding) of either SEC1 form.
    pub fn from_base64url(text: &str) -> Result<Self, AuthError> {
        // 65 bytes are 87 characters; refuse anything longer before decoding.
        if text.len() > 87 {
            return Err(AuthError::MalformedKey);
        }
        let bytes = decode_base64url(text).ok_or(AuthError::MalformedKey)?;
        Self::from_sec1_bytes(&bytes)
    }

    /// The compressed SEC1 point: 33 bytes.
    pub fn to_sec1_compressed(&self) -> [u8; 33] {
        let point = self.0.to_sec1_point(true);
        let mut out = [0u8; 33];
        out.copy_from_slice(point.as_bytes());
        out
    }

    /// The compressed SEC1 point in base64url without padding: 44 characters.
    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.to_sec1_compressed())
    }

    /// Checks an ECDSA P-256 / SHA-256 signature over `message` (the message itself, not
    /// its hash). Both low-S and high-S signatures are accepted.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), AuthError> {
        self.0
            .verify(message, &signature.0)
            .map_err(|_| AuthError::BadSignature)
    }

    /// [`verify`](Self::verify) over the request's canonical bytes.
    pub fn verify_request(
        &self,
        request: &CanonicalRequest,
        signature: &Signature,
    ) -> Result<(), AuthError> {
        self.verify(&request.to_bytes(), signature)
    }
}

impl fmt::Debug for DevicePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DevicePublicKey({})", self.to_base64url())
    }
}

impl fmt::Display for DevicePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64url())
    }
}

impl FromStr for DevicePublicKey {
    type Err = AuthError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_base64url(text)
    }
}

impl Serialize for DevicePublicKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64url())
    }
}

impl<'de> Deserialize<'de> for DevicePublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_base64url(&text).map_err(serde::de::Error::custom)
    }
}

/// An ECDSA P-256 signature in its fixed `r || s` form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(p256::ecdsa::Signature);

impl Signature {
    /// Parses 64 bytes `r || s` (32 bytes each, big-endian); both must be in 1..n.
    pub fn from_bytes(bytes: &[u8; 64]) -> Result<Self, AuthError> {
        p256::ecdsa::Signature::from_slice(bytes)
            .map(Self)
            .map_err(|_| AuthError::MalformedSignature)
    }

    /// Parses the base64url (no padding) of the 64 bytes `r || s`: 86 characters.
    pub fn from_base64url(text: &str) -> Result<Self, AuthError> {
        if text.len() != 86 {
            return Err(AuthError::MalformedSignature);
        }
        let bytes = decode_base64url(text).ok_or(AuthError::MalformedSignature)?;
        let bytes: [u8; 64] = bytes
            .try_into()
            .map_err(|_| AuthError::MalformedSignature)?;
        Self::from_bytes(&bytes)
    }

    /// The 64 bytes `r || s`.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(&self.0.to_bytes());
        out
    }

    /// The 64 bytes `r || s` in base64url without padding: 86 characters.
    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.to_bytes())
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.to_base64url())
    }
}

/// A device's private key. It prints as `DeviceSigningKey(<redacted>)`, is not `Clone`,
/// implements neither `Display` nor serde, and gives out its secret only through
/// [`to_base64url_secret`](Self::to_base64url_secret).
///
/// Generating a key needs randomness, so it happens outside this crate: the caller makes
/// 32 random bytes (or lets `p256` with its `getrandom` feature do it) and passes them in.
pub struct DeviceSigningKey(p256::ecdsa::SigningKey);

impl DeviceSigningKey {
    /// The secret scalar as 32 big-endian bytes; must be in 1..n (the group order).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, AuthError> {
        p256::ecdsa::SigningKey::from_slice(bytes)
            .map(Self)
            .map_err(|_| AuthError::MalformedKey)
    }

    /// Parses the 32 secret bytes from base64url without padding (43 characters).
    pub fn from_base64url(text: &str) -> Result<Self, AuthError> {
        if text.len() != 43 {
            return Err(AuthError::MalformedKey);
        }
        let bytes = decode_base64url(text).ok_or(AuthError::MalformedKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| AuthError::MalformedKey)?;
        Self::from_bytes(&bytes)
    }

    /// THE SECRET KEY, as base64url without padding (43 characters), for the OS keyring and
    /// nowhere else.
    pub fn to_base64url_secret(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.to_bytes())
    }

    pub fn public_key(&self) -> DevicePublicKey {
        DevicePublicKey(*self.0.verifying_key())
    }

    /// Signs `message` with ECDSA P-256 / SHA-256 and an RFC 6979 deterministic nonce: the
    /// same key and message always give the same signature. `s` is not normalised.
    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.0.sign(message))
    }

    /// [`sign`](Self::sign) over the request's canonical bytes.
    pub fn sign_request(&self, request: &CanonicalRequest) -> Signature {
        self.sign(&request.to_bytes())
    }
}

impl fmt::Debug for DeviceSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceSigningKey(<redacted>)")
    }
}

fn invalid(field: &'static str, reason: &'static str) -> AuthError {
    AuthError::InvalidField { field, reason }
}

fn check_path(path: &str) -> Result<(), AuthError> {
    if path.is_empty() {
        return Err(invalid("path", "must not be empty"));
    }
    if !path.starts_with('/') {
        return Err(invalid("path", "must start with /"));
    }
    if !path.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "path",
            "must be visible ASCII; percent-encode anything else",
        ));
    }
    Ok(())
}

/// Nonces and registration challenges.
fn check_token(field: &'static str, token: &str) -> Result<(), AuthError> {
    if token.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if !(NONCE_MIN_LEN..=NONCE_MAX_LEN).contains(&token.len()) {
        return Err(invalid(field, "must be 16 to 128 characters long"));
    }
    if !token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(invalid(field, "may contain only A-Z, a-z, 0-9, _ and -"));
    }
    Ok(())
}

fn check_device_id(device_id: &str) -> Result<(), AuthError> {
    if device_id.is_empty() {
        return Err(invalid("device_id", "must not be empty"));
    }
    if device_id.len() > DEVICE_ID_MAX_LEN {
        return Err(invalid("device_id", "must be at most 128 characters long"));
    }
    if !device_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid("device_id", "must be visible ASCII without spaces"));
    }
    Ok(())
}

/// Strict base64url: URL-safe alphabet, no padding, no stray bits.
fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Fixed test vector. Secret key: 32 bytes of 0x01 (hex 0101...01). Checked against an
    // independent implementation (pyca/cryptography over OpenSSL, deterministic ECDSA).
    const VECTOR_SECRET: [u8; 32] = [1; 32];
    const VECTOR_SECRET_B64: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
    const VECTOR_PUBLIC_B64: &str = "Am_wO5SSQc4drdQ1GeaWDgqFtBppoFwygQOqK84VlMoW";
    const VECTOR_PUBLIC_UNCOMPRESSED_B64: &str =
        "BG_wO5SSQc4drdQ1GeaWDgqFtBppoFwygQOqK84VlMoWPE91OlW_AdxT9sCwx-7ni0DG_30lqW4igrmJzvccFEo";
    const VECTOR_BODY: &[u8] = br#"{"amount":"12.50","currency":"USD"}"#;
    const VECTOR_CANONICAL: &str = "saifu-request-v1\n\
        POST\n\
        /v1/transfers?idempotency=abc\n\
        3470d8bfb0a63aefba8cfae8ecbc3c09d07875a9a9880eb40d43116e058e2685\n\
        1767225600\n\
        bm9uY2Utc2FtcGxlLTAwMQ\n\
        dev_01HZX3Q8";
    const VECTOR_SIGNATURE: &str =
        "rIYFGyDv3k-4_DFpNjAzz-Bs56cRZsfE-Ibfu99TX2YzYiy6n2yi8MDFfkTyXaSeC8j0UYqi_oJaAyluYwqz1g";
    const VECTOR_GET_SIGNATURE: &str =
        "31punm0_pWWOOj8yLeGN2MFuMsk3PYpOUr_2pZDSOqfjYxY5fPANlLZJNdtjSysxFJ-iHC9RNlt5Pd0KFLbYIA";
    const VECTOR_REGISTRATION: &str = "saifu-register-v1\n\
        Y2hhbGxlbmdlLXNhbXBsZS0wMDE\n\
        dev_01HZX3Q8\n\
        Am_wO5SSQc4drdQ1GeaWDgqFtBppoFwygQOqK84VlMoW";
    const VECTOR_REGISTRATION_SIGNATURE: &str =
        "9GK8Kijcvy8It6Ge-IPATFtgv8ygX6mBi_6CNhc3Bzmsys9RnHm1dtBwqrImwf8_URYSbOfCZCd-H75Gopi6lg";

    /// P-256 group order n, big-endian.
    const ORDER: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];

    fn vector_key() -> DeviceSigningKey {
        DeviceSigningKey::from_bytes(&VECTOR_SECRET).expect("valid secret")
    }

    fn other_key() -> DeviceSigningKey {
        DeviceSigningKey::from_bytes(&[2; 32]).expect("valid secret")
    }

    fn vector_request() -> CanonicalRequest {
        CanonicalRequest::new(
            "POST",
            "/v1/transfers?idempotency=abc",
            VECTOR_BODY,
            1_767_225_600,
            "bm9uY2Utc2FtcGxlLTAwMQ",
            "dev_01HZX3Q8",
        )
        .expect("valid request")
    }

    fn request(method: &str, path: &str, nonce: &str, device_id: &str) -> Result<(), AuthError> {
        CanonicalRequest::new(method, path, b"", 0, nonce, device_id).map(drop)
    }

    const NONCE: &str = "abcdefghijklmnop";

    fn invalid_field(result: Result<(), AuthError>) -> &'static str {
        match result {
            Err(AuthError::InvalidField { field, .. }) => field,
            other => panic!("expected InvalidField, got {other:?}"),
        }
    }

    /// Big-endian a - b for a >= b.
    fn sub_be(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
            borrow = i16::from(d < 0);
            if d < 0 {
                d += 256;
            }
            out[i] = d as u8;
        }
        assert_eq!(borrow, 0);
        out
    }

    #[test]
    fn vector_keys() {
        let key = vector_key();
        assert_eq!(key.to_base64url_secret(), VECTOR_SECRET_B64);
        assert_eq!(key.public_key().to_base64url(), VECTOR_PUBLIC_B64);
        let parsed = DevicePublicKey::from_base64url(VECTOR_PUBLIC_B64).expect("parses");
        assert_eq!(parsed, key.public_key());
        let uncompressed =
            DevicePublicKey::from_base64url(VECTOR_PUBLIC_UNCOMPRESSED_B64).expect("parses");
        assert_eq!(uncompressed, key.public_key());
        assert_eq!(uncompressed.to_base64url(), VECTOR_PUBLIC_B64);
        let again = DeviceSigningKey::from_base64url(VECTOR_SECRET_B64).expect("parses");
        assert_eq!(again.public_key(), key.public_key());
    }

    #[test]
    fn vector_request_bytes_and_signature() {
        let request = vector_request();
        assert_eq!(request.to_bytes(), VECTOR_CANONICAL.as_bytes());
        let signature = vector_key().sign_request(&request);
        assert_eq!(signature.to_base64url(), VECTOR_SIGNATURE);
        let public = DevicePublicKey::from_base64url(VECTOR_PUBLIC_B64).expect("parses");
        let parsed = Signature::from_base64url(VECTOR_SIGNATURE).expect("parses");
        assert_eq!(public.verify(VECTOR_CANONICAL.as_bytes(), &parsed), Ok(()));
        assert_eq!(public.verify_request(&request, &parsed), Ok(()));
    }

    #[test]
    fn vector_get_with_empty_body() {
        let request = CanonicalRequest::new(
            "GET",
            "/v1/balance",
            b"",
            1_767_225_600,
            "bm9uY2Utc2FtcGxlLTAwMg",
            "dev_01HZX3Q8",
        )
        .expect("valid request");
        assert_eq!(
            request.to_bytes(),
            b"saifu-request-v1\nGET\n/v1/balance\n\
              e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
              1767225600\nbm9uY2Utc2FtcGxlLTAwMg\ndev_01HZX3Q8"
        );
        assert_eq!(
            vector_key().sign_request(&request).to_base64url(),
            VECTOR_GET_SIGNATURE
        );
    }

    #[test]
    fn vector_registration() {
        let key = vector_key();
        let message = registration_message(
            "Y2hhbGxlbmdlLXNhbXBsZS0wMDE",
            "dev_01HZX3Q8",
            &key.public_key(),
        )
        .expect("valid");
        assert_eq!(message, VECTOR_REGISTRATION.as_bytes());
        let signature = key.sign(&message);
        // This one has a high s: signing does not normalise, and verifying accepts it.
        assert_eq!(signature.to_base64url(), VECTOR_REGISTRATION_SIGNATURE);
        assert_eq!(key.public_key().verify(&message, &signature), Ok(()));
        assert_eq!(
            other_key().public_key().verify(&message, &signature),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn registration_and_request_signatures_do_not_cross() {
        let key = vector_key();
        let request = vector_request();
        let registration = registration_message(
            "Y2hhbGxlbmdlLXNhbXBsZS0wMDE",
            "dev_01HZX3Q8",
            &key.public_key(),
        )
        .expect("valid");
        let on_registration = key.sign(&registration);
        assert_eq!(
            key.public_key().verify_request(&request, &on_registration),
            Err(AuthError::BadSignature)
        );
        let on_request = key.sign_request(&request);
        assert_eq!(
            key.public_key().verify(&registration, &on_request),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn registration_checks_its_fields() {
        let public = vector_key().public_key();
        let field = |challenge: &str, device: &str| {
            invalid_field(registration_message(challenge, device, &public).map(drop))
        };
        assert_eq!(field("", "dev"), "challenge");
        assert_eq!(field("short", "dev"), "challenge");
        assert_eq!(field("abcdefghijklmnop\n", "dev"), "challenge");
        assert_eq!(field("abcdefghijklmnop", ""), "device_id");
        assert_eq!(field("abcdefghijklmnop", "dev\nice"), "device_id");
    }

    #[test]
    fn signing_is_deterministic() {
        let key = vector_key();
        assert_eq!(key.sign(b"hello"), key.sign(b"hello"));
        assert_ne!(key.sign(b"hello"), key.sign(b"hellp"));
    }

    #[test]
    fn another_keys_signature_fails() {
        let request = vector_request();
        let signature = other_key().sign_request(&request);
        assert_eq!(
            vector_key()
                .public_key()
                .verify_request(&request, &signature),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            other_key()
                .public_key()
                .verify_request(&request, &signature),
            Ok(())
        );
    }

    #[test]
    fn flipped_signature_bits_fail() {
        let key = vector_key().public_key();
        let message = VECTOR_CANONICAL.as_bytes();
        let bytes = Signature::from_base64url(VECTOR_SIGNATURE)
            .expect("parses")
            .to_bytes();
        for index in [0, 1, 31, 32, 33, 63] {
            let mut flipped = bytes;
            flipped[index] ^= 0x01;
            match Signature::from_bytes(&flipped) {
                Ok(signature) => assert_eq!(
                    key.verify(message, &signature),
                    Err(AuthError::BadSignature),
                    "byte {index}"
                ),
                Err(error) => assert_eq!(error, AuthError::MalformedSignature),
            }
        }
    }

    #[test]
    fn high_s_twin_also_verifies() {
        // (r, n - s) is the malleated twin of (r, s); both verify, as the module docs say.
        let key = vector_key().public_key();
        let message = VECTOR_CANONICAL.as_bytes();
        let bytes = Signature::from_base64url(VECTOR_SIGNATURE)
            .expect("parses")
            .to_bytes();
        let s: [u8; 32] = bytes[32..].try_into().expect("32 bytes");
        let mut twin = bytes;
        twin[32..].copy_from_slice(&sub_be(&ORDER, &s));
        let twin = Signature::from_bytes(&twin).expect("in range");
        assert_ne!(twin.to_bytes(), bytes);
        assert_eq!(key.verify(message, &twin), Ok(()));
    }

    #[test]
    fn malformed_public_keys() {
        let compressed = DevicePublicKey::from_base64url(VECTOR_PUBLIC_B64)
            .expect("parses")
            .to_sec1_compressed();
        let uncompressed = URL_SAFE_NO_PAD
            .decode(VECTOR_PUBLIC_UNCOMPRESSED_B64)
            .expect("base64");
        let mut not_on_curve = uncompressed.clone();
        not_on_curve[64] ^= 0x01;
        let mut hybrid = uncompressed.clone();
        hybrid[0] = 0x06;
        let mut wrong_prefix = compressed;
        wrong_prefix[0] = 0x04;
        // x = 1 has no y on P-256.
        let mut no_such_x = [0u8; 33];
        no_such_x[0] = 0x02;
        no_such_x[32] = 0x01;
        // x = p (not reduced).
        let mut x_too_big = [0xffu8; 33];
        x_too_big[0] = 0x02;
        let cases: [&[u8]; 10] = [
            &[],
            &[0x00],
            &compressed[1..],
            &compressed[..32],
            &wrong_prefix,
            &not_on_curve,
            &hybrid,
            &uncompressed[..64],
            &no_such_x,
            &x_too_big,
        ];
        for (index, bytes) in cases.iter().enumerate() {
            assert_eq!(
                DevicePublicKey::from_sec1_bytes(bytes),
                Err(AuthError::MalformedKey),
                "case {index}"
            );
        }
        for text in [
            "",
            "Am_wO5SSQc4drdQ1GeaWDgqFtBppoFwygQOqK84VlMoW=",
            "Am/wO5SSQc4drdQ1GeaWDgqFtBppoFwygQOqK84VlMoW",
            // The uncompressed form with one of its two unused trailing bits set.
            "BG_wO5SSQc4drdQ1GeaWDgqFtBppoFwygQOqK84VlMoWPE91OlW_AdxT9sCwx-7ni0DG_30lqW4igrmJzvccFEp",
            " Am_wO5SSQc4drdQ1GeaWDgqFtBppoFwygQOqK84VlMoW",
            &"A".repeat(10_000),
        ] {
            assert_eq!(
                DevicePublicKey::from_base64url(text),
                Err(AuthError::MalformedKey),
                "{text:?}"
            );
        }
    }

    #[test]
    fn malformed_secret_keys() {
        let zero = [0u8; 32];
        let order = ORDER;
        let mut order_minus_one = ORDER;
        order_minus_one[31] -= 1;
        assert_eq!(
            DeviceSigningKey::from_bytes(&zero).map(drop),
            Err(AuthError::MalformedKey)
        );
        assert_eq!(
            DeviceSigningKey::from_bytes(&order).map(drop),
            Err(AuthError::MalformedKey)
        );
        assert_eq!(
            DeviceSigningKey::from_bytes(&[0xff; 32]).map(drop),
            Err(AuthError::MalformedKey)
        );
        assert!(DeviceSigningKey::from_bytes(&order_minus_one).is_ok());
        for text in [
            "",
            "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
            "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ",
            "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQF", // unused bits set
            "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ+",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // zero
        ] {
            assert_eq!(
                DeviceSigningKey::from_base64url(text).map(drop),
                Err(AuthError::MalformedKey),
                "{text:?}"
            );
        }
    }

    #[test]
    fn malformed_signatures() {
        let valid = Signature::from_base64url(VECTOR_SIGNATURE)
            .expect("parses")
            .to_bytes();
        let mut r_zero = valid;
        r_zero[..32].fill(0);
        let mut s_zero = valid;
        s_zero[32..].fill(0);
        let mut s_order = valid;
        s_order[32..].copy_from_slice(&ORDER);
        let mut r_max = valid;
        r_max[..32].fill(0xff);
        for (index, bytes) in [r_zero, s_zero, s_order, r_max].iter().enumerate() {
            assert_eq!(
                Signature::from_bytes(bytes),
                Err(AuthError::MalformedSignature),
                "case {index}"
            );
        }
        let padded = format!("{VECTOR_SIGNATURE}==");
        let standard_alphabet = VECTOR_SIGNATURE.replace('-', "+").replace('_', "/");
        // 64 bytes fill 86 characters with 4 bits to spare: set one of them.
        let stray_bits = VECTOR_SIGNATURE.replace("1g", "1h");
        let der = "MEUCIQ";
        for text in [
            "",
            &VECTOR_SIGNATURE[..85],
            &format!("{VECTOR_SIGNATURE}A"),
            &padded,
            &standard_alphabet,
            &stray_bits,
            &"A".repeat(86), // r = s = 0
            der,
        ] {
            assert_eq!(
                Signature::from_base64url(text),
                Err(AuthError::MalformedSignature),
                "{text:?}"
            );
        }
    }

    #[test]
    fn freshness_window_edges() {
        let now = 1_767_225_600;
        assert_eq!(check_freshness(now, now, 300), Ok(()));
        assert_eq!(check_freshness(now - 300, now, 300), Ok(()));
        assert_eq!(check_freshness(now + 300, now, 300), Ok(()));
        assert_eq!(
            check_freshness(now - 301, now, 300),
            Err(AuthError::StaleTimestamp {
                timestamp: now - 301,
                now,
                window_seconds: 300
            })
        );
        assert_eq!(
            check_freshness(now + 301, now, 300),
            Err(AuthError::FutureTimestamp {
                timestamp: now + 301,
                now,
                window_seconds: 300
            })
        );
        assert_eq!(check_freshness(now, now, 0), Ok(()));
        assert!(matches!(
            check_freshness(now - 1, now, 0),
            Err(AuthError::StaleTimestamp { .. })
        ));
        assert!(matches!(
            check_freshness(now + 1, now, 0),
            Err(AuthError::FutureTimestamp { .. })
        ));
        // A negative window accepts nothing.
        assert!(check_freshness(now, now, -1).is_err());
        // Extremes do not overflow.
        assert!(matches!(
            check_freshness(i64::MIN, i64::MAX, i64::MAX),
            Err(AuthError::StaleTimestamp { .. })
        ));
        assert!(matches!(
            check_freshness(i64::MAX, i64::MIN, i64::MAX),
            Err(AuthError::FutureTimestamp { .. })
        ));
        assert_eq!(check_freshness(i64::MAX, i64::MAX, i64::MAX), Ok(()));
        assert_eq!(
            check_freshness(i64::MIN, 0, i64::MAX),
            Err(AuthError::StaleTimestamp {
                timestamp: i64::MIN,
                now: 0,
                window_seconds: i64::MAX
            })
        );
    }

    #[test]
    fn error_messages_read_well() {
        assert_eq!(
            check_freshness(100, 500, 300)
                .expect_err("stale")
                .to_string(),
            "request timestamp 100 is more than 300 seconds behind server time 500"
        );
        assert_eq!(
            request("FETCH", "/", NONCE, "d")
                .expect_err("bad method")
                .to_string(),
            "invalid method: must be one of GET, POST, PUT, PATCH, DELETE"
        );
    }

    #[test]
    fn method_is_upper_cased_and_restricted() {
        for method in METHODS {
            assert_eq!(request(method, "/", NONCE, "d"), Ok(()));
        }
        let lower = CanonicalRequest::new("patch", "/", b"", 0, NONCE, "d").expect("valid");
        assert_eq!(lower.method(), "PATCH");
        for method in [
            "", "HEAD", "OPTIONS", "CONNECT", "TRACE", "POST ", "POST\n", "PÖST",
        ] {
            assert_eq!(
                invalid_field(request(method, "/", NONCE, "d")),
                "method",
                "{method:?}"
            );
        }
    }

    #[test]
    fn path_rules() {
        for path in [
            "/",
            "/v1/transfers?x=1&y=%20",
            "/a?b=c#d",
            "/~user/%E6%97%A5",
        ] {
            assert_eq!(request("GET", path, NONCE, "d"), Ok(()), "{path:?}");
        }
        for path in [
            "",
            "v1/x",
            "https://example.com/v1",
            "/v1\n/x",
            "/v1\r\n",
            "/a b",
            "/\t",
            "/\0",
            "/日本",
        ] {
            assert_eq!(
                invalid_field(request("GET", path, NONCE, "d")),
                "path",
                "{path:?}"
            );
        }
    }

    #[test]
    fn nonce_rules() {
        let ok = |nonce: &str| request("GET", "/", nonce, "d");
        assert_eq!(ok(&"a".repeat(16)), Ok(()));
        assert_eq!(ok(&"Z".repeat(128)), Ok(()));
        assert_eq!(ok("AZaz09_-AZaz09_-"), Ok(()));
        for nonce in [
            String::new(),
            "a".repeat(15),
            "a".repeat(129),
            "abcdefghijklmno=".to_owned(),
            "abcdefghijklmno+".to_owned(),
            "abcdefghijklmno\n".to_owned(),
            "abcdefghijklmno ".to_owned(),
            "abcdefghijklmnoé".to_owned(),
        ] {
            assert_eq!(invalid_field(ok(&nonce)), "nonce", "{nonce:?}");
        }
    }

    #[test]
    fn device_id_rules() {
        let ok = |device: &str| request("GET", "/", NONCE, device);
        assert_eq!(ok("d"), Ok(()));
        assert_eq!(ok("550e8400-e29b-41d4-a716-446655440000"), Ok(()));
        assert_eq!(ok(&"x".repeat(128)), Ok(()));
        for device in ["", "dev\n1", "dev 1", "dev\t1", "dév", &"x".repeat(129)] {
            assert_eq!(invalid_field(ok(device)), "device_id", "{device:?}");
        }
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let key = vector_key();
        assert_eq!(format!("{key:?}"), "DeviceSigningKey(<redacted>)");
        assert_eq!(format!("{key:#?}"), "DeviceSigningKey(<redacted>)");
        assert_eq!(
            format!("{:?}", key.public_key()),
            format!("DevicePublicKey({VECTOR_PUBLIC_B64})")
        );
    }

    #[test]
    fn public_key_text_and_serde() {
        let public = vector_key().public_key();
        assert_eq!(public.to_string(), VECTOR_PUBLIC_B64);
        assert_eq!(VECTOR_PUBLIC_B64.parse::<DevicePublicKey>(), Ok(public));
        let json = serde_json::to_string(&public).expect("serializes");
        assert_eq!(json, format!("\"{VECTOR_PUBLIC_B64}\""));
        assert_eq!(
            serde_json::from_str::<DevicePublicKey>(&json).expect("deserializes"),
            public
        );
        assert!(serde_json::from_str::<DevicePublicKey>("\"AAAA\"").is_err());
    }

    #[derive(Clone, Debug)]
    struct Fields {
        method: &'static str,
        path: String,
        body: Vec<u8>,
        timestamp: i64,
        nonce: String,
        device_id: String,
    }

    impl Fields {
        fn build(&self) -> CanonicalRequest {
            CanonicalRequest::new(
                self.method,
                &self.path,
                &self.body,
                self.timestamp,
                &self.nonce,
                &self.device_id,
            )
            .expect("strategy makes valid fields")
        }
    }

    fn any_method() -> impl Strategy<Value = &'static str> {
        prop::sample::select(METHODS.to_vec())
    }
    fn any_path() -> impl Strategy<Value = String> {
        "/[!-~]{0,40}"
    }
    fn any_body() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(any::<u8>(), 0..64)
    }
    fn any_nonce() -> impl Strategy<Value = String> {
        "[A-Za-z0-9_-]{16,40}"
    }
    fn any_device_id() -> impl Strategy<Value = String> {
        "[!-~]{1,40}"
    }

    fn any_fields() -> impl Strategy<Value = Fields> {
        (
            any_method(),
            any_path(),
            any_body(),
            any::<i64>(),
            any_nonce(),
            any_device_id(),
        )
            .prop_map(|(method, path, body, timestamp, nonce, device_id)| Fields {
                method,
                path,
                body,
                timestamp,
                nonce,
                device_id,
            })
    }

    /// The fields with exactly one of them replaced by another valid value (possibly the
    /// same value; the test skips those).
    fn mutated(fields: Fields) -> impl Strategy<Value = (Fields, Fields)> {
        let original = fields.clone();
        let timestamp = fields.timestamp;
        prop_oneof![
            any_method().prop_map({
                let f = fields.clone();
                move |method| Fields {
                    method,
                    ..f.clone()
                }
            }),
            any_path().prop_map({
                let f = fields.clone();
                move |path| Fields { path, ..f.clone() }
            }),
            // Small edits to the body as well as fresh bodies.
            (any_body(), any::<prop::sample::Index>(), any::<u8>()).prop_map({
                let f = fields.clone();
                move |(body, index, flip)| {
                    if f.body.is_empty() || flip == 0 {
                        Fields { body, ..f.clone() }
                    } else {
                        let mut body = f.body.clone();
                        body[index.index(f.body.len())] ^= flip;
                        Fields { body, ..f.clone() }
                    }
                }
            }),
            // Off by a second or two as well as anywhere at all.
            prop_oneof![
                any::<i64>(),
                (-2i64..=2).prop_map(move |delta| timestamp.wrapping_add(delta)),
            ]
            .prop_map({
                let f = fields.clone();
                move |timestamp| Fields {
                    timestamp,
                    ..f.clone()
                }
            }),
            any_nonce().prop_map({
                let f = fields.clone();
                move |nonce| Fields { nonce, ..f.clone() }
            }),
            any_device_id().prop_map({
                let f = fields.clone();
                move |device_id| Fields {
                    device_id,
                    ..f.clone()
                }
            }),
        ]
        .prop_map(move |changed| (original.clone(), changed))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn any_changed_field_breaks_the_signature(
            (original, changed) in any_fields().prop_flat_map(mutated),
        ) {
            let original = original.build();
            let changed = changed.build();
            prop_assume!(original != changed);
            prop_assert_ne!(original.to_bytes(), changed.to_bytes());
            let key = vector_key();
            let signature = key.sign_request(&original);
            let public = key.public_key();
            prop_assert_eq!(public.verify_request(&original, &signature), Ok(()));
            prop_assert_eq!(
                public.verify_request(&changed, &signature),
                Err(AuthError::BadSignature)
            );
        }

        #[test]
        fn canonical_bytes_split_back_into_the_fields(fields in any_fields()) {
            let request = fields.build();
            let bytes = request.to_bytes();
            let text = std::str::from_utf8(&bytes).expect("ASCII");
            let lines: Vec<&str> = text.split('\n').collect();
            let timestamp = fields.timestamp.to_string();
            let body_hash = hex(&Sha256::digest(&fields.body));
            prop_assert_eq!(
                lines,
                vec![
                    REQUEST_VERSION,
                    fields.method,
                    fields.path.as_str(),
                    body_hash.as_str(),
                    timestamp.as_str(),
                    fields.nonce.as_str(),
                    fields.device_id.as_str(),
                ]
            );
        }

        #[test]
        fn fields_with_a_line_feed_are_refused(
            fields in any_fields(),
            which in 0..3usize,
            at in any::<prop::sample::Index>(),
        ) {
            let mut fields = fields;
            let target = match which {
                0 => &mut fields.path,
                1 => &mut fields.nonce,
                _ => &mut fields.device_id,
            };
            target.insert(at.index(target.len() + 1).max(1), '\n');
            let result = CanonicalRequest::new(
                fields.method,
                &fields.path,
                &fields.body,
                fields.timestamp,
                &fields.nonce,
                &fields.device_id,
            );
            let is_invalid_field = matches!(result, Err(AuthError::InvalidField { .. }));
            prop_assert!(is_invalid_field);
        }

        #[test]
        fn keys_and_signatures_round_trip_through_text(
            secret in any::<[u8; 32]>(),
            message in prop::collection::vec(any::<u8>(), 0..64),
        ) {
            let Ok(key) = DeviceSigningKey::from_bytes(&secret) else {
                return Ok(()); // zero or >= n: astronomically rare
            };
            let again = DeviceSigningKey::from_base64url(&key.to_base64url_secret())
                .expect("parses");
            prop_assert_eq!(again.public_key(), key.public_key());
            let public = DevicePublicKey::from_base64url(&key.public_key().to_base64url())
                .expect("parses");
            prop_assert_eq!(public, key.public_key());
            let signature = key.sign(&message);
            let parsed = Signature::from_base64url(&signature.to_base64url()).expect("parses");
            prop_assert_eq!(parsed, signature);
            prop_assert_eq!(public.verify(&message, &parsed), Ok(()));
            prop_assert_eq!(
                other_key().public_key().verify(&message, &parsed),
                Err(AuthError::BadSignature)
            );
        }
    }
}
