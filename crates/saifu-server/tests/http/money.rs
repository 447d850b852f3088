//! Cards, top-ups, quotes, payments and history over real HTTP: the sandbox issuer's
//! answers, idempotent retries, cross-border prices, concurrent payments against a balance
//! that covers only some, and a ledger that balances throughout.

use std::sync::atomic::Ordering;

use crate::common::{
    TestApp, TestDevice, assert_ledger_balances, balance, currency, error_of, link, link_body, pay,
    quote, spawn_app, top_up, unique,
};
use reqwest::{Method, StatusCode};
use saifu_api::{
    Card, CardList, ErrorCode, Funding, History, LocalName, QuoteRequest, Receipt, TopUpReceipt,
    Wallet, paths,
};
use saifu_core::money::Money;
use saifu_server::{demo, unix_now};

async fn wallet_with_card(app: &TestApp) -> (TestDevice, Card) {
    demo::seed(&app.store, unix_now()).await.expect("seed");
    let phone = TestDevice::new();
    app.create_wallet(&phone).await;
    let card = link(app, &phone, "4242 4242 4242 4242").await;
    (phone, card)
}

#[tokio::test]
async fn cards_link_once_and_keep_only_their_first_six_and_last_four_digits() {
    let app = spawn_app().await;
    let phone = TestDevice::new();
    let wallet = app.create_wallet(&phone).await;

    let card = link(&app, &phone, "4242-4242-4242-4242").await;
    assert_eq!(card.last4, "4242");
    assert_eq!(serde_json::to_value(card.brand).expect("json"), "visa");
    let stored = app
        .store
        .linked_card(&wallet.wallet_id, &card.card_id)
        .await
        .expect("query")
        .expect("linked");
    assert_eq!(
        stored.bin.as_deref(),
        Some("424242"),
        "for issuer promotions"
    );
    let again = phone
        .signed(
            &app,
            Method::POST,
            paths::CARDS,
            &link_body("4242424242424242", "12/35"),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(again).await,
        (StatusCode::CONFLICT, ErrorCode::Conflict)
    );

    let refusals = [
        (
            "4242424242424241",
            "12/35",
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidCard,
        ),
        (
            "4242424242424242",
            "13/35",
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidCard,
        ),
        (
            "5555555555554444",
            "01/20",
            StatusCode::PAYMENT_REQUIRED,
            ErrorCode::CardExpired,
        ),
        (
            "4000000000000002",
            "12/35",
            StatusCode::PAYMENT_REQUIRED,
            ErrorCode::CardDeclined,
        ),
        (
            "4000000000000069",
            "12/35",
            StatusCode::PAYMENT_REQUIRED,
            ErrorCode::CardExpired,
        ),
    ];
    for (number, expiry, status, code) in refusals {
        let response = phone
            .signed(&app, Method::POST, paths::CARDS, &link_body(number, expiry))
            .send()
            .await
            .expect("send");
        assert_eq!(
            error_of(response).await,
            (status, code),
            "{number} {expiry}"
        );
    }

    let list: CardList = phone.ok(&app, Method::GET, paths::CARDS, "").await;
    assert_eq!(list.cards, vec![card.clone()]);
    let after: CardList = phone
        .ok(&app, Method::DELETE, &paths::card(&card.card_id), "")
        .await;
    assert!(after.cards.is_empty());

    // Nothing of the number but its first six and last four digits is anywhere in the
    // database file.
    if let Some(file) = &app.sqlite_file {
        let mut stored = std::fs::read(file).expect("database file");
        stored.extend(std::fs::read(file.with_extension("db-wal")).unwrap_or_default());
        let haystack = String::from_utf8_lossy(&stored);
        assert!(
            !haystack.contains("4242424242424242") && !haystack.contains("424242424242"),
            "a card number is stored"
        );
    }
}

