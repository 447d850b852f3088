//! A shop's tills: a one-time invite makes a browser a till, signing like a wallet's device;
//! what only the owner's till may do; a locked till is refused.

use reqwest::{Method, StatusCode};
use saifu_api::{ErrorCode, Invite, Shop, Till, TillList, TillRole, paths};
use saifu_server::testing::{TestDevice, spawn_demo_app};

use crate::common::error_of;

#[tokio::test]
async fn an_invite_makes_one_browser_a_till_of_its_shop() {
    let app = spawn_demo_app().await;
    let invite = app.invite("tyo-ginza-sushi", TillRole::Owner).await;
    assert!(
        invite.code.len() == 14 && invite.code.chars().filter(|c| *c == '-').count() == 2,
        "{}",
        invite.code
    );

    // Typed in lower case, it still works; the shop and the role come back.
    let till = TestDevice::new();
    let response = app.post_till(&till, &invite.code.to_lowercase()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let shop: Shop = response.json().await.expect("the shop");
    assert_eq!(shop.merchant.merchant_id, "tyo-ginza-sushi");
    assert_eq!(shop.till.role, TillRole::Owner);
    assert!(shop.till.this_till);

    // The till signs its requests as a device does.
    let again: Shop = till.ok(&app, Method::GET, paths::SHOP, "").await;
    assert_eq!(again, shop);

    // The invite is used up: a second browser cannot enrol with it.
    let second = app.post_till(&TestDevice::new(), &invite.code).await;
    assert_eq!(
        error_of(second).await,
        (StatusCode::CONFLICT, ErrorCode::InvalidInvite)
    );
    // Nor with a made-up or malformed code.
    for code in ["0000-0000-0000", "not an invite", ""] {
        let refused = app.post_till(&TestDevice::new(), code).await;
        assert_eq!(
            error_of(refused).await,
            (StatusCode::CONFLICT, ErrorCode::InvalidInvite),
            "{code:?}"
        );
    }
    // An expired one neither.
    let late = app.invite("tyo-ginza-sushi", TillRole::Staff).await.code;
    app.clock_offset.store(
        saifu_server::service::INVITE_SECONDS + 1,
        std::sync::atomic::Ordering::Relaxed,
    );
    let expired = app.post_till(&TestDevice::new(), &late).await;
    assert_eq!(
        error_of(expired).await,
        (StatusCode::CONFLICT, ErrorCode::InvalidInvite)
    );
}

#[tokio::test]
async fn only_the_owners_till_invites_lists_and_locks_tills() {
    let app = spawn_demo_app().await;
    let owner = app.till("sh-lanxin-noodles", TillRole::Owner).await;

    // The owner invites a staff till from its own till.
    let body = serde_json::json!({ "role": "staff" }).to_string();
    let staff_invite: Invite = owner.ok(&app, Method::POST, paths::INVITES, &body).await;
    assert_eq!(staff_invite.role, TillRole::Staff);
    let staff = TestDevice::new();
    let response = app.post_till(&staff, &staff_invite.code).await;
    let shop: Shop = response.json().await.expect("the shop");
    assert_eq!(shop.till.role, TillRole::Staff);

    // Staff may not invite, list or lock.
    for (method, path, body) in [
        (Method::POST, paths::INVITES.to_owned(), body.as_str()),
        (Method::GET, paths::TILLS.to_owned(), ""),
        (Method::POST, paths::till_lock(&owner.id), ""),
    ] {
        let refused = staff
            .signed(&app, method, &path, body)
            .send()
            .await
            .expect("send");
        assert_eq!(
            error_of(refused).await,
            (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            "{path}"
        );
    }

    // Tests share a PostgreSQL database, and other tills of the demo shop may be there.
    let list: TillList = owner.ok(&app, Method::GET, paths::TILLS, "").await;
    assert!(
        list.tills
            .iter()
            .any(|till| till.till_id == staff.id && !till.this_till)
    );
    assert!(
        list.tills
            .iter()
            .any(|till| till.this_till && till.till_id == owner.id)
    );

    // An owner cannot lock itself, nor another shop's till.
    let itself = owner
        .signed(&app, Method::POST, &paths::till_lock(&owner.id), "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(itself).await,
        (StatusCode::CONFLICT, ErrorCode::Conflict)
    );
    let elsewhere = app.till("tyo-akiba-denki", TillRole::Staff).await;
    let other_shop = owner
        .signed(&app, Method::POST, &paths::till_lock(&elsewhere.id), "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(other_shop).await,
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );

    // The staff till is lost: locked, it is refused from its next request on.
    let locked: Till = owner
        .ok(&app, Method::POST, &paths::till_lock(&staff.id), "")
        .await;
    assert!(locked.locked_at.is_some());
    let refused = staff
        .signed(&app, Method::GET, paths::SHOP, "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(refused).await,
        (StatusCode::FORBIDDEN, ErrorCode::DeviceLocked)
    );
}

#[tokio::test]
async fn tills_and_wallets_sign_for_their_own_routes_only() {
    let app = spawn_demo_app().await;
    let till = app.till("sh-bund-books", TillRole::Owner).await;
    let phone = TestDevice::new();
    app.create_wallet(&phone).await;

    // A wallet's device is no till, and a till no wallet's device.
    let phone_as_till = phone
        .signed(&app, Method::GET, paths::SHOP, "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(phone_as_till).await,
        (StatusCode::UNAUTHORIZED, ErrorCode::UnknownDevice)
    );
    let till_as_phone = till
        .signed(&app, Method::GET, paths::WALLET, "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(till_as_phone).await,
        (StatusCode::UNAUTHORIZED, ErrorCode::UnknownDevice)
    );

    // A till's request replayed byte for byte is refused.
    let now = saifu_server::unix_now();
    let send = || {
        till.signed_at(
            &app,
            Method::GET,
            paths::SHOP,
            "",
            now,
            "the-same-nonce-twice",
        )
        .send()
    };
    assert_eq!(send().await.expect("send").status(), StatusCode::OK);
    assert_eq!(
        error_of(send().await.expect("send")).await,
        (StatusCode::UNAUTHORIZED, ErrorCode::ReplayedNonce)
    );
}
