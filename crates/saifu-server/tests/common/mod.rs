//! What every test of the service shares: a service spawned on port 0 over a fresh
//! database, and devices that sign their requests as the app does.
//! `SAIFU_TEST_DATABASE_URL` points the suite at PostgreSQL; by default each test gets its
//! own SQLite file.
#![allow(dead_code)] // each test file uses its own part of this

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use reqwest::{Method, StatusCode};
use saifu_api::{
    Card, Challenge, CreateWallet, Device, DeviceRegistration, ErrorCode, ErrorResponse, Funding,
    Pay, Quote, QuoteRequest, Wallet, WalletCreated, paths,
};
use saifu_core::auth::{self, CanonicalRequest, DeviceSigningKey};
use saifu_core::money::{Currency, Money};
use saifu_server::{AppState, Db, ledger, unix_now};

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{:06}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn currency(code: &str) -> Currency {
    Currency::from_code(code).expect("ISO currency")
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: Db,
    /// Set only for SQLite: the file, to check what is stored in it.
    pub sqlite_file: Option<std::path::PathBuf>,
    /// Seconds added to the service's clock, to let prices expire.
    pub clock_offset: Arc<AtomicI64>,
}

pub async fn spawn_app() -> TestApp {
    // The service's log, shown with a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("saifu_server=debug")
        .try_init();
    let (url, sqlite_file) = match std::env::var("SAIFU_TEST_DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let dir = std::env::temp_dir().join(unique("saifu-server-test"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let file = dir.join("wallet.db");
            (format!("sqlite://{}", file.display()), Some(file))
        }
    };
    let db = Db::connect(&url)
        .await
        .expect("open and migrate the database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let clock_offset = Arc::new(AtomicI64::new(0));
    let offset = clock_offset.clone();
    let state = AppState::with_clock(db.clone(), move || {
        unix_now() + offset.load(Ordering::Relaxed)
    });
    tokio::spawn(saifu_server::serve(listener, state, std::future::pending()));
    TestApp {
        base,
        http: reqwest::Client::new(),
        db,
        sqlite_file,
        clock_offset,
    }
}

impl TestApp {
    /// A service running elsewhere (another process) at `base`, over `db`. Its clock is its
    /// own: `clock_offset` has no effect on it.
    pub fn external(base: String, db: Db) -> TestApp {
        TestApp {
            base,
            http: reqwest::Client::new(),
            db,
            sqlite_file: None,
            clock_offset: Arc::new(AtomicI64::new(0)),
        }
    }
}

/// A device as the app is one: its own id and key, signing every request.
pub struct TestDevice {
    pub id: String,
    key: DeviceSigningKey,
}

impl TestDevice {
    /// A device with a fresh random key: tests share one PostgreSQL database, and keys are unique.
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

    pub fn signed_at(
        &self,
        app: &TestApp,
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
        app.http
            .request(method, format!("{}{path}", app.base))
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

impl TestApp {
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

    /// A yuan wallet with `device` as its first device.
    pub async fn create_wallet(&self, device: &TestDevice) -> WalletCreated {
        self.create_wallet_in(device, "CNY").await
    }

    /// A wallet keeping its money in `home`, with `device` as its first device.
    pub async fn create_wallet_in(&self, device: &TestDevice, home: &str) -> WalletCreated {
        let registration = device.registration(&self.challenge().await);
        let response = self.post_wallet_in(&registration, currency(home)).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// Asks for a yuan wallet with `registration` as its first device, whatever the answer.
    pub async fn post_wallet(&self, registration: &DeviceRegistration) -> reqwest::Response {
        self.post_wallet_in(registration, currency("CNY")).await
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
}

impl TestApp {
    /// The EMV code a demo shop shows: static without `amount`, dynamic with it.
    pub async fn merchant_payload(&self, merchant_id: &str, amount: Option<&str>) -> String {
        let merchant = self
            .db
            .merchant(merchant_id)
            .await
            .expect("query")
            .expect("seeded");
        saifu_server::demo::merchant_code(&merchant, amount)
            .expect("code")
            .encode()
            .expect("encodes")
    }
}

pub async fn error_of(response: reqwest::Response) -> (StatusCode, ErrorCode) {
    let status = response.status();
    let error: ErrorResponse = response.json().await.expect("an error body");
    assert!(!error.message.is_empty());
    (status, error.code)
}

// Cards, top-ups, quotes and payments as the app makes them.

/// The body that links card `number`; American Express takes four security digits.
pub fn link_body(number: &str, expiry: &str) -> String {
    let security_code = if number.starts_with("37") {
        "1234"
    } else {
        "123"
    };
    serde_json::json!({ "number": number, "expiry": expiry, "security_code": security_code, "holder": "Mei Tanaka" }).to_string()
}

/// Links card `number`, expiring 12/35.
pub async fn link(app: &TestApp, device: &TestDevice, number: &str) -> Card {
    device
        .ok(app, Method::POST, paths::CARDS, &link_body(number, "12/35"))
        .await
}

pub async fn top_up(
    app: &TestApp,
    device: &TestDevice,
    card: &Card,
    amount: &str,
    key: &str,
) -> reqwest::Response {
    let body = serde_json::json!({ "card_id": card.card_id, "amount": amount }).to_string();
    device
        .signed(app, Method::POST, paths::TOP_UPS, &body)
        .header(paths::IDEMPOTENCY_KEY, key)
        .send()
        .await
        .expect("send")
}

/// Prices a payment at a shop: `amount` makes its code dynamic, `entered` is typed by the payer.
pub async fn quote(
    app: &TestApp,
    device: &TestDevice,
    merchant_id: &str,
    amount: Option<&str>,
    entered: Option<&str>,
) -> Quote {
    let payload = app.merchant_payload(merchant_id, amount).await;
    let body = serde_json::to_string(&QuoteRequest {
        payload,
        amount: entered.map(str::to_owned),
    })
    .expect("json");
    device.ok(app, Method::POST, paths::QUOTES, &body).await
}

pub async fn pay(
    app: &TestApp,
    device: &TestDevice,
    quote_id: &str,
    funding: Funding,
    key: &str,
) -> reqwest::Response {
    let body = serde_json::to_string(&Pay {
        quote_id: quote_id.to_owned(),
        funding,
    })
    .expect("json");
    device
        .signed(app, Method::POST, paths::PAYMENTS, &body)
        .header(paths::IDEMPOTENCY_KEY, key)
        .send()
        .await
        .expect("send")
}

pub async fn balance(app: &TestApp, device: &TestDevice) -> Money {
    device
        .ok::<Wallet>(app, Method::GET, paths::WALLET, "")
        .await
        .balance
}

/// Every currency's ledger entries sum to zero: with other tests sharing the database too,
/// since each posts whole transactions.
pub async fn assert_ledger_balances(app: &TestApp) {
    for (currency, total) in ledger::ledger_sums(&app.db).await.expect("sums") {
        assert_eq!(total, 0, "the ledger does not balance in {currency}");
    }
}
