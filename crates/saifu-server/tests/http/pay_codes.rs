//! The wallet's own pay code, charged from a shop's till: once, only by the key that made
//! it, only near the time it was made, never from a locked device; above the wallet's
//! no-PIN limit only when the device confirms; and exactly once however many tills race.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use saifu_api::{
    ErrorCode, FeedEntry, Funding, PayCodeAnswered, PayCodeConfirmation, PayCodeGrant,
    PayCodeSettings, TillRole, WalletEvent, paths,
};
use saifu_core::money::Money;
use saifu_core::paycode::{self, PayCodeKey};
use saifu_server::testing::{
    TestApp, TestDevice, spawn_demo_app, spawn_demo_app_confirming_within, unique,
};
use saifu_server::unix_now;

use crate::common::{assert_ledger_balances, balance, currency, error_of, funded_wallet};
use crate::events::Events;
use crate::promotions::own_shop;

fn cny(minor: i64) -> Money {
    Money::from_minor(minor, currency("CNY"))
}

async fn grant(app: &TestApp, phone: &TestDevice) -> PayCodeGrant {
    phone.ok(app, Method::POST, paths::PAY_CODE, "").await
}

/// The code `grant`'s device shows `seconds_ago` before now.
fn code(grant: &PayCodeGrant, seconds_ago: i64) -> String {
    use base64::Engine as _;
    let bytes: [u8; 32] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&grant.key)
        .expect("base64url")
        .try_into()
        .expect("32 bytes");
    paycode::make(
        &PayCodeKey::from_bytes(bytes),
        grant.device_number,
        unix_now() - seconds_ago,
    )
    .expect("a code")
}

async fn charge(
    app: &TestApp,
    till: &TestDevice,
    code: &str,
    amount: &str,
    key: &str,
) -> reqwest::Response {
    let body = serde_json::json!({ "code": code, "amount": amount }).to_string();
    till.signed(app, Method::POST, paths::PAY_CODE_CHARGES, &body)
        .header(paths::IDEMPOTENCY_KEY, key)
        .send()
        .await
        .expect("send")
}

async fn charged(app: &TestApp, till: &TestDevice, code: &str, amount: &str) -> FeedEntry {
    let response = charge(app, till, code, amount, &unique("charge-key")).await;
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, StatusCode::OK, "the charge was refused: {text}");
    serde_json::from_str(&text).expect("a feed entry")
}

fn price_of(entry: &FeedEntry) -> Money {
    match entry {
        FeedEntry::Payment { price, .. } => *price,
        other => panic!("not a payment: {other:?}"),
    }
}

async fn set(app: &TestApp, phone: &TestDevice, settings: &PayCodeSettings) -> reqwest::Response {
    let body = serde_json::to_string(settings).expect("JSON");
    phone
        .signed(app, Method::PUT, paths::PAY_CODE_SETTINGS, &body)
        .send()
        .await
        .expect("send")
}

