//! A lost phone costs nothing: the lock code from the recovery sheet suspends every device
//! of the wallet from any browser, and nothing else; only the recovery code lifts it; wrong
//! lock codes from one place are paused.

use reqwest::{Method, StatusCode};
use saifu_api::{ErrorCode, RecoverySheet, TillRole, Wallet, WalletEvent, WalletLocked, paths};
use saifu_server::testing::{TestApp, TestDevice, spawn_demo_app, unique};

use crate::common::{balance, error_of, funded_wallet};
use crate::events::Events;

/// Asks to lock from a loopback address of this test's own: wrong codes are counted by
/// where they come from, and tests share the PostgreSQL database.
async fn lock(app: &TestApp, code: &str) -> reqwest::Response {
    source_client()
        .post(format!("{}{}", app.base, paths::LOCK))
        .json(&serde_json::json!({ "lock_code": code }))
        .send()
        .await
        .expect("send")
}

async fn resume(app: &TestApp, device: &TestDevice, code: &str) -> reqwest::Response {
    let body = serde_json::json!({ "recovery_code": code }).to_string();
    device
        .signed(app, Method::POST, paths::RESUME, &body)
        .send()
        .await
        .expect("send")
}

/// A client on a loopback address no other test uses (127.x.y.z, from the test's name).
fn source_client() -> reqwest::Client {
    thread_local! {
        static CLIENT: reqwest::Client = {
            let name = std::thread::current().name().unwrap_or("test").to_owned();
            let hash = name.bytes().fold(17_u32, |hash, byte| hash.wrapping_mul(31).wrapping_add(byte.into()));
            let [_, a, b, c] = hash.to_be_bytes();
            let address = std::net::Ipv4Addr::new(127, a, b, c.max(2));
            reqwest::Client::builder()
                .local_address(std::net::IpAddr::V4(address))
                .build()
                .expect("a client")
        };
    }
    CLIENT.with(Clone::clone)
}

#[tokio::test]
async fn the_lock_code_suspends_every_device_and_only_the_recovery_code_lifts_it() {
    let app = spawn_demo_app().await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let tablet = TestDevice::new();
    app.add_device(&phone, &tablet).await;
    let sheet: RecoverySheet = phone
        .ok(&app, Method::POST, paths::RECOVERY_SHEET, "")
        .await;
    assert_eq!(sheet.lock_code.len(), 14);
    assert_eq!(sheet.recovery_code.len(), 24);
    let mut events = Events::open(&app, &tablet).await;

    // From any browser, typed as a person types it.
    let locked = lock(&app, &sheet.lock_code.to_lowercase().replace('-', " ")).await;
    assert_eq!(locked.status(), StatusCode::OK);
    let locked: WalletLocked = locked.json().await.expect("an answer");
    match events.next().await {
        Some(WalletEvent::WalletSuspended { suspended_at }) => {
            assert_eq!(suspended_at, locked.suspended_at)
        }
        other => panic!("the tablet heard {other:?}"),
    }
    // Every device is refused, whatever it asks, and its pay code with it.
    for device in [&phone, &tablet] {
        let refused = device
            .signed(&app, Method::GET, paths::WALLET, "")
            .send()
            .await
            .expect("send");
        assert_eq!(
            error_of(refused).await,
            (StatusCode::FORBIDDEN, ErrorCode::WalletSuspended)
        );
    }
    let grant = phone
        .signed(&app, Method::POST, paths::PAY_CODE, "")
        .send()
        .await
        .expect("send");
    assert_eq!(error_of(grant).await.1, ErrorCode::WalletSuspended);
    // Locking again keeps the first time; the lock code cannot lift it.
    let again: WalletLocked = lock(&app, &sheet.lock_code)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(again.suspended_at, locked.suspended_at);
    assert_eq!(
        error_of(resume(&app, &tablet, &sheet.lock_code).await).await,
        (StatusCode::FORBIDDEN, ErrorCode::InvalidRecoveryCode)
    );

    // The recovery code lifts it, from any device of the wallet; the money is all there.
    let resumed = resume(&app, &tablet, &sheet.recovery_code.to_lowercase()).await;
    assert_eq!(resumed.status(), StatusCode::OK);
    let wallet: Wallet = resumed.json().await.expect("the wallet");
    assert_eq!(wallet.balance, balance(&app, &phone).await);
    assert!(matches!(
        events.next().await,
        Some(WalletEvent::WalletResumed)
    ));

    // A new sheet replaces the old: its lock code no longer works.
    let new: RecoverySheet = phone
        .ok(&app, Method::POST, paths::RECOVERY_SHEET, "")
        .await;
    assert_ne!(new, sheet);
    assert_eq!(
        error_of(lock(&app, &sheet.lock_code).await).await,
        (StatusCode::NOT_FOUND, ErrorCode::InvalidLockCode)
    );
}

