//! Onboarding and devices over real HTTP: challenges, wallets, signed requests, remote lock.

use crate::common::{TestDevice, error_of, spawn_app, unique};
use reqwest::{Method, StatusCode};
use saifu_api::{Challenge, Device, DeviceList, ErrorCode, Health, MerchantList, paths};
use saifu_server::{demo, unix_now};

#[tokio::test]
async fn health_answers() {
    let app = spawn_app().await;
    let health: Health = reqwest::get(format!("{}{}", app.base, paths::HEALTH))
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(health.status, "ok");
}

#[tokio::test]
async fn a_new_wallet_lists_its_device() {
    let app = spawn_app().await;
    let phone = TestDevice::new();
    let created = app.create_wallet(&phone).await;
    assert!(created.wallet_id.starts_with("wal_"));
    assert_eq!(created.device_id, phone.id);

    let list: DeviceList = phone
        .signed(&app, Method::GET, paths::DEVICES, "")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(list.devices.len(), 1);
    assert!(list.devices[0].this_device);
    assert_eq!(list.devices[0].locked_at, None);
}

#[tokio::test]
async fn registration_needs_the_key_and_a_fresh_challenge() {
    let app = spawn_app().await;
    let phone = TestDevice::new();
    let impostor = TestDevice::new();

    // Signed by another key than the one presented.
    let mut forged = phone.registration(&app.challenge().await);
    forged.signature = impostor
        .registration(&Challenge {
            challenge: forged.challenge.clone(),
            expires_at: 0,
        })
        .signature;
    let response = app.post_wallet(&forged).await;
    assert_eq!(
        error_of(response).await,
        (StatusCode::UNAUTHORIZED, ErrorCode::InvalidSignature)
    );

    // A challenge works once.
    let registration = phone.registration(&app.challenge().await);
    assert_eq!(
        app.post_wallet(&registration).await.status(),
        StatusCode::OK
    );
    let again = app.post_wallet(&registration).await;
    assert_eq!(
        error_of(again).await,
        (StatusCode::CONFLICT, ErrorCode::InvalidChallenge)
    );

    // A made-up challenge is refused.
    let invented = phone.registration(&Challenge {
        challenge: "invented-challenge-0001".into(),
        expires_at: 0,
    });
    let response = app.post_wallet(&invented).await;
    assert_eq!(
        error_of(response).await,
        (StatusCode::CONFLICT, ErrorCode::InvalidChallenge)
    );

    // The same device id cannot be registered twice.
    let duplicate = phone.registration(&app.challenge().await);
    let response = app.post_wallet(&duplicate).await;
    assert_eq!(
        error_of(response).await,
        (StatusCode::CONFLICT, ErrorCode::Conflict)
    );
}

#[tokio::test]
async fn tampered_replayed_stale_and_unsigned_requests_are_refused() {
    let app = spawn_app().await;
    let phone = TestDevice::new();
    app.create_wallet(&phone).await;
    let url = format!("{}{}", app.base, paths::DEVICES);

    let unsigned = app.http.get(&url).send().await.expect("send");
    assert_eq!(
        error_of(unsigned).await,
        (StatusCode::UNAUTHORIZED, ErrorCode::InvalidSignature)
    );

    // Signed for one body, sent with another.
    let newcomer = TestDevice::new();
    let body = serde_json::to_string(&newcomer.registration(&app.challenge().await)).expect("json");
    let tampered = phone
        .signed(&app, Method::POST, paths::DEVICES, &body)
        .body(body.replace("Test phone", "Evil phone"));
    assert_eq!(
        error_of(tampered.send().await.expect("send")).await,
        (StatusCode::UNAUTHORIZED, ErrorCode::InvalidSignature)
    );

    // Signed for another path.
    let wrong_path = phone
        .signed(&app, Method::GET, paths::MERCHANTS, "")
        .build()
        .expect("request");
    let mut moved = wrong_path;
    *moved.url_mut() = url.parse().expect("url");
    assert_eq!(
        error_of(app.http.execute(moved).await.expect("send")).await,
        (StatusCode::UNAUTHORIZED, ErrorCode::InvalidSignature)
    );

    // The exact same request twice.
    let nonce = unique("nonce-replayed-once");
    let first = phone
        .signed_at(&app, Method::GET, paths::DEVICES, "", unix_now(), &nonce)
        .send()
        .await
        .expect("send");
    assert_eq!(first.status(), StatusCode::OK);
    let replay = phone
        .signed_at(&app, Method::GET, paths::DEVICES, "", unix_now(), &nonce)
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(replay).await,
        (StatusCode::UNAUTHORIZED, ErrorCode::ReplayedNonce)
    );

    // Ten minutes old, and ten minutes ahead.
    for skew in [-600, 600] {
        let stale = phone.signed_at(
            &app,
            Method::GET,
            paths::DEVICES,
            "",
            unix_now() + skew,
            &unique("nonce-skewed-clock"),
        );
        assert_eq!(
            error_of(stale.send().await.expect("send")).await,
            (StatusCode::UNAUTHORIZED, ErrorCode::StaleRequest)
        );
    }

    // Signed by this device's key, but in the name of another registered device; and the
    // same with the device header given twice.
    let other = TestDevice::new();
    app.create_wallet(&other).await;
    let mut impersonated = phone
        .signed(&app, Method::GET, paths::DEVICES, "")
        .build()
        .expect("request");
    let other_id = other.id.parse().expect("header value");
    impersonated
        .headers_mut()
        .insert(saifu_core::auth::HEADER_DEVICE, other_id);
    let mut doubled = phone
        .signed(&app, Method::GET, paths::DEVICES, "")
        .build()
        .expect("request");
    let other_id = other.id.parse().expect("header value");
    doubled
        .headers_mut()
        .append(saifu_core::auth::HEADER_DEVICE, other_id);
    for request in [impersonated, doubled] {
        assert_eq!(
            error_of(app.http.execute(request).await.expect("send")).await,
            (StatusCode::UNAUTHORIZED, ErrorCode::InvalidSignature)
        );
    }

    let stranger = TestDevice::new();
    let unknown = stranger
        .signed(&app, Method::GET, paths::DEVICES, "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(unknown).await,
        (StatusCode::UNAUTHORIZED, ErrorCode::UnknownDevice)
    );
}

