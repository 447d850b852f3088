//! saifu-client, the app's brain, against a real service over HTTP: onboarding, cards, money, payments with
//! the PIN, offline display, a lost key and a remotely locked device.

use std::path::PathBuf;
use std::sync::Arc;

use saifu_api::{ErrorCode, Funding, LinkCard};
use saifu_client::pin::PinError;
use saifu_client::{
    ClientError, KeyStore, MemoryKeyStore, Onboarding, Sensitive, Status, WalletApp,
    device_registration, new_device_key,
};
use saifu_core::money::Currency;
use saifu_tests::service::{LocalService as Service, temp_dir};

const PIN: &str = "482913";

fn pin(text: &str) -> Sensitive<String> {
    Sensitive::new(text.to_owned())
}

async fn onboarded(service: &Service, keys: Arc<dyn KeyStore>) -> (WalletApp, PathBuf) {
    let dir = temp_dir("app");
    let mut app = WalletApp::open(&dir, keys).expect("open");
    assert_eq!(app.status().await.expect("status"), Status::Welcome);
    app.onboard(Onboarding {
        service_url: service.base.clone(),
        device_name: "Mei's phone".into(),
        home_currency: Currency::from_code("CNY").unwrap(),
        pin: pin(PIN),
    })
    .await
    .expect("onboard");
    (app, dir)
}

fn visa() -> LinkCard {
    LinkCard {
        number: "4242 4242 4242 4242".into(),
        expiry: "12/30".into(),
        security_code: "123".into(),
        holder: "WANG MEI".into(),
    }
}

#[tokio::test]
async fn the_whole_journey_from_onboarding_to_a_receipt() {
    let service = saifu_tests::service::start().await;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let (mut app, dir) = onboarded(&service, keys.clone()).await;
    assert_eq!(app.status().await.unwrap(), Status::Ready);

    // The profile on disk holds neither the key nor the PIN.
    let profile = std::fs::read_to_string(dir.join("wallet.json")).expect("profile");
    let device_id = app.profile().unwrap().device_id.clone();
    let secret = keys
        .load(&format!("device-key/{device_id}"))
        .unwrap()
        .expect("key in the store");
    assert!(!profile.contains(secret.expose().as_str()));
    assert!(!profile.contains(PIN));

    let card = app.link_card(visa()).await.expect("link");
    assert_eq!(card.last4, "4242");
    let topped = app.top_up(&card.card_id, "200.00").await.expect("top up");
    assert_eq!(topped.balance.to_decimal_string(), "200.00");

    let quote = app
        .quote(
            &service.merchant_payload("sh-lanxin-noodles", None).await,
            Some("38.50"),
        )
        .await
        .expect("quote");
    assert_eq!(quote.merchant.name, "Lanxin Noodle House");
    assert_eq!(quote.price.to_decimal_string(), "38.50");
    // The shop's "¥5 off ¥30" applies whichever way the user pays; ties go to the balance.
    assert_eq!(quote.pay.to_decimal_string(), "33.50");
    assert_eq!(quote.offers[0].funding, Funding::Balance);
    assert_eq!(
        quote.offers[0].applied[0].saving.to_decimal_string(),
        "5.00"
    );

    // A wrong PIN pays nothing.
    let wrong = app
        .pay(&quote.quote_id, Funding::Balance, &pin("111112"))
        .await;
    assert!(
        matches!(
            wrong,
            Err(ClientError::Pin(PinError::Wrong { tries_left: 2, .. }))
        ),
        "{wrong:?}"
    );
    let receipt = app
        .pay(&quote.quote_id, Funding::Balance, &pin(PIN))
        .await
        .expect("pay");
    assert_eq!(receipt.paid.to_decimal_string(), "33.50");
    assert_eq!(receipt.discount.to_decimal_string(), "5.00");

    let overview = app.overview().await.expect("overview");
    assert!(overview.fresh);
    assert_eq!(
        overview.balance.unwrap().balance.to_decimal_string(),
        "166.50"
    );
    assert_eq!(overview.cards.len(), 1);
    assert_eq!(overview.recent.len(), 2);
    let shop = overview.recent[0]
        .merchant
        .as_ref()
        .map(|merchant| merchant.name.as_str());
    assert_eq!(shop, Some("Lanxin Noodle House"));

    // Paying the same quote again is refused by the service, with its code.
    let again = app.pay(&quote.quote_id, Funding::Balance, &pin(PIN)).await;
    assert!(
        matches!(
            &again,
            Err(ClientError::Service {
                code: ErrorCode::QuoteAlreadyPaid,
                ..
            })
        ),
        "{again:?}"
    );

    // Offline, the last answers show, marked as not fresh; a reopened app shows them too.
    service.stop().await;
    let offline = app.overview().await.expect("cached overview");
    assert!(!offline.fresh);
    assert_eq!(
        offline.balance.unwrap().balance.to_decimal_string(),
        "166.50"
    );
    let mut reopened = WalletApp::open(&dir, keys).expect("reopen");
    let cached = reopened.overview().await.expect("cached after restart");
    assert!(!cached.fresh);
    assert_eq!(cached.recent.len(), 2);
    let error = reopened.top_up(&card.card_id, "1.00").await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::Unreachable);
}

