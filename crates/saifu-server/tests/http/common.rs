//! What the service's HTTP suites share beyond `saifu_server::testing`: cards, top-ups,
//! quotes and payments as the app makes them, and the ledger's balance check.

use reqwest::{Method, StatusCode};
use saifu_api::{
    Card, ErrorCode, ErrorResponse, Funding, Pay, Quote, QuoteRequest, Receipt, Wallet, paths,
};
use saifu_core::money::{Currency, Money};
pub use saifu_server::testing::{TestApp, TestDevice, spawn_app, unique};

pub fn currency(code: &str) -> Currency {
    Currency::from_code(code).expect("ISO currency")
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
    let response = ask_quote(app, device, merchant_id, amount, entered).await;
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, StatusCode::OK, "a price at {merchant_id}: {text}");
    serde_json::from_str(&text).expect("a quote")
}

/// [`quote`], whatever the answer.
pub async fn ask_quote(
    app: &TestApp,
    device: &TestDevice,
    merchant_id: &str,
    amount: Option<&str>,
    entered: Option<&str>,
) -> reqwest::Response {
    let payload = app.merchant_payload(merchant_id, amount).await;
    let body = serde_json::to_string(&QuoteRequest {
        payload,
        amount: entered.map(str::to_owned),
    })
    .expect("json");
    device
        .signed(app, Method::POST, paths::QUOTES, &body)
        .send()
        .await
        .expect("send")
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

/// A yuan wallet with a Visa card and `amount` topped up from it: its device and card.
pub async fn funded_wallet(app: &TestApp, amount: &str) -> (TestDevice, Card) {
    let phone = TestDevice::new();
    app.create_wallet(&phone).await;
    let card = link(app, &phone, "4242 4242 4242 4242").await;
    let response = top_up(app, &phone, &card, amount, &unique("top-up-key")).await;
    assert_eq!(response.status(), StatusCode::OK);
    (phone, card)
}

/// Pays `amount` at `merchant_id` (its dynamic code) with `funding`: the receipt.
pub async fn paid(
    app: &TestApp,
    phone: &TestDevice,
    merchant_id: &str,
    amount: &str,
    funding: Funding,
) -> Receipt {
    let quote = quote(app, phone, merchant_id, Some(amount), None).await;
    let response = pay(app, phone, &quote.quote_id, funding, &unique("pay-key")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("a receipt")
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
    for (currency, total) in app.store.ledger_sums().await.expect("sums") {
        assert_eq!(total, 0, "the ledger does not balance in {currency}");
    }
}