#[tokio::test]
async fn a_lost_device_is_locked_from_another() {
    let app = spawn_app().await;
    let phone = TestDevice::new();
    let tablet = TestDevice::new();
    app.create_wallet(&phone).await;
    let added = app.add_device(&phone, &tablet).await;
    assert_eq!(added.device_id, tablet.id);
    assert!(!added.this_device);

    let list: DeviceList = tablet
        .signed(&app, Method::GET, paths::DEVICES, "")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(list.devices.len(), 2);

    let own = phone
        .signed(&app, Method::POST, &paths::device_lock(&phone.id), "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(own).await,
        (StatusCode::CONFLICT, ErrorCode::Conflict)
    );

    let locked: Device = phone
        .signed(&app, Method::POST, &paths::device_lock(&tablet.id), "")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(locked.locked_at.is_some());

    let refused = tablet
        .signed(&app, Method::GET, paths::DEVICES, "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(refused).await,
        (StatusCode::FORBIDDEN, ErrorCode::DeviceLocked)
    );
    let counter_lock = tablet
        .signed(&app, Method::POST, &paths::device_lock(&phone.id), "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(counter_lock).await,
        (StatusCode::FORBIDDEN, ErrorCode::DeviceLocked)
    );

    let list: DeviceList = phone
        .signed(&app, Method::GET, paths::DEVICES, "")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let tablet_entry = list
        .devices
        .iter()
        .find(|d| d.device_id == tablet.id)
        .expect("tablet listed");
    assert!(tablet_entry.locked_at.is_some());

    // Another wallet's device is not found, whoever asks.
    let neighbour = TestDevice::new();
    app.create_wallet(&neighbour).await;
    let foreign = neighbour
        .signed(&app, Method::POST, &paths::device_lock(&phone.id), "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(foreign).await,
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );
}

#[tokio::test]
async fn demo_merchants_print_codes_the_scanner_reads() {
    let app = spawn_app().await;
    assert_eq!(
        demo::seed(&app.store, unix_now()).await.expect("seed"),
        demo::seed(&app.store, unix_now())
            .await
            .expect("seed again")
    );
    let phone = TestDevice::new();
    app.create_wallet(&phone).await;
    let list: MerchantList = phone
        .signed(&app, Method::GET, paths::MERCHANTS, "")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(
        list.merchants
            .iter()
            .any(|m| m.city == "Shanghai" && m.currency.code() == "CNY")
    );
    assert!(
        list.merchants
            .iter()
            .any(|m| m.city == "Tokyo" && m.currency.code() == "JPY")
    );

    let sushi = app
        .store
        .merchant("tyo-ginza-sushi")
        .await
        .expect("query")
        .expect("seeded");
    for amount in [None, Some("1280")] {
        let payload = demo::merchant_code(&sushi, amount)
            .expect("code")
            .encode()
            .expect("encodes");
        let summary = saifu_core::qr::parse(&payload)
            .expect("the scanner reads it")
            .summary();
        let merchant = summary.merchant.expect("merchant");
        assert_eq!(merchant.name.as_deref(), Some("Sushi Kanda Ginza"));
        assert_eq!(merchant.city.as_deref(), Some("Tokyo"));
        assert_eq!(summary.currency.map(|c| c.code()), Some("JPY"));
        assert_eq!(summary.amount.as_deref(), amount);
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_its_types() {
    let app = spawn_app().await;
    let document: serde_json::Value = reqwest::get(format!("{}{}", app.base, paths::OPENAPI))
        .await
        .expect("send")
        .json()
        .await
        .expect("JSON");
    let documented = document["paths"].as_object().expect("paths");
    for path in [
        paths::HEALTH,
        paths::CHALLENGES,
        paths::WALLETS,
        paths::DEVICES,
        paths::DEVICE_LOCK,
        paths::MERCHANTS,
        paths::WALLET,
        paths::CARDS,
        paths::CARD,
        paths::TOP_UPS,
        paths::QUOTES,
        paths::PAYMENTS,
        paths::HISTORY,
        paths::PROMOTIONS,
        paths::COUPONS,
        paths::EVENTS,
    ] {
        assert!(documented.contains_key(path), "{path} is not documented");
    }
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("schemas");
    for schema in [
        "Receipt",
        "Money",
        "ErrorResponse",
        "ErrorCode",
        "Quote",
        "QuoteOffer",
        "Promotion",
        "Coupon",
        "WalletEvent",
    ] {
        assert!(schemas.contains_key(schema), "schema {schema} is missing");
    }
}