#[tokio::test]
async fn a_new_wallet_gets_its_sheet_and_a_suspended_wallets_code_is_refused_at_the_till() {
    let app = spawn_demo_app().await;
    let phone = TestDevice::new();
    let created = app.create_wallet(&phone).await;
    let sheet = created.recovery;
    let till = app.till("sh-lanxin-noodles", TillRole::Staff).await;
    let grant: saifu_api::PayCodeGrant = phone.ok(&app, Method::POST, paths::PAY_CODE, "").await;
    assert_eq!(lock(&app, &sheet.lock_code).await.status(), StatusCode::OK);
    use base64::Engine as _;
    let key: [u8; 32] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&grant.key)
        .unwrap()
        .try_into()
        .unwrap();
    let code = saifu_core::paycode::make(
        &saifu_core::paycode::PayCodeKey::from_bytes(key),
        grant.device_number,
        saifu_server::unix_now(),
    )
    .unwrap();
    let body = serde_json::json!({ "code": code, "amount": "5.00" }).to_string();
    let charged = till
        .signed(&app, Method::POST, paths::PAY_CODE_CHARGES, &body)
        .header(paths::IDEMPOTENCY_KEY, unique("charge-key"))
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(charged).await,
        (StatusCode::FORBIDDEN, ErrorCode::WalletSuspended)
    );
}

#[tokio::test]
async fn wrong_lock_codes_are_paused_after_ten() {
    let app = spawn_demo_app().await;
    let (phone, _card) = funded_wallet(&app, "10.00").await;
    let sheet: RecoverySheet = phone
        .ok(&app, Method::POST, paths::RECOVERY_SHEET, "")
        .await;
    for wrong in ["", "hello", "0000-0000-0000"] {
        assert_eq!(
            error_of(lock(&app, wrong).await).await,
            (StatusCode::NOT_FOUND, ErrorCode::InvalidLockCode),
            "{wrong:?}"
        );
    }
    for _ in 3..10 {
        lock(&app, "1111-2222-3333").await;
    }
    // Even the right code waits now: it could be a guess.
    assert_eq!(
        error_of(lock(&app, &sheet.lock_code).await).await,
        (StatusCode::TOO_MANY_REQUESTS, ErrorCode::LockPaused)
    );
    let still: Wallet = phone.ok(&app, Method::GET, paths::WALLET, "").await;
    assert!(still.balance.minor() > 0);
    // A malformed body is a clear refusal, not a crash.
    let malformed = source_client()
        .post(format!("{}{}", app.base, paths::LOCK))
        .header("content-type", "application/json")
        .body("{\"lock\":")
        .send()
        .await
        .expect("send");
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_lock_page_is_served_in_three_languages() {
    let app = spawn_demo_app().await;
    let page = app
        .http
        .get(format!("{}{}", app.base, paths::LOCK_PAGE))
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.expect("the page");
    for words in ["Lock my wallet", "锁定我的钱包", "ウォレットをロック"] {
        assert!(html.contains(words), "{words}");
    }
}