#[tokio::test]
async fn bad_input_gets_the_services_code_and_nothing_is_charged() {
    let service = saifu_tests::service::start().await;
    let (mut app, _dir) = onboarded(&service, Arc::new(MemoryKeyStore::default())).await;
    let declined = LinkCard {
        number: "4000 0000 0000 0002".into(),
        ..visa()
    };
    let error = app.link_card(declined).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::CardDeclined);
    let error = app.quote("not a payment code", None).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidPaymentCode);
    let error = app
        .quote(
            &service.merchant_payload("tyo-ginza-sushi", None).await,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::AmountRequired);
    let overview = app.overview().await.unwrap();
    assert_eq!(overview.balance.unwrap().balance.minor(), 0);
    assert!(overview.recent.is_empty());
}

#[tokio::test]
async fn a_lost_key_is_a_state_the_user_can_recover_from() {
    let service = saifu_tests::service::start().await;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let (app, dir) = onboarded(&service, keys.clone()).await;
    let device_id = app.profile().unwrap().device_id.clone();
    drop(app);
    keys.delete(&format!("device-key/{device_id}")).unwrap();

    let mut app = WalletApp::open(&dir, keys).expect("open");
    assert_eq!(app.status().await.unwrap(), Status::KeyMissing);
    assert_eq!(
        app.overview().await.unwrap_err().code(),
        ErrorCode::KeyMissing
    );
    app.forget().await.expect("forget");
    assert_eq!(app.status().await.unwrap(), Status::Welcome);
}

#[tokio::test]
async fn a_device_locked_from_another_is_refused_and_wipes_its_key() {
    let service = saifu_tests::service::start().await;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let (mut phone, _) = onboarded(&service, keys.clone()).await;

    // A second device joins: its registration, approved by the first.
    let tablet_keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let tablet_key = new_device_key().unwrap();
    let api = saifu_client::Api::new(&service.base).unwrap();
    let challenge = api
        .public(
            saifu_client::Method::POST,
            saifu_api::paths::CHALLENGES,
            None::<&()>,
        )
        .await
        .unwrap();
    let registration =
        device_registration(&challenge, "dev_tablet", "Tablet", &tablet_key).unwrap();
    let added = phone.approve_device(&registration).await.expect("approve");
    assert_eq!(added.device_name, "Tablet");
    let devices = phone.devices().await.unwrap();
    assert_eq!(devices.len(), 2);

    // The tablet locks the phone (the phone was lost).
    let tablet = saifu_client::DeviceIdentity {
        device_id: "dev_tablet".into(),
        key: Sensitive::new(tablet_key),
    };
    let phone_id = phone.profile().unwrap().device_id.clone();
    let locked: saifu_api::Device = api
        .signed(
            &tablet,
            saifu_client::Method::POST,
            &saifu_api::paths::device_lock(&phone_id),
            None::<&()>,
            None,
        )
        .await
        .expect("lock");
    assert!(locked.locked_at.is_some());
    drop(tablet_keys);

    let error = phone.overview().await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::DeviceLocked);
    assert_eq!(phone.status().await.unwrap(), Status::DeviceLocked);
    assert!(
        keys.load(&format!("device-key/{phone_id}"))
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn onboarding_refuses_a_weak_pin_and_a_bad_address_before_anything_is_created() {
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let dir = temp_dir("refused");
    let mut app = WalletApp::open(&dir, keys).unwrap();
    let onboarding = |service_url: &str, pin_text: &str| Onboarding {
        service_url: service_url.into(),
        device_name: "Phone".into(),
        home_currency: Currency::from_code("JPY").unwrap(),
        pin: pin(pin_text),
    };
    let error = app
        .onboard(onboarding("http://127.0.0.1:9", "123456"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::PinTooSimple);
    let error = app
        .onboard(onboarding("ftp://wallet", PIN))
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidServiceAddress);
    let error = app
        .onboard(onboarding("http://127.0.0.1:9", PIN))
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Unreachable);
    assert_eq!(app.status().await.unwrap(), Status::Welcome);
    assert!(!dir.join("wallet.json").exists());
}