#[tokio::test]
async fn a_till_charges_a_pay_code_once_and_a_retry_is_charged_once() {
    let app = spawn_demo_app().await;
    let shop = own_shop(&app).await;
    let till = app.till(&shop, TillRole::Staff).await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let mut events = Events::open(&app, &phone).await;
    let grant = grant(&app, &phone).await;
    assert_eq!(grant.settings.funding, Funding::Balance);
    assert_eq!(grant.settings.no_pin_limit, cny(20_000));
    let shown = code(&grant, 0);
    assert_eq!(shown.len(), paycode::LENGTH);

    let key = unique("charge-key");
    let response = charge(&app, &till, &shown, "25.00", &key).await;
    assert_eq!(response.status(), StatusCode::OK);
    let entry: FeedEntry = response.json().await.expect("entry");
    assert_eq!(price_of(&entry), cny(2_500));
    assert_eq!(balance(&app, &phone).await, cny(7_500));
    match events.next().await {
        Some(WalletEvent::PaymentSucceeded { receipt }) => {
            assert_eq!(receipt.paid, cny(2_500));
            assert_eq!(receipt.merchant_name, "Test Noodles");
        }
        other => panic!("the device heard {other:?}"),
    }

    // The till's retry (its connection dropped) gets the same answer, charged once.
    let retried = charge(&app, &till, &shown, "25.00", &key).await;
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(retried.json::<FeedEntry>().await.expect("entry"), entry);
    assert_eq!(balance(&app, &phone).await, cny(7_500));

    // Another charge of the same code is refused, however it is typed.
    let spaced = format!("{} {} {}", &shown[..6], &shown[6..12], &shown[12..]);
    let again = charge(&app, &till, &spaced, "25.00", &unique("charge-key")).await;
    assert_eq!(
        error_of(again).await,
        (StatusCode::CONFLICT, ErrorCode::PayCodeUsed)
    );
    assert_eq!(balance(&app, &phone).await, cny(7_500));
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn wrong_old_and_locked_codes_are_refused_and_charge_nothing() {
    let app = spawn_demo_app().await;
    let shop = own_shop(&app).await;
    let till = app.till(&shop, TillRole::Staff).await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let grant = grant(&app, &phone).await;
    let refused = |code: String, amount: &'static str| {
        let (app, till) = (&app, &till);
        async move { error_of(charge(app, till, &code, amount, &unique("charge-key")).await).await }
    };

    // A mistyped digit fails the check digit; a code that passes it but no key made is wrong.
    let mut typo = code(&grant, 0).into_bytes();
    typo[12] = if typo[12] == b'9' { b'0' } else { typo[12] + 1 };
    let typo = String::from_utf8(typo).expect("digits");
    let wrong = (StatusCode::BAD_REQUEST, ErrorCode::PayCodeWrong);
    assert_eq!(refused(typo, "5.00").await, wrong);
    let forged = paycode::make(
        &PayCodeKey::from_bytes([9; 32]),
        grant.device_number,
        unix_now(),
    )
    .expect("a code");
    assert_eq!(refused(forged, "5.00").await, wrong);
    assert_eq!(refused("hello".into(), "5.00").await, wrong);

    // Made offline two minutes ago, or an hour ago: expired.
    let expired = (StatusCode::GONE, ErrorCode::PayCodeExpired);
    assert_eq!(refused(code(&grant, 120), "5.00").await, expired);
    assert_eq!(refused(code(&grant, 3_590), "5.00").await, expired);
    // The step before the service's own is within the window a clock may be off by. Made
    // early in a step, so the charge lands in the same one and not two steps on.
    while unix_now().rem_euclid(paycode::STEP_SECONDS) > paycode::STEP_SECONDS - 5 {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let late = charged(&app, &till, &code(&grant, paycode::STEP_SECONDS), "1.00").await;
    assert_eq!(price_of(&late), cny(100));

    // Absurd amounts are refused before the code is used.
    let now = code(&grant, 0);
    for amount in ["0", "-5", "1e9", "99999999999999999999"] {
        let (status, refusal) = refused(now.clone(), amount).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{amount}");
        assert!(
            matches!(refusal, ErrorCode::BadRequest | ErrorCode::AmountOutOfRange),
            "{amount}: {refusal:?}"
        );
    }

    // Short of money with no fallback card: refused, and the code is not used up.
    assert_eq!(
        refused(now.clone(), "500.00").await,
        (StatusCode::PAYMENT_REQUIRED, ErrorCode::InsufficientFunds)
    );

    // A device locked from another of the wallet's: its codes are refused at once.
    let tablet = TestDevice::new();
    app.add_device(&phone, &tablet).await;
    let lock = tablet
        .signed(&app, Method::POST, &paths::device_lock(&phone.id), "")
        .send()
        .await
        .expect("send");
    assert_eq!(lock.status(), StatusCode::OK);
    assert_eq!(
        refused(now, "5.00").await,
        (StatusCode::FORBIDDEN, ErrorCode::PayCodeLocked)
    );
    assert_eq!(balance(&app, &tablet).await, cny(9_900));
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn a_short_balance_falls_to_the_card_only_when_the_user_allowed_it() {
    let app = spawn_demo_app().await;
    let shop = own_shop(&app).await;
    let till = app.till(&shop, TillRole::Staff).await;
    let (phone, card) = funded_wallet(&app, "10.00").await;
    let grant = grant(&app, &phone).await;
    let short = charge(
        &app,
        &till,
        &code(&grant, 0),
        "30.00",
        &unique("charge-key"),
    )
    .await;
    assert_eq!(
        error_of(short).await,
        (StatusCode::PAYMENT_REQUIRED, ErrorCode::InsufficientFunds)
    );

    let allowed = PayCodeSettings {
        funding: Funding::Balance,
        fallback_card_id: Some(card.card_id.clone()),
        no_pin_limit: cny(20_000),
    };
    assert_eq!(set(&app, &phone, &allowed).await.status(), StatusCode::OK);
    let paid = charged(&app, &till, &code(&grant, 0), "30.00").await;
    assert!(matches!(
        paid,
        FeedEntry::Payment {
            funding: saifu_api::FeedFunding::Card,
            ..
        }
    ));
    assert_eq!(balance(&app, &phone).await, cny(1_000));

    // Settings name the wallet's own cards and its own currency only.
    let foreign = PayCodeSettings {
        no_pin_limit: Money::from_minor(100, currency("JPY")),
        ..allowed.clone()
    };
    assert_eq!(
        error_of(set(&app, &phone, &foreign).await).await,
        (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
    );
    let unknown = PayCodeSettings {
        fallback_card_id: Some("card_nobody".into()),
        ..allowed
    };
    assert_eq!(
        error_of(set(&app, &phone, &unknown).await).await,
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );
}

#[tokio::test]
async fn a_shop_that_sends_many_wrong_codes_is_paused() {
    let app = spawn_demo_app().await;
    let shop = own_shop(&app).await;
    let till = app.till(&shop, TillRole::Staff).await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let grant = grant(&app, &phone).await;
    let forger = PayCodeKey::from_bytes([3; 32]);
    for second in 0..20 {
        let forged =
            paycode::make(&forger, grant.device_number, unix_now() - second * 40).expect("a code");
        let response = charge(&app, &till, &forged, "1.00", &unique("charge-key")).await;
        assert_eq!(error_of(response).await.1, ErrorCode::PayCodeWrong);
    }
    // Even a right code waits now: a guess could be right.
    let response = charge(&app, &till, &code(&grant, 0), "1.00", &unique("charge-key")).await;
    assert_eq!(
        error_of(response).await,
        (StatusCode::TOO_MANY_REQUESTS, ErrorCode::PayCodesPaused)
    );
    // Other shops are not paused.
    let other = app.till(&own_shop(&app).await, TillRole::Staff).await;
    charged(&app, &other, &code(&grant, 0), "1.00").await;
}

#[tokio::test]
async fn sixty_four_tills_racing_for_one_code_charge_it_once() {
    let app = spawn_demo_app().await;
    let shop = own_shop(&app).await;
    let mut tills = Vec::new();
    for _ in 0..64 {
        tills.push(app.till(&shop, TillRole::Staff).await);
    }
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let shown = code(&grant(&app, &phone).await, 0);
    let answers = futures_util::future::join_all(tills.iter().map(|till| {
        let (app, shown) = (&app, &shown);
        async move {
            let response = charge(app, till, shown, "3.00", &unique("charge-key")).await;
            let status = response.status();
            (status, response.text().await.expect("body"))
        }
    }))
    .await;
    let paid = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .count();
    assert_eq!(paid, 1, "{answers:?}");
    for (status, body) in &answers {
        if *status != StatusCode::OK {
            assert_eq!(*status, StatusCode::CONFLICT, "{body}");
            assert!(body.contains("pay_code_used"), "{body}");
        }
    }
    assert_eq!(balance(&app, &phone).await, cny(9_700));
    assert_ledger_balances(&app).await;
}

async fn confirmation(events: &mut Events, phone: &TestDevice) -> PayCodeConfirmation {
    match events.next().await {
        Some(WalletEvent::PayCodeConfirm {
            device_id,
            confirmation,
        }) => {
            assert_eq!(device_id, phone.id);
            *confirmation
        }
        other => panic!("the device heard {other:?}"),
    }
}

/// Above the limit the till waits for the device: approved, it is paid; declined or
/// unanswered, nothing is charged and the code is used up.
#[tokio::test]
async fn above_the_limit_the_device_confirms_declines_or_lets_it_time_out() {
    let app = spawn_demo_app_confirming_within(Duration::from_secs(2)).await;
    let shop = own_shop(&app).await;
    let till = app.till(&shop, TillRole::Staff).await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let grant = grant(&app, &phone).await;
    let low = PayCodeSettings {
        no_pin_limit: cny(1_000),
        ..grant.settings.clone()
    };
    assert_eq!(set(&app, &phone, &low).await.status(), StatusCode::OK);
    let mut events = Events::open(&app, &phone).await;

    // Approved: the till's waiting request answers with the payment. Only the device
    // whose code it is may answer.
    let stranger = TestDevice::new();
    app.create_wallet(&stranger).await;
    let shown = code(&grant, 0);
    let (response, answered) = tokio::join!(
        charge(&app, &till, &shown, "25.00", "approve-key-1"),
        async {
            let confirmation = confirmation(&mut events, &phone).await;
            assert_eq!(confirmation.price, cny(2_500));
            assert_eq!(confirmation.pay, cny(2_500));
            assert_eq!(confirmation.merchant.name, "Test Noodles");
            let path = paths::pay_code_charge(&confirmation.charge_id);
            let refused = stranger
                .signed(&app, Method::POST, &path, r#"{"approve":true}"#)
                .send()
                .await
                .expect("send");
            assert_eq!(error_of(refused).await.1, ErrorCode::NotFound);
            phone
                .ok::<PayCodeAnswered>(&app, Method::POST, &path, r#"{"approve":true}"#)
                .await
        }
    );
    assert_eq!(answered.receipt.expect("a receipt").paid, cny(2_500));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(price_of(&response.json().await.expect("entry")), cny(2_500));
    assert_eq!(balance(&app, &phone).await, cny(7_500));
    assert!(matches!(
        events.next().await,
        Some(WalletEvent::PaymentSucceeded { .. })
    ));

    // Declined: the till hears it, nothing is charged, the code is used up. (The next
    // step's code: the service accepts a step either side of its own.)
    let declined_code = code(&grant, -paycode::STEP_SECONDS);
    let (response, answered) = tokio::join!(
        charge(&app, &till, &declined_code, "25.00", "decline-key-1"),
        async {
            let confirmation = confirmation(&mut events, &phone).await;
            let path = paths::pay_code_charge(&confirmation.charge_id);
            phone
                .ok::<PayCodeAnswered>(&app, Method::POST, &path, r#"{"approve":false}"#)
                .await
        }
    );
    assert_eq!(answered.receipt, None);
    assert_eq!(
        error_of(response).await,
        (StatusCode::PAYMENT_REQUIRED, ErrorCode::PaymentDeclined)
    );
    let reused = charge(&app, &till, &declined_code, "5.00", &unique("charge-key")).await;
    assert_eq!(error_of(reused).await.1, ErrorCode::PayCodeUsed);

    // Unanswered: the till stops waiting, and the device is told the charge ended.
    app.clock_offset.store(
        3 * paycode::STEP_SECONDS,
        std::sync::atomic::Ordering::Relaxed,
    );
    let timed_code = code(&grant, -3 * paycode::STEP_SECONDS);
    let response = charge(&app, &till, &timed_code, "25.00", &unique("charge-key")).await;
    assert_eq!(
        error_of(response).await,
        (StatusCode::REQUEST_TIMEOUT, ErrorCode::ConfirmationTimedOut)
    );
    assert!(matches!(
        events.next().await,
        Some(WalletEvent::PayCodeConfirm { .. })
    ));
    assert!(matches!(
        events.next().await,
        Some(WalletEvent::PayCodeChargeEnded { .. })
    ));
    assert_eq!(balance(&app, &phone).await, cny(7_500));
    assert_ledger_balances(&app).await;
}

/// A tourist's wallet in yuan pays a shop in Osaka with its pay code: the till asks yen,
/// the wallet pays yuan at the day's rate, as a quote would show it.
#[tokio::test]
async fn a_yuan_wallets_code_pays_a_yen_shop_at_the_days_rate() {
    let app = spawn_demo_app().await;
    let till = app.till("osa-dotonbori-takoyaki", TillRole::Staff).await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let mut events = Events::open(&app, &phone).await;
    let grant = grant(&app, &phone).await;
    let entry = charged(&app, &till, &code(&grant, 0), "600").await;
    assert_eq!(price_of(&entry), Money::from_minor(600, currency("JPY")));
    let receipt = match events.next().await {
        Some(WalletEvent::PaymentSucceeded { receipt }) => receipt,
        other => panic!("the device heard {other:?}"),
    };
    assert_eq!(receipt.price, Money::from_minor(600, currency("JPY")));
    assert_eq!(receipt.paid.currency(), currency("CNY"));
    assert!(receipt.rate.is_some(), "a converted payment shows its rate");
    assert!(receipt.paid.minor() > 0);
    assert_eq!(
        balance(&app, &phone).await,
        cny(10_000 - receipt.paid.minor())
    );
    assert_ledger_balances(&app).await;
}
