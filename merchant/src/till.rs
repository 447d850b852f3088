//! This browser as a till: its key in IndexedDB, its enrolment, and every request to the
//! service signed as a wallet's devices sign theirs.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use saifu_api::{Challenge, DeviceRegistration, EnrolTill, ErrorResponse, Shop, paths};
use saifu_core::auth::{self, CanonicalRequest, DevicePublicKey, Signature};
use saifu_core::code::Code;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/browser.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn load_till() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn save_till(key: &JsValue, till_id: &str, shop: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn forget_till() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn new_key() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn public_key_raw(key: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn sign(key: &JsValue, bytes: &[u8]) -> Result<JsValue, JsValue>;
    pub fn speak(text: &str, lang: &str);
    pub fn save_file(name: &str, kind: &str, text: &str);
    #[wasm_bindgen(catch)]
    pub async fn camera_start(video: &JsValue) -> Result<JsValue, JsValue>;
    pub fn camera_stop(video: &JsValue);
    pub fn camera_frame(video: &JsValue) -> JsValue;
}

/// The pay code in the camera's frame now, if one is there: read by saifu-scan, the app's
/// own decoder, and accepted only when its check digit holds.
pub fn pay_code_in_view(video: &JsValue) -> Option<String> {
    let frame = camera_frame(video);
    if frame.is_null() {
        return None;
    }
    let field = |name: &str| js_sys::Reflect::get(&frame, &name.into()).ok();
    let width = field("width")?.as_f64()? as u32;
    let height = field("height")?.as_f64()? as u32;
    let grey = js_sys::Uint8Array::new(&field("grey")?).to_vec();
    saifu_scan::decode_luma(width, height, grey)?
        .into_iter()
        .map(|code| code.text)
        .find(|text| saifu_core::paycode::PayCode::parse(text).is_ok())
}

/// Why a call did not go through: a code from the one list, worded by the console.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem(pub Code);

fn browser(_: JsValue) -> Problem {
    Problem(Code::Storage)
}

/// An enrolled till: its key (a WebCrypto key pair, the private half unreadable), its id,
/// and its shop as it was when the page last asked.
#[derive(Clone, Debug, PartialEq)]
pub struct Till {
    key: JsValue,
    pub till_id: String,
    pub shop: Shop,
}

impl Till {
    /// The till this browser is, if it was enrolled.
    pub async fn load() -> Result<Option<Till>, Problem> {
        let stored = load_till().await.map_err(browser)?;
        if stored.is_null() || stored.is_undefined() {
            return Ok(None);
        }
        let field = |name: &str| js_sys::Reflect::get(&stored, &name.into()).map_err(browser);
        let key = field("key")?;
        let till_id = field("till_id")?
            .as_string()
            .ok_or(Problem(Code::Storage))?;
        let shop = field("shop")?.as_string().ok_or(Problem(Code::Storage))?;
        let shop = serde_json::from_str(&shop).map_err(|_| Problem(Code::Storage))?;
        Ok(Some(Till { key, till_id, shop }))
    }

    /// Makes this browser a till with `invite_code`: a fresh key, proven over a challenge.
    pub async fn enrol(invite_code: &str, till_name: &str) -> Result<Till, Problem> {
        let key = new_key().await.map_err(browser)?;
        let raw = js_sys::Uint8Array::new(&public_key_raw(&key).await.map_err(browser)?).to_vec();
        let public_key =
            DevicePublicKey::from_sec1_bytes(&raw).map_err(|_| Problem(Code::Storage))?;
        let till_id = format!("till_{}", random_token());
        let challenge: Challenge = call("POST", paths::CHALLENGES, None, None, None).await?;
        let message = auth::registration_message(&challenge.challenge, &till_id, &public_key)
            .map_err(|_| Problem(Code::BadRequest))?;
        let signature = signature(&key, &message).await?;
        let enrol = EnrolTill {
            invite_code: invite_code.trim().to_owned(),
            till: DeviceRegistration {
                device_id: till_id.clone(),
                device_name: till_name.trim().to_owned(),
                public_key: public_key.to_base64url(),
                challenge: challenge.challenge,
                signature: signature.to_base64url(),
            },
        };
        let body = serde_json::to_string(&enrol).map_err(|_| Problem(Code::BadRequest))?;
        let shop: Shop = call("POST", paths::TILLS, Some(body), None, None).await?;
        let stored = serde_json::to_string(&shop).map_err(|_| Problem(Code::Storage))?;
        save_till(&key, &till_id, &stored).await.map_err(browser)?;
        Ok(Till { key, till_id, shop })
    }

    /// Forgets this till in this browser; the service keeps it until an owner locks it.
    pub async fn forget() -> Result<(), Problem> {
        forget_till().await.map_err(browser).map(|_| ())
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Problem> {
        call("GET", path, None, Some(self), None).await
    }

    /// A signed GET answered with text (a statement).
    pub async fn get_text(&self, path: &str) -> Result<String, Problem> {
        send("GET", path, None, Some(self), None).await
    }

    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
        idempotency_key: Option<&str>,
    ) -> Result<T, Problem> {
        let body = serde_json::to_string(body).map_err(|_| Problem(Code::BadRequest))?;
        call("POST", path, Some(body), Some(self), idempotency_key).await
    }
}

async fn signature(key: &JsValue, message: &[u8]) -> Result<Signature, Problem> {
    let signed = js_sys::Uint8Array::new(&sign(key, message).await.map_err(browser)?).to_vec();
    let bytes: [u8; 64] = signed.try_into().map_err(|_| Problem(Code::Storage))?;
    Signature::from_bytes(&bytes).map_err(|_| Problem(Code::Storage))
}

/// 18 random bytes, base64url: ids, nonces and idempotency keys nobody can guess.
pub fn random_token() -> String {
    let mut bytes = [0_u8; 18];
    if let Some(crypto) = web_sys::window().and_then(|window| window.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
    till: Option<&Till>,
    idempotency_key: Option<&str>,
) -> Result<T, Problem> {
    let text = send(method, path, body, till, idempotency_key).await?;
    serde_json::from_str(&text).map_err(|_| Problem(Code::Protocol))
}

/// One request to the service this page came from, signed by `till` when given: its text.
async fn send(
    method: &str,
    path: &str,
    body: Option<String>,
    till: Option<&Till>,
    idempotency_key: Option<&str>,
) -> Result<String, Problem> {
    let response = fetch(method, path, body, till, idempotency_key).await?;
    let text = JsFuture::from(response.text().map_err(unreachable)?)
        .await
        .map_err(unreachable)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        let refused: Result<ErrorResponse, _> = serde_json::from_str(&text);
        Err(Problem(
            refused.map_or(Code::Protocol, |refused| refused.code),
        ))
    }
}

fn unreachable(_: JsValue) -> Problem {
    Problem(Code::Unreachable)
}

impl Till {
    /// Listens to the shop's payments and refunds as they commit, calling `heard` for each,
    /// until the stream ends or breaks.
    pub async fn listen(&self, heard: impl Fn()) -> Result<(), Problem> {
        let response = fetch("GET", paths::SHOP_EVENTS, None, Some(self), None).await?;
        if !response.ok() {
            return Err(Problem(Code::Protocol));
        }
        let reader: web_sys::ReadableStreamDefaultReader = response
            .body()
            .ok_or(Problem(Code::Protocol))?
            .get_reader()
            .dyn_into()
            .map_err(|_| Problem(Code::Protocol))?;
        let mut buffer = String::new();
        loop {
            let chunk = JsFuture::from(reader.read()).await.map_err(unreachable)?;
            let field =
                |name: &str| js_sys::Reflect::get(&chunk, &name.into()).map_err(unreachable);
            if field("done")?.as_bool().unwrap_or(true) {
                return Ok(());
            }
            let bytes = js_sys::Uint8Array::new(&field("value")?).to_vec();
            buffer.push_str(&String::from_utf8_lossy(&bytes));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                // Keep-alive comments name no event.
                if block.lines().any(|line| line.starts_with("event:")) {
                    heard();
                }
            }
        }
    }
}

