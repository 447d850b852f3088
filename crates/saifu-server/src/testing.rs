//! What every test of the service shares (feature `testing`): a service spawned on port 0
//! over a fresh database, devices that sign their requests as the app does, and a check
//! that every response the service gives in a test matches its OpenAPI document.
//! `SAIFU_TEST_DATABASE_URL` points the tests at PostgreSQL; by default each service gets
//! its own SQLite file.

mod openapi;

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use saifu_api::{
    Challenge, CreateWallet, Device, DeviceRegistration, EnrolTill, Invite, TillRole,
    WalletCreated, paths,
};
use saifu_core::auth::{self, CanonicalRequest, DeviceSigningKey};
use saifu_core::money::Currency;
use tokio::sync::oneshot;

use crate::{Service, Store, unix_now};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `prefix` made unique in this run and across processes sharing a database.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{:06}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh directory under the system's temporary one.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(unique(&format!("saifu-{name}")));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The shop's console as `cargo xtask` builds it: served at /merchant/ by every test app.
pub fn console_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../merchant/dist")
}

/// A service in this process, on a port of its own.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub store: Store,
    /// Set only for SQLite: the file, to check what is stored in it.
    pub sqlite_file: Option<std::path::PathBuf>,
    /// Seconds added to the service's clock, to let prices expire.
    pub clock_offset: Arc<AtomicI64>,
    /// Responses that did not match the OpenAPI document: the test fails on them.
    violations: Arc<Mutex<Vec<String>>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// The service over a fresh database: `SAIFU_TEST_DATABASE_URL`, else a new SQLite file.
pub async fn spawn_app() -> TestApp {
    spawn_app_confirming_within(Duration::from_secs(crate::service::CONFIRM_SECONDS)).await
}

/// [`spawn_app`] whose pay-code charges wait `within` for their customer.
pub async fn spawn_app_confirming_within(within: Duration) -> TestApp {
    // The service's log, shown with a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("saifu_server=debug")
        .try_init();
    let (url, sqlite_file) = match std::env::var("SAIFU_TEST_DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let file = temp_dir("server-test").join("wallet.db");
            (format!("sqlite://{}", file.display()), Some(file))
        }
    };
    let store = Store::connect(&url)
        .await
        .expect("open and migrate the database");
    let mut app = TestApp::serve(store, within).await;
    app.sqlite_file = sqlite_file;
    app
}

/// [`spawn_app`] with the demo shops and promotions.
pub async fn spawn_demo_app() -> TestApp {
    with_demo(spawn_app().await).await
}

/// [`spawn_app_confirming_within`] with the demo shops and promotions.
pub async fn spawn_demo_app_confirming_within(within: Duration) -> TestApp {
    with_demo(spawn_app_confirming_within(within).await).await
}

async fn with_demo(app: TestApp) -> TestApp {
    crate::demo::seed(&app.store, unix_now())
        .await
        .expect("demo shops");
    crate::demo::seed_promotions(&app.store, unix_now())
        .await
        .expect("demo promotions");
    app
}

impl TestApp {
    async fn serve(store: Store, confirm_within: Duration) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let clock_offset = Arc::new(AtomicI64::new(0));
        let offset = clock_offset.clone();
        let service = Service::with_clock(store.clone(), move || {
            unix_now() + offset.load(Ordering::Relaxed)
        })
        .confirm_within(confirm_within);
        let violations = Arc::new(Mutex::new(Vec::new()));
        let check = openapi::check(violations.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            crate::serve_with(listener, service, shutdown, |router| {
                let router = crate::http::with_console(router, console_dir());
                crate::http::conformance::checked(router, check)
            })
            .await
            .expect("serve");
        });
        TestApp {
            base,
            http: reqwest::Client::new(),
            store,
            sqlite_file: None,
            clock_offset,
            violations,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// A service running elsewhere (another process) at `base`, over `store`. Its clock is
    /// its own: `clock_offset` has no effect on it, and its answers are not checked against
    /// the document.
    pub fn external(base: String, store: Store) -> TestApp {
        TestApp {
            base,
            http: reqwest::Client::new(),
            store,
            sqlite_file: None,
            clock_offset: Arc::new(AtomicI64::new(0)),
            violations: Arc::new(Mutex::new(Vec::new())),
            stop: None,
            task: None,
        }
    }

    /// Stops accepting requests and waits for the requests under way to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    pub async fn challenge(&self) -> Challenge {
        self.http
            .post(format!("{}{}", self.base, paths::CHALLENGES))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json")
    }

    /// A one-time invite for a till of `merchant_id`, as `saifu-server invite` issues it.
    pub async fn invite(&self, merchant_id: &str, role: TillRole) -> Invite {
        Service::new(self.store.clone())
            .issue_invite(merchant_id, role)
            .await
            .expect("an invite")
    }

    /// Asks to make `till` a till with invite `code`, whatever the answer.
    pub async fn post_till(&self, till: &TestDevice, code: &str) -> reqwest::Response {
        let enrol = EnrolTill {
            invite_code: code.to_owned(),
            till: till.registration(&self.challenge().await),
        };
        self.http
            .post(format!("{}{}", self.base, paths::TILLS))
            .json(&enrol)
            .send()
            .await
            .expect("send")
    }

    /// A new till of `merchant_id` with `role`, enrolled.
    pub async fn till(&self, merchant_id: &str, role: TillRole) -> TestDevice {
        let till = TestDevice::new();
        let code = self.invite(merchant_id, role).await.code;
        let response = self.post_till(&till, &code).await;
        assert_eq!(response.status(), StatusCode::OK, "enrol a till");
        till
    }

    /// A yuan wallet with `device` as its first device.
    pub async fn create_wallet(&self, device: &TestDevice) -> WalletCreated {
        self.create_wallet_in(device, "CNY").await
    }

    /// A wallet keeping its money in `home`, with `device` as its first device.
    pub async fn create_wallet_in(&self, device: &TestDevice, home: &str) -> WalletCreated {
        let registration = device.registration(&self.challenge().await);
        let home = Currency::from_code(home).expect("ISO currency");
        let response = self.post_wallet_in(&registration, home).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// Asks for a yuan wallet with `registration` as its first device, whatever the answer.
    pub async fn post_wallet(&self, registration: &DeviceRegistration) -> reqwest::Response {
        let cny = Currency::from_code("CNY").expect("ISO currency");
        self.post_wallet_in(registration, cny).await
    }

    async fn post_wallet_in(
        &self,
        registration: &DeviceRegistration,
        home_currency: Currency,
    ) -> reqwest::Response {
        let body = CreateWallet {
            device: registration.clone(),
            home_currency,
        };
        self.http
            .post(format!("{}{}", self.base, paths::WALLETS))
            .json(&body)
            .send()
            .await
            .expect("send")
    }

    pub async fn add_device(&self, by: &TestDevice, new: &TestDevice) -> Device {
        let body = serde_json::to_string(&new.registration(&self.challenge().await)).expect("json");
        by.ok(self, Method::POST, paths::DEVICES, &body).await
    }

    /// The EMV code a shop shows: static without `amount`, dynamic with it.
    pub async fn merchant_payload(&self, merchant_id: &str, amount: Option<&str>) -> String {
        let merchant = self
            .store
            .merchant(merchant_id)
            .await
            .expect("query")
            .expect("seeded merchant");
        crate::demo::merchant_code(&merchant, amount)
            .expect("code")
            .encode()
            .expect("encodes")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let violations = self
            .violations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "responses that do not match /openapi.json:\n{}",
                violations.join("\n")
            );
        }
    }
}

