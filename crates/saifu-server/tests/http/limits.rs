//! Absurd amounts, the router's own refusals, and history lines that name their payment:
//! each refused with a stable code in JSON, leaving every balance as it was.

use reqwest::{Method, StatusCode};
use saifu_api::{ErrorCode, Funding, History, Receipt, paths};
use saifu_server::{demo, unix_now};

use crate::common::{
    TestDevice, ask_quote, assert_ledger_balances, balance, error_of, link, pay, quote, spawn_app,
    top_up, unique,
};

#[tokio::test]
async fn absurd_and_overflowing_amounts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    demo::seed(&app.store, unix_now()).await.expect("seed");
    let phone = TestDevice::new();
    app.create_wallet_in(&phone, "JPY").await;
    let card = link(&app, &phone, "4242424242424242").await;
    let other = TestDevice::new();
    app.create_wallet_in(&other, "JPY").await;
    let other_card = link(&app, &other, "5555555555554444").await;

    for absurd in ["9223372036854775807", "99999999999999999999", "10000000001"] {
        let refused = top_up(&app, &phone, &card, absurd, &unique("key")).await;
        assert_eq!(
            error_of(refused).await,
            (StatusCode::BAD_REQUEST, ErrorCode::AmountOutOfRange),
            "{absurd}"
        );
    }
    // Up to the ceiling, then not a yen more: the balance stays, and every other wallet
    // tops up as before.
    let full = top_up(&app, &phone, &card, "10000000000", &unique("key")).await;
    assert_eq!(full.status(), StatusCode::OK);
    let over = top_up(&app, &phone, &card, "1", &unique("key")).await;
    assert_eq!(
        error_of(over).await,
        (StatusCode::CONFLICT, ErrorCode::BalanceLimit)
    );
    assert_eq!(balance(&app, &phone).await.minor(), 10_000_000_000);
    let fine = top_up(&app, &other, &other_card, "1", &unique("key")).await;
    assert_eq!(fine.status(), StatusCode::OK);
    assert_eq!(balance(&app, &other).await.minor(), 1);

    // A typed price above the ceiling is refused before anything is quoted.
    let refused = ask_quote(
        &app,
        &phone,
        "tyo-ginza-sushi",
        None,
        Some("9223372036854775807"),
    )
    .await;
    assert_eq!(
        error_of(refused).await,
        (StatusCode::BAD_REQUEST, ErrorCode::AmountOutOfRange)
    );
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn every_refusal_is_json_with_a_code() {
    let app = spawn_app().await;
    let url = |path: &str| format!("{}{path}", app.base);
    let cases = [
        (
            app.http.get(url("/v1/no-such-thing")),
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownRoute,
        ),
        (
            app.http.delete(url(paths::WALLET)),
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
        ),
        (
            app.http
                .post(url(paths::WALLETS))
                .header("content-type", "text/plain")
                .body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
        ),
        (
            app.http
                .post(url(paths::WALLETS))
                .header("content-type", "application/json")
                .body("{not json"),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            app.http
                .post(url(paths::WALLETS))
                .header("content-type", "application/json")
                .body(r#"{"device":1}"#),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            app.http
                .post(url(paths::WALLETS))
                .header("content-type", "application/json")
                .body(format!("\"{}\"", "x".repeat(100_000))),
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
        ),
    ];
    for (request, status, code) in cases {
        let response = request.send().await.expect("send");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{status}"
        );
        assert_eq!(error_of(response).await, (status, code));
    }
    // A signed body too large to hash is refused the same way: money.rs's
    // malformed_requests_get_a_stable_4xx.
}

#[tokio::test]
async fn history_lines_name_their_payment_and_its_receipt_is_fetched_by_id() {
    let app = spawn_app().await;
    demo::seed(&app.store, unix_now()).await.expect("seed");
    let phone = TestDevice::new();
    app.create_wallet(&phone).await;
    let card = link(&app, &phone, "4242424242424242").await;
    let topped = top_up(&app, &phone, &card, "100.00", &unique("key")).await;
    assert_eq!(topped.status(), StatusCode::OK);
    let priced = quote(&app, &phone, "sh-bund-books", Some("12.00"), None).await;
    let paid: Receipt = pay(
        &app,
        &phone,
        &priced.quote_id,
        Funding::Balance,
        &unique("key"),
    )
    .await
    .json()
    .await
    .expect("receipt");

    let history: History = phone.ok(&app, Method::GET, paths::HISTORY, "").await;
    let line = &history.entries[0];
    assert_eq!(line.reference, paid.payment_id);
    let shop = line.merchant.as_ref().expect("a payment names its shop");
    assert_eq!(shop.merchant_id, "sh-bund-books");
    assert!(line.card.is_none(), "paid from the balance");
    let fetched: Receipt = phone
        .ok(&app, Method::GET, &paths::payment(&line.reference), "")
        .await;
    assert_eq!(fetched, paid);

    // Another wallet's payment is as good as absent, as is one never made.
    let stranger = TestDevice::new();
    app.create_wallet(&stranger).await;
    for (device, id) in [
        (&stranger, paid.payment_id.as_str()),
        (&phone, "pay_nothing"),
    ] {
        let response = device
            .signed(&app, Method::GET, &paths::payment(id), "")
            .send()
            .await
            .expect("send");
        assert_eq!(
            error_of(response).await,
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );
    }
}