/// The response to one request, signed by `till` when given, whatever its status.
async fn fetch(
    method: &str,
    path: &str,
    body: Option<String>,
    till: Option<&Till>,
    idempotency_key: Option<&str>,
) -> Result<web_sys::Response, Problem> {
    let headers = web_sys::Headers::new().map_err(browser)?;
    let set = |name: &str, value: &str| headers.set(name, value).map_err(browser);
    if body.is_some() {
        set("content-type", "application/json")?;
    }
    if let Some(key) = idempotency_key {
        set(paths::IDEMPOTENCY_KEY, key)?;
    }
    if let Some(till) = till {
        let timestamp = (js_sys::Date::now() / 1000.0) as i64;
        let nonce = random_token();
        let body_bytes = body.as_deref().unwrap_or_default().as_bytes();
        let canonical =
            CanonicalRequest::new(method, path, body_bytes, timestamp, &nonce, &till.till_id)
                .map_err(|_| Problem(Code::BadRequest))?;
        let signature = signature(&till.key, &canonical.to_bytes()).await?;
        set(auth::HEADER_DEVICE, &till.till_id)?;
        set(auth::HEADER_TIMESTAMP, &timestamp.to_string())?;
        set(auth::HEADER_NONCE, &nonce)?;
        set(auth::HEADER_SIGNATURE, &signature.to_base64url())?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers);
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = web_sys::Request::new_with_str_and_init(path, &init).map_err(browser)?;
    let window = web_sys::window().ok_or(Problem(Code::Storage))?;
    JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(unreachable)?
        .dyn_into()
        .map_err(unreachable)
}