#[tokio::test]
async fn pushed_events_arrive_and_a_lock_of_this_device_wipes_its_key_at_once() {
    let service = saifu_tests::service::start().await;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let (mut phone, _) = onboarded(&service, keys.clone()).await;
    let mut events = phone.subscribe().await.expect("subscribe");

    let card = phone.link_card(visa()).await.expect("link");
    let linked = events.next().await.expect("read").expect("an event");
    let saifu_client::Pushed::Event(linked) = linked else {
        panic!("expected an event, got {linked:?}");
    };
    assert!(
        matches!(&*linked, saifu_api::WalletEvent::CardLinked { card: pushed } if pushed.card_id == card.card_id),
        "{linked:?}"
    );

    // A tablet joins, then locks the phone: the phone hears it without asking anything.
    let tablet_key = new_device_key().unwrap();
    let api = saifu_client::Api::new(&service.base).unwrap();
    let challenge = api
        .public(
            saifu_client::Method::POST,
            saifu_api::paths::CHALLENGES,
            None::<&()>,
        )
        .await
        .unwrap();
    let registration =
        device_registration(&challenge, "dev_tablet_events", "Tablet", &tablet_key).unwrap();
    phone.approve_device(&registration).await.expect("approve");
    let tablet = saifu_client::DeviceIdentity {
        device_id: "dev_tablet_events".into(),
        key: Sensitive::new(tablet_key),
    };
    let phone_id = phone.profile().unwrap().device_id.clone();
    let _: saifu_api::Device = api
        .signed(
            &tablet,
            saifu_client::Method::POST,
            &saifu_api::paths::device_lock(&phone_id),
            None::<&()>,
            None,
        )
        .await
        .expect("lock");
    let locked = loop {
        let pushed = events.next().await.expect("read").expect("an event");
        if let saifu_client::Pushed::Event(event) = &pushed
            && matches!(&**event, saifu_api::WalletEvent::DeviceLocked { .. })
        {
            break pushed;
        }
    };
    phone.on_pushed(&locked).await.expect("act on it");
    assert_eq!(phone.status().await.unwrap(), Status::DeviceLocked);
    assert!(
        keys.load(&format!("device-key/{phone_id}"))
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn promotions_are_listed_and_a_claimed_coupon_comes_off_the_next_payment() {
    let service = saifu_tests::service::start().await;
    let (mut app, _dir) = onboarded(&service, Arc::new(MemoryKeyStore::default())).await;
    let card = app.link_card(visa()).await.expect("link");
    app.top_up(&card.card_id, "100").await.expect("top up");

    let promotions = app.promotions(None).await.expect("promotions");
    let welcome = promotions
        .iter()
        .find(|promotion| promotion.coupon && promotion.currency.code() == "CNY")
        .expect("a CNY coupon in the demo");
    assert!(!welcome.coupon_held);
    app.claim_coupon(&welcome.campaign_id).await.expect("claim");
    let again = app.claim_coupon(&welcome.campaign_id).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::CouponAlreadyClaimed);

    let quote = app
        .quote(
            &service
                .merchant_payload("sh-bund-books", Some("20.00"))
                .await,
            None,
        )
        .await
        .expect("quote");
    let balance_offer = quote
        .offers
        .iter()
        .find(|offer| offer.funding == Funding::Balance)
        .expect("a balance offer");
    assert!(
        balance_offer
            .applied
            .iter()
            .any(|applied| applied.coupon_id.is_some()),
        "{balance_offer:?}"
    );
    let receipt = app
        .pay(&quote.quote_id, Funding::Balance, &pin(PIN))
        .await
        .expect("pay");
    assert_eq!(receipt.paid, balance_offer.pay);
    assert!(receipt.discount.minor() > 0);
}
