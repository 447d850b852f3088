//! Refunds from a shop's owner: in pieces or whole, back to where the money came from at the
//! payment's own rate, the discount shared pro rata and the coupon given back; never more
//! than was paid, however many refunds race; only the owner's, only the shop's own.

use reqwest::{Method, StatusCode};
use saifu_api::{
    Activity, ActivityKind, CouponList, ErrorCode, Funding, History, Refund, TillRole, paths,
};
use saifu_core::money::Money;
use saifu_server::testing::{TestApp, TestDevice, spawn_demo_app, unique};

use crate::common::{balance, currency, error_of, funded_wallet, paid, quote};

fn cny(minor: i64) -> Money {
    Money::from_minor(minor, currency("CNY"))
}

async fn ask_refund(
    app: &TestApp,
    till: &TestDevice,
    payment_id: &str,
    amount: &str,
    key: &str,
) -> reqwest::Response {
    let body = serde_json::json!({ "payment_id": payment_id, "amount": amount }).to_string();
    till.signed(app, Method::POST, paths::REFUNDS, &body)
        .header(paths::IDEMPOTENCY_KEY, key)
        .send()
        .await
        .expect("send")
}

async fn refunded(app: &TestApp, till: &TestDevice, payment_id: &str, amount: &str) -> Refund {
    let response = ask_refund(app, till, payment_id, amount, &unique("refund-key")).await;
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, StatusCode::OK, "a refund was refused: {text}");
    serde_json::from_str(&text).expect("a refund")
}

async fn newest(app: &TestApp, phone: &TestDevice) -> Activity {
    let history: History = phone.ok(app, Method::GET, paths::HISTORY, "").await;
    history.entries.into_iter().next().expect("a history line")
}