#[tokio::test]
async fn a_retried_top_up_charges_once() {
    let app = spawn_app().await;
    let (phone, card) = wallet_with_card(&app).await;
    let key = unique("top-up-key");

    let first: TopUpReceipt = top_up(&app, &phone, &card, "500.00", &key)
        .await
        .json()
        .await
        .expect("receipt");
    let retry: TopUpReceipt = top_up(&app, &phone, &card, "500.00", &key)
        .await
        .json()
        .await
        .expect("receipt");
    assert_eq!(first, retry);
    assert_eq!(
        balance(&app, &phone).await,
        Money::from_minor(50_000, currency("CNY"))
    );

    let other_body = top_up(&app, &phone, &card, "600.00", &key).await;
    assert_eq!(
        error_of(other_body).await,
        (StatusCode::CONFLICT, ErrorCode::IdempotencyKeyReused)
    );

    let broke = link(&app, &phone, "4000000000009995").await;
    let refused = top_up(&app, &phone, &broke, "10.00", &unique("top-up-key")).await;
    assert_eq!(
        error_of(refused).await,
        (StatusCode::PAYMENT_REQUIRED, ErrorCode::InsufficientFunds)
    );
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn paying_a_shop_in_shanghai_and_one_in_osaka() {
    let app = spawn_app().await;
    let (phone, card) = wallet_with_card(&app).await;
    top_up(&app, &phone, &card, "500.00", &unique("top-up-key")).await;
    let has_paid = async || {
        phone
            .ok::<Wallet>(&app, Method::GET, paths::WALLET, "")
            .await
            .has_paid
    };
    assert!(!has_paid().await, "a top-up is not a payment");

    // A static code: the payer enters the amount.
    let noodles = quote(&app, &phone, "sh-lanxin-noodles", None, Some("12.50")).await;
    assert_eq!(noodles.price, Money::from_minor(1250, currency("CNY")));
    assert_eq!(noodles.pay, noodles.price);
    assert_eq!(noodles.rate, None);
    let receipt: Receipt = pay(
        &app,
        &phone,
        &noodles.quote_id,
        Funding::Balance,
        &unique("pay-key"),
    )
    .await
    .json()
    .await
    .expect("receipt");
    assert_eq!(receipt.merchant_name, "Lanxin Noodle House");
    // The shop's own name travels with it, for readers of its language.
    let local = Some(LocalName {
        language: "zh".into(),
        name: "兰心面馆".into(),
        city: Some("上海".into()),
    });
    assert_eq!(noodles.merchant.local, local);
    assert_eq!(receipt.merchant_local, local);
    assert_eq!(receipt.paid, Money::from_minor(1250, currency("CNY")));
    assert!(has_paid().await);
    assert_eq!(
        balance(&app, &phone).await,
        Money::from_minor(48_750, currency("CNY"))
    );

    let twice = pay(
        &app,
        &phone,
        &noodles.quote_id,
        Funding::Balance,
        &unique("pay-key"),
    )
    .await;
    assert_eq!(
        error_of(twice).await,
        (StatusCode::CONFLICT, ErrorCode::QuoteAlreadyPaid)
    );

    // A dynamic yen code paid from a yuan wallet, at the rate shown. Osaka's demo shop has
    // no promotions (tests/promotions.rs prices those in Tokyo).
    let takoyaki = quote(&app, &phone, "osa-dotonbori-takoyaki", Some("1280"), None).await;
    assert_eq!(takoyaki.price, Money::from_minor(1280, currency("JPY")));
    assert_eq!(takoyaki.pay, Money::from_minor(6171, currency("CNY")));
    assert_eq!(
        takoyaki.rate.as_ref().map(|rate| (
            rate.base.code(),
            rate.rate.as_str(),
            rate.quote.code()
        )),
        Some(("JPY", "0.048210", "CNY"))
    );
    let by_card = Funding::Card {
        card_id: card.card_id.clone(),
    };
    // Each card offer names its card as the wallet lists it.
    let card_offer = takoyaki
        .offers
        .iter()
        .find(|offer| offer.funding == by_card)
        .expect("an offer by card");
    assert_eq!(card_offer.card.as_ref(), Some(&card));
    assert!(
        takoyaki
            .offers
            .iter()
            .any(|offer| offer.funding == Funding::Balance && offer.card.is_none())
    );
    let receipt: Receipt = pay(
        &app,
        &phone,
        &takoyaki.quote_id,
        by_card,
        &unique("pay-key"),
    )
    .await
    .json()
    .await
    .expect("receipt");
    assert_eq!(receipt.price.currency().code(), "JPY");
    assert_eq!(
        balance(&app, &phone).await,
        Money::from_minor(48_750, currency("CNY")),
        "paid by card, not balance"
    );

    let history: History = phone.ok(&app, Method::GET, paths::HISTORY, "").await;
    let shops: Vec<&str> = history
        .entries
        .iter()
        .filter_map(|entry| {
            entry
                .merchant
                .as_ref()
                .map(|merchant| merchant.name.as_str())
        })
        .collect();
    assert_eq!(shops, ["Dotonbori Takoyaki", "Lanxin Noodle House"]);
    let own_names: Vec<&str> = history
        .entries
        .iter()
        .filter_map(|entry| entry.merchant.as_ref()?.local.as_ref())
        .map(|local| local.name.as_str())
        .collect();
    assert_eq!(own_names, ["道頓堀たこ焼き", "兰心面馆"]);
    let top_up = &history.entries[2];
    let card = top_up.card.as_ref().expect("a top-up names its card");
    assert_eq!(
        (card.issuer.as_str(), card.last4.as_str()),
        ("Saifu Sandbox Bank", "4242")
    );
    assert!(top_up.reference.starts_with("top_"));
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn prices_need_an_amount_and_expire() {
    let app = spawn_app().await;
    let (phone, card) = wallet_with_card(&app).await;
    top_up(&app, &phone, &card, "100.00", &unique("top-up-key")).await;
    let payload = app.merchant_payload("sh-jingan-market", None).await;
    let ask = |amount: Option<&str>| {
        serde_json::to_string(&QuoteRequest {
            payload: payload.clone(),
            amount: amount.map(str::to_owned),
        })
        .expect("json")
    };

    let missing = phone
        .signed(&app, Method::POST, paths::QUOTES, &ask(None))
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(missing).await,
        (StatusCode::BAD_REQUEST, ErrorCode::AmountRequired)
    );
    for (absurd, code) in [
        ("-5.00", ErrorCode::BadRequest),
        ("0", ErrorCode::BadRequest),
        ("1.234", ErrorCode::BadRequest),
        ("12,50", ErrorCode::BadRequest),
        // Too large for any amount: its own code.
        ("99999999999999999999", ErrorCode::AmountOutOfRange),
    ] {
        let response = phone
            .signed(&app, Method::POST, paths::QUOTES, &ask(Some(absurd)))
            .send()
            .await
            .expect("send");
        assert_eq!(
            error_of(response).await,
            (StatusCode::BAD_REQUEST, code),
            "{absurd}"
        );
    }
    let damaged = serde_json::to_string(&QuoteRequest {
        payload: format!("{}0", &payload[..payload.len() - 1]),
        amount: Some("1.00".into()),
    })
    .expect("json");
    let response = phone
        .signed(&app, Method::POST, paths::QUOTES, &damaged)
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(response).await,
        (StatusCode::BAD_REQUEST, ErrorCode::InvalidPaymentCode)
    );

    let stale = quote(&app, &phone, "sh-jingan-market", None, Some("8.00")).await;
    app.clock_offset.store(121, Ordering::Relaxed);
    let late = pay(
        &app,
        &phone,
        &stale.quote_id,
        Funding::Balance,
        &unique("pay-key"),
    )
    .await;
    assert_eq!(
        error_of(late).await,
        (StatusCode::GONE, ErrorCode::QuoteExpired)
    );
    assert_eq!(
        balance(&app, &phone).await,
        Money::from_minor(10_000, currency("CNY"))
    );
}