/// A device as the app is one: its own id and key, signing every request.
pub struct TestDevice {
    pub id: String,
    key: DeviceSigningKey,
}

impl Default for TestDevice {
    fn default() -> Self {
        Self::new()
    }
}

impl TestDevice {
    /// A device with a fresh random key: tests share one PostgreSQL database, and keys are
    /// unique.
    pub fn new() -> TestDevice {
        let mut secret = [0_u8; 32];
        getrandom::fill(&mut secret).expect("randomness");
        TestDevice {
            id: unique("dev"),
            key: DeviceSigningKey::from_bytes(&secret).expect("a random scalar is valid"),
        }
    }

    pub fn registration(&self, challenge: &Challenge) -> DeviceRegistration {
        let public_key = self.key.public_key();
        let message = auth::registration_message(&challenge.challenge, &self.id, &public_key)
            .expect("valid message");
        DeviceRegistration {
            device_id: self.id.clone(),
            device_name: format!("Test phone {}", &self.id[self.id.len() - 3..]),
            public_key: public_key.to_base64url(),
            challenge: challenge.challenge.clone(),
            signature: self.key.sign(&message).to_base64url(),
        }
    }

    /// A request signed now with a fresh nonce.
    pub fn signed(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        body: &str,
    ) -> reqwest::RequestBuilder {
        self.signed_at(
            app,
            method,
            path,
            body,
            unix_now(),
            &unique("nonce-for-test"),
        )
    }

    /// A request signed at `timestamp` with `nonce`.
    pub fn signed_at(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        body: &str,
        timestamp: i64,
        nonce: &str,
    ) -> reqwest::RequestBuilder {
        self.request_at(&app.http, &app.base, method, path, body, timestamp, nonce)
    }

    /// A request to the service at `base` signed at `timestamp` with `nonce`.
    #[allow(clippy::too_many_arguments)]
    pub fn request_at(
        &self,
        http: &reqwest::Client,
        base: &str,
        method: Method,
        path: &str,
        body: &str,
        timestamp: i64,
        nonce: &str,
    ) -> reqwest::RequestBuilder {
        let canonical = CanonicalRequest::new(
            method.as_str(),
            path,
            body.as_bytes(),
            timestamp,
            nonce,
            &self.id,
        )
        .expect("valid request");
        let signature = self.key.sign_request(&canonical);
        http.request(method, format!("{base}{path}"))
            .header(auth::HEADER_DEVICE, &self.id)
            .header(auth::HEADER_TIMESTAMP, timestamp.to_string())
            .header(auth::HEADER_NONCE, nonce)
            .header(auth::HEADER_SIGNATURE, signature.to_base64url())
            .header("content-type", "application/json")
            .body(body.to_owned())
    }

    /// A signed request whose JSON answer is expected to succeed.
    pub async fn ok<T: serde::de::DeserializeOwned>(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        body: &str,
    ) -> T {
        let response = self
            .signed(app, method, path, body)
            .send()
            .await
            .expect("send");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        serde_json::from_str(&text).expect("JSON answer")
    }
}