#[tokio::test]
async fn refunds_in_pieces_give_back_exactly_what_was_paid_and_the_coupon() {
    let app = spawn_demo_app().await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let claimed = phone
        .signed(
            &app,
            Method::POST,
            paths::COUPONS,
            r#"{"campaign_id":"demo-shanghai-welcome"}"#,
        )
        .send()
        .await
        .expect("send");
    assert_eq!(claimed.status(), StatusCode::OK);
    // ¥5 off ¥30 from the shop and the ¥3 welcome coupon from the operator.
    let receipt = paid(&app, &phone, "sh-lanxin-noodles", "38.50", Funding::Balance).await;
    assert_eq!(receipt.discount, cny(800));
    assert_eq!(receipt.paid, cny(3050));
    assert_eq!(balance(&app, &phone).await, cny(6950));
    let owner = app.till("sh-lanxin-noodles", TillRole::Owner).await;

    // A tenth of the price back: the funders take back their share of the discount.
    let first = refunded(&app, &owner, &receipt.payment_id, "3.85").await;
    assert_eq!(first.amount, cny(385));
    assert_eq!(first.returned, cny(385 - 50 - 30));
    assert_eq!(first.refunded, cny(385));
    assert_eq!(balance(&app, &phone).await, cny(6950 + 305));
    let line = newest(&app, &phone).await;
    assert_eq!(line.kind, ActivityKind::Refund);
    assert_eq!(line.amount, first.returned);
    assert_eq!(line.reference, first.refund_id);
    assert_eq!(
        line.payment_id.as_deref(),
        Some(receipt.payment_id.as_str())
    );
    assert_eq!(
        line.merchant
            .map(|merchant| merchant.merchant_id)
            .as_deref(),
        Some("sh-lanxin-noodles")
    );

    // More than is left is refused, and changes nothing.
    let too_much = ask_refund(&app, &owner, &receipt.payment_id, "34.66", &unique("k")).await;
    assert_eq!(
        error_of(too_much).await,
        (StatusCode::CONFLICT, ErrorCode::RefundExceedsPayment)
    );
    assert_eq!(balance(&app, &phone).await, cny(6950 + 305));

    // The rest: the balance is back to the cent, and the coupon is the wallet's again.
    let rest = refunded(&app, &owner, &receipt.payment_id, "34.65").await;
    assert_eq!(rest.refunded, receipt.price);
    assert_eq!(
        first.returned.minor() + rest.returned.minor(),
        receipt.paid.minor()
    );
    assert_eq!(balance(&app, &phone).await, cny(10_000));
    let coupons: CouponList = phone.ok(&app, Method::GET, paths::COUPONS, "").await;
    assert_eq!(coupons.coupons.len(), 1);
    assert_eq!(coupons.coupons[0].used_by_payment, None);
    let again = quote(&app, &phone, "sh-lanxin-noodles", Some("38.50"), None).await;
    assert!(
        again.offers[0]
            .applied
            .iter()
            .any(|applied| applied.campaign_id == "demo-shanghai-welcome"),
        "{again:?}"
    );
    let nothing_left = ask_refund(&app, &owner, &receipt.payment_id, "0.01", &unique("k")).await;
    assert_eq!(
        error_of(nothing_left).await,
        (StatusCode::CONFLICT, ErrorCode::RefundExceedsPayment)
    );
    crate::common::assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn a_retried_refund_is_made_once() {
    let app = spawn_demo_app().await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let receipt = paid(&app, &phone, "sh-bund-books", "20.00", Funding::Balance).await;
    let owner = app.till("sh-bund-books", TillRole::Owner).await;
    let key = unique("refund-key");
    let first: Refund = ask_refund(&app, &owner, &receipt.payment_id, "5.00", &key)
        .await
        .json()
        .await
        .expect("a refund");
    let retried: Refund = ask_refund(&app, &owner, &receipt.payment_id, "5.00", &key)
        .await
        .json()
        .await
        .expect("the same refund");
    assert_eq!(retried, first);
    assert_eq!(
        balance(&app, &phone).await,
        cny(10_000 - receipt.paid.minor() + first.returned.minor())
    );
    let other = ask_refund(&app, &owner, &receipt.payment_id, "6.00", &key).await;
    assert_eq!(
        error_of(other).await,
        (StatusCode::CONFLICT, ErrorCode::IdempotencyKeyReused)
    );
}

#[tokio::test]
async fn only_the_shops_owner_refunds_its_own_payments_in_time() {
    let app = spawn_demo_app().await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let receipt = paid(&app, &phone, "sh-bund-books", "20.00", Funding::Balance).await;
    let staff = app.till("sh-bund-books", TillRole::Staff).await;
    let elsewhere = app.till("sh-jingan-market", TillRole::Owner).await;
    let owner = app.till("sh-bund-books", TillRole::Owner).await;

    let by_staff = ask_refund(&app, &staff, &receipt.payment_id, "1.00", &unique("k")).await;
    assert_eq!(
        error_of(by_staff).await,
        (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
    );
    for (till, payment_id) in [
        (&elsewhere, receipt.payment_id.as_str()),
        (&owner, "pay_none"),
    ] {
        let absent = ask_refund(&app, till, payment_id, "1.00", &unique("k")).await;
        assert_eq!(
            error_of(absent).await,
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );
    }
    for amount in ["0", "-1", "abc", "1.001"] {
        let bad = ask_refund(&app, &owner, &receipt.payment_id, amount, &unique("k")).await;
        assert_eq!(
            error_of(bad).await,
            (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            "{amount}"
        );
    }
    let body =
        serde_json::json!({ "payment_id": receipt.payment_id, "amount": "1.00" }).to_string();
    let without_key = owner
        .signed(&app, Method::POST, paths::REFUNDS, &body)
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(without_key).await,
        (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
    );

    // A year and a day later, refunds no longer reach the payment.
    let later = saifu_server::service::REFUND_WINDOW_SECONDS + 86_400;
    app.clock_offset
        .store(later, std::sync::atomic::Ordering::Relaxed);
    let late = owner
        .signed_at(
            &app,
            Method::POST,
            paths::REFUNDS,
            &body,
            saifu_server::unix_now() + later,
            &unique("nonce-for-test"),
        )
        .header(paths::IDEMPOTENCY_KEY, unique("k"))
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(late).await,
        (StatusCode::CONFLICT, ErrorCode::RefundWindowClosed)
    );
    app.clock_offset
        .store(0, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        balance(&app, &phone).await,
        cny(10_000 - receipt.paid.minor())
    );
}

#[tokio::test]
async fn sixty_four_racing_refunds_never_give_back_more_than_was_paid() {
    let app = spawn_demo_app().await;
    let (phone, _card) = funded_wallet(&app, "100.00").await;
    let receipt = paid(&app, &phone, "sh-bund-books", "20.00", Funding::Balance).await;
    let owner = app.till("sh-bund-books", TillRole::Owner).await;
    let keys: Vec<String> = (0..64).map(|_| unique("refund-key")).collect();
    let refunds = keys
        .iter()
        .map(|key| ask_refund(&app, &owner, &receipt.payment_id, "0.50", key));
    let answers = futures_util::future::join_all(refunds).await;
    let mut returned = 0;
    let mut made = 0;
    for answer in answers {
        match answer.status() {
            StatusCode::OK => {
                made += 1;
                returned += answer
                    .json::<Refund>()
                    .await
                    .expect("a refund")
                    .returned
                    .minor();
            }
            _ => assert_eq!(
                error_of(answer).await,
                (StatusCode::CONFLICT, ErrorCode::RefundExceedsPayment)
            ),
        }
    }
    // CN¥20.00 holds forty refunds of CN¥0.50, and no more.
    assert_eq!(made, 40);
    assert_eq!(returned, receipt.paid.minor());
    assert_eq!(balance(&app, &phone).await, cny(10_000));
    crate::common::assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn a_card_payment_abroad_is_refunded_to_the_card_at_its_own_rate() {
    let app = spawn_demo_app().await;
    let (phone, card) = funded_wallet(&app, "100.00").await;
    let funding = Funding::Card {
        card_id: card.card_id.clone(),
    };
    let receipt = paid(&app, &phone, "tyo-akiba-denki", "2480", funding.clone()).await;
    assert_eq!(receipt.price.currency(), currency("JPY"));
    assert_eq!(receipt.paid.currency(), currency("CNY"));

    // The yen doubles against the yuan; the refund still gives back what was paid.
    let now = saifu_server::unix_now();
    app.store
        .write(move |mut tx| {
            Box::pin(async move { tx.upsert_rate("JPY", "CNY", "0.096420", now).await })
        })
        .await
        .expect("a new rate");
    let owner = app.till("tyo-akiba-denki", TillRole::Owner).await;
    let half = refunded(&app, &owner, &receipt.payment_id, "1240").await;
    let rest = refunded(&app, &owner, &receipt.payment_id, "1240").await;
    assert_eq!(half.returned.currency(), currency("CNY"));
    assert_eq!(
        half.returned.minor() + rest.returned.minor(),
        receipt.paid.minor()
    );
    assert_eq!(rest.funding, funding);
    // Back to the card: the balance is as before.
    assert_eq!(balance(&app, &phone).await, cny(10_000));
    let line = newest(&app, &phone).await;
    assert_eq!(line.kind, ActivityKind::Refund);
    assert_eq!(line.card.map(|card| card.card_id), Some(card.card_id));
    crate::common::assert_ledger_balances(&app).await;
}