#[tokio::test]
async fn malformed_requests_get_a_stable_4xx() {
    let app = spawn_app().await;
    let (phone, _card) = wallet_with_card(&app).await;
    let cases = [
        (paths::QUOTES, "{not json".to_owned()),
        (
            paths::QUOTES,
            r#"{"payload":"x","amount":null,"extra":1}"#.to_owned(),
        ),
        (
            paths::TOP_UPS,
            r#"{"card_id":"card_x","amount":"-1"}"#.to_owned(),
        ),
        (paths::CARDS, r#"{"number":"4242424242424242"}"#.to_owned()),
    ];
    for (path, body) in cases {
        let response = phone
            .signed(&app, Method::POST, path, &body)
            .header(paths::IDEMPOTENCY_KEY, unique("key"))
            .send()
            .await
            .expect("send");
        let (status, code) = error_of(response).await;
        assert!(status.is_client_error(), "{path} {body}: {status}");
        assert!(
            matches!(code, ErrorCode::BadRequest | ErrorCode::NotFound),
            "{path} {body}: {code:?}"
        );
    }
    let oversized = "x".repeat(70 * 1024);
    let response = phone
        .signed(&app, Method::POST, paths::QUOTES, &oversized)
        .send()
        .await
        .expect("send");
    // Refused before it is hashed, with the status and code of every oversized body.
    assert_eq!(
        error_of(response).await,
        (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
    );
}

#[tokio::test]
async fn concurrent_payments_never_overspend() {
    let app = spawn_app().await;
    let (phone, card) = wallet_with_card(&app).await;
    top_up(&app, &phone, &card, "100.00", &unique("top-up-key")).await;
    let mut quotes = Vec::new();
    for _ in 0..64 {
        quotes.push(
            quote(&app, &phone, "sh-bund-books", None, Some("7.00"))
                .await
                .quote_id,
        );
    }
    let phone = std::sync::Arc::new(phone);
    let app = std::sync::Arc::new(app);
    let payments = quotes.into_iter().map(|quote_id| {
        let (app, phone) = (app.clone(), phone.clone());
        tokio::spawn(async move {
            pay(
                &app,
                &phone,
                &quote_id,
                Funding::Balance,
                &unique("pay-key"),
            )
            .await
            .status()
        })
    });
    let mut paid = 0;
    for payment in payments {
        match payment.await.expect("task") {
            StatusCode::OK => paid += 1,
            StatusCode::PAYMENT_REQUIRED => {}
            other => panic!("unexpected status {other:?}"),
        }
    }
    // CN¥100.00 covers fourteen payments of CN¥7.00.
    assert_eq!(paid, 14);
    assert_eq!(
        balance(&app, &phone).await,
        Money::from_minor(200, currency("CNY"))
    );
    assert_ledger_balances(&app).await;
}

/// The very same signed payment or top-up sent again, byte for byte with its nonce, is a
/// replay and refused, whether the first was made, refused for want of money, or refused
/// before it reached the ledger; a retry signed anew with the same idempotency key gets
/// the first receipt.
#[tokio::test]
async fn a_replayed_payment_is_refused_however_the_first_ended() {
    let app = spawn_app().await;
    let (phone, card) = wallet_with_card(&app).await;
    let send = |path: &'static str, body: String, nonce: String, key: Option<String>| {
        let request = phone.signed_at(&app, Method::POST, path, &body, unix_now(), &nonce);
        let request = match key {
            Some(key) => request.header(paths::IDEMPOTENCY_KEY, key),
            None => request,
        };
        async move { request.send().await.expect("send") }
    };
    let replayed = (StatusCode::UNAUTHORIZED, ErrorCode::ReplayedNonce);

    let body = serde_json::json!({ "card_id": card.card_id, "amount": "20.00" }).to_string();
    let (nonce, key) = (unique("nonce-top-up"), unique("top-up-key"));
    let topped_up = send(
        paths::TOP_UPS,
        body.clone(),
        nonce.clone(),
        Some(key.clone()),
    )
    .await;
    assert_eq!(topped_up.status(), StatusCode::OK);
    let again = send(paths::TOP_UPS, body, nonce, Some(key)).await;
    assert_eq!(error_of(again).await, replayed);

    // Made.
    let noodles = quote(&app, &phone, "sh-lanxin-noodles", None, Some("12.50")).await;
    let body = serde_json::to_string(&saifu_api::Pay {
        quote_id: noodles.quote_id,
        funding: Funding::Balance,
    })
    .expect("json");
    let (nonce, key) = (unique("nonce-pay"), unique("pay-key"));
    let paid = send(
        paths::PAYMENTS,
        body.clone(),
        nonce.clone(),
        Some(key.clone()),
    )
    .await;
    assert_eq!(paid.status(), StatusCode::OK);
    let receipt: Receipt = paid.json().await.expect("receipt");
    let again = send(paths::PAYMENTS, body.clone(), nonce, Some(key.clone())).await;
    assert_eq!(error_of(again).await, replayed);
    let retried = send(paths::PAYMENTS, body, unique("nonce-pay"), Some(key)).await;
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(retried.json::<Receipt>().await.expect("receipt"), receipt);

    // Refused in its transaction: CN¥7.50 is left.
    let market = quote(&app, &phone, "sh-jingan-market", None, Some("30.00")).await;
    let body = serde_json::to_string(&saifu_api::Pay {
        quote_id: market.quote_id,
        funding: Funding::Balance,
    })
    .expect("json");
    let (nonce, key) = (unique("nonce-pay"), unique("pay-key"));
    let refused = send(
        paths::PAYMENTS,
        body.clone(),
        nonce.clone(),
        Some(key.clone()),
    )
    .await;
    assert_eq!(
        error_of(refused).await,
        (StatusCode::PAYMENT_REQUIRED, ErrorCode::InsufficientFunds)
    );
    let again = send(paths::PAYMENTS, body.clone(), nonce, Some(key)).await;
    assert_eq!(error_of(again).await, replayed);

    // Refused before it: no idempotency key.
    let nonce = unique("nonce-pay");
    let refused = send(paths::PAYMENTS, body.clone(), nonce.clone(), None).await;
    assert_eq!(
        error_of(refused).await,
        (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
    );
    let again = send(paths::PAYMENTS, body, nonce, None).await;
    assert_eq!(error_of(again).await, replayed);

    assert_eq!(
        balance(&app, &phone).await,
        Money::from_minor(750, currency("CNY"))
    );
    assert_ledger_balances(&app).await;
}

/// A payment made before promotions existed stored a receipt without `discount` and
/// `applied`: its retry after the upgrade gets that receipt with nothing discounted.
#[tokio::test]
async fn a_receipt_stored_before_promotions_is_replayed() {
    let app = spawn_app().await;
    let (phone, card) = wallet_with_card(&app).await;
    let topped_up = top_up(&app, &phone, &card, "20.00", &unique("top-up-key")).await;
    assert_eq!(topped_up.status(), StatusCode::OK);
    let noodles = quote(&app, &phone, "sh-lanxin-noodles", None, Some("12.50")).await;
    let body = serde_json::to_string(&saifu_api::Pay {
        quote_id: noodles.quote_id,
        funding: Funding::Balance,
    })
    .expect("json");
    let key = unique("pay-key");
    let pay = || {
        phone
            .signed(&app, Method::POST, paths::PAYMENTS, &body)
            .header(paths::IDEMPOTENCY_KEY, &key)
            .send()
    };
    let paid: Receipt = pay().await.expect("send").json().await.expect("receipt");
    assert_eq!(paid.discount, Money::from_minor(0, currency("CNY")));

    let mut old: serde_json::Value = serde_json::to_value(&paid).expect("json");
    let fields = old.as_object_mut().expect("an object");
    fields.remove("discount");
    fields.remove("applied");
    let url = match &app.sqlite_file {
        Some(file) => format!("sqlite://{}", file.display()),
        None => std::env::var("SAIFU_TEST_DATABASE_URL").expect("the test database"),
    };
    let database = saifu_server::store::connect_pool(&url, 1)
        .await
        .expect("connect");
    sqlx::query("UPDATE idempotency_keys SET response = $1 WHERE idempotency_key = $2")
        .bind(old.to_string())
        .bind(&key)
        .execute(&database)
        .await
        .expect("store the old receipt");

    let retried = pay().await.expect("send");
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(retried.json::<Receipt>().await.expect("receipt"), paid);
    assert_eq!(
        balance(&app, &phone).await,
        Money::from_minor(750, currency("CNY"))
    );
}
