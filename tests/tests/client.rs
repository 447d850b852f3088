//! saifu-client, the app's brain, against a real service over HTTP: onboarding, cards, money, payments with
//! the PIN, offline display, a lost key and a remotely locked device.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use saifu_client::pin::PinError;
use saifu_client::{ClientError, KeyStore, MemoryKeyStore, Onboarding, Sensitive, WalletApp};
use saifu_core::code::Code;
use saifu_core::money::Currency;
use saifu_ipc::{ActivityKind, FundingChoice, LinkCardRequest, Pushed, RewardView, Stage};
use saifu_tests::service::{LocalService as Service, OtherDevice, temp_dir};

const PIN: &str = "482913";

fn pin(text: &str) -> Sensitive<String> {
    Sensitive::new(text.to_owned())
}

async fn onboarded(service: &Service, keys: Arc<dyn KeyStore>) -> (WalletApp, PathBuf) {
    onboarded_at(&service.base, keys).await
}

async fn onboarded_at(service_url: &str, keys: Arc<dyn KeyStore>) -> (WalletApp, PathBuf) {
    let dir = temp_dir("app");
    let app = WalletApp::open(&dir, keys, "").expect("open");
    assert_eq!(app.status().await.expect("status").stage, Stage::Welcome);
    app.onboard(Onboarding {
        service_url: service_url.to_owned(),
        device_name: "Mei's phone".into(),
        home_currency: Currency::from_code("CNY").unwrap(),
        pin: pin(PIN),
    })
    .await
    .expect("onboard");
    (app, dir)
}

fn visa() -> LinkCardRequest {
    LinkCardRequest {
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
    let (app, dir) = onboarded(&service, keys.clone()).await;
    assert_eq!(app.status().await.unwrap().stage, Stage::Ready);

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
    assert_eq!(quote.merchant_name, "Lanxin Noodle House");
    assert_eq!(quote.price.to_decimal_string(), "38.50");
    // The shop's "¥5 off ¥30" applies whichever way the user pays; ties go to the balance.
    assert_eq!(quote.offers[0].pay.to_decimal_string(), "33.50");
    assert_eq!(quote.offers[0].funding, FundingChoice::Balance);
    assert_eq!(
        quote.offers[0].applied[0].saving.to_decimal_string(),
        "5.00"
    );

    // A wrong PIN pays nothing.
    let wrong = app
        .pay(&quote.quote_id, FundingChoice::Balance, &pin("111112"))
        .await;
    assert!(
        matches!(
            wrong,
            Err(ClientError::Pin(PinError::Wrong { tries_left: 2, .. }))
        ),
        "{wrong:?}"
    );
    let receipt = app
        .pay(&quote.quote_id, FundingChoice::Balance, &pin(PIN))
        .await
        .expect("pay");
    assert_eq!(receipt.paid.to_decimal_string(), "33.50");
    assert_eq!(receipt.discount.to_decimal_string(), "5.00");

    let overview = app.overview().await.expect("overview");
    assert!(overview.fresh);
    assert_eq!(overview.balance.unwrap().to_decimal_string(), "166.50");
    assert!(overview.has_paid);
    assert_eq!(overview.cards.len(), 1);
    assert_eq!(overview.recent.len(), 2);
    assert_eq!(
        overview.recent[0].merchant.as_deref(),
        Some("Lanxin Noodle House")
    );

    // Paying the same quote again is refused by the service, with its code.
    let again = app
        .pay(&quote.quote_id, FundingChoice::Balance, &pin(PIN))
        .await;
    assert!(
        matches!(
            &again,
            Err(ClientError::Service {
                code: Code::QuoteAlreadyPaid,
                ..
            })
        ),
        "{again:?}"
    );

    // Offline, the last answers show, marked as not fresh; a reopened app shows them too.
    service.stop().await;
    let offline = app.overview().await.expect("cached overview");
    assert!(!offline.fresh);
    assert_eq!(offline.balance.unwrap().to_decimal_string(), "166.50");
    // A reopened app is locked until the PIN is given.
    let reopened = WalletApp::open(&dir, keys, "").expect("reopen");
    assert_eq!(reopened.status().await.unwrap().stage, Stage::Locked);
    let locked = reopened.overview().await.unwrap_err();
    assert_eq!(locked.code(), Code::AppLocked);
    reopened.unlock(&pin(PIN)).expect("unlock");
    let cached = reopened.overview().await.expect("cached after restart");
    assert!(!cached.fresh);
    assert_eq!(cached.recent.len(), 2);
    let error = reopened.top_up(&card.card_id, "1.00").await.unwrap_err();
    assert_eq!(error.code(), Code::Unreachable);
}

#[tokio::test]
async fn bad_input_gets_the_services_code_and_nothing_is_charged() {
    let service = saifu_tests::service::start().await;
    let (app, _dir) = onboarded(&service, Arc::new(MemoryKeyStore::default())).await;
    let declined = LinkCardRequest {
        number: "4000 0000 0000 0002".into(),
        ..visa()
    };
    let error = app.link_card(declined).await.unwrap_err();
    assert_eq!(error.code(), Code::CardDeclined);
    let error = app.quote("not a payment code", None).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidPaymentCode);
    let error = app
        .quote(
            &service.merchant_payload("tyo-ginza-sushi", None).await,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::AmountRequired);
    let overview = app.overview().await.unwrap();
    assert_eq!(overview.balance.unwrap().minor(), 0);
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

    let app = WalletApp::open(&dir, keys, "").expect("open");
    assert_eq!(app.status().await.unwrap().stage, Stage::KeyMissing);
    app.unlock(&pin(PIN)).expect("unlock");
    assert_eq!(app.overview().await.unwrap_err().code(), Code::KeyMissing);
    app.forget().await.expect("forget");
    assert_eq!(app.status().await.unwrap().stage, Stage::Welcome);
}

#[tokio::test]
async fn a_device_locked_from_another_is_refused_and_wipes_its_key() {
    let service = saifu_tests::service::start().await;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let (phone, _) = onboarded(&service, keys.clone()).await;

    // A second device joins: its registration, approved by the first.
    let (tablet, registration) = OtherDevice::new(&service.base, "dev_tablet", "Tablet").await;
    let added = phone.approve_device(&registration).await.expect("approve");
    assert_eq!(added.device_name, "Tablet");
    let devices = phone.devices().await.unwrap();
    assert_eq!(devices.len(), 2);

    // The tablet locks the phone (the phone was lost).
    let phone_id = phone.profile().unwrap().device_id;
    let locked = tablet.lock(&phone_id).await.expect("lock");
    assert!(locked.locked_at.is_some());

    let error = phone.overview().await.unwrap_err();
    assert_eq!(error.code(), Code::DeviceLocked);
    assert_eq!(phone.status().await.unwrap().stage, Stage::DeviceLocked);
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
    let app = WalletApp::open(&dir, keys, "").unwrap();
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
    assert_eq!(error.code(), Code::PinTooSimple);
    let error = app
        .onboard(onboarding("ftp://wallet", PIN))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidServiceAddress);
    let error = app
        .onboard(onboarding("http://127.0.0.1:9", PIN))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Unreachable);
    assert_eq!(app.status().await.unwrap().stage, Stage::Welcome);
    assert!(!dir.join("wallet.json").exists());
}

#[tokio::test]
async fn pushed_events_arrive_and_a_lock_of_this_device_wipes_its_key_at_once() {
    let service = saifu_tests::service::start().await;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let (phone, _) = onboarded(&service, keys.clone()).await;
    let mut events = phone.events().await.expect("subscribe");

    let card = phone.link_card(visa()).await.expect("link");
    let linked = phone.next_event(&mut events).await.expect("read");
    assert_eq!(
        linked,
        Some(Pushed::CardLinked {
            brand: card.brand,
            last4: "4242".into()
        })
    );

    // A tablet joins, then locks the phone: the phone hears it without asking anything.
    let (tablet, registration) =
        OtherDevice::new(&service.base, "dev_tablet_events", "Tablet").await;
    phone.approve_device(&registration).await.expect("approve");
    let phone_id = phone.profile().unwrap().device_id;
    tablet.lock(&phone_id).await.expect("lock");
    loop {
        let pushed = phone.next_event(&mut events).await.expect("read");
        match pushed.expect("an event") {
            Pushed::DeviceLocked { this_device } => {
                assert!(this_device);
                break;
            }
            Pushed::DeviceAdded { device_name } => assert_eq!(device_name, "Tablet"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(phone.status().await.unwrap().stage, Stage::DeviceLocked);
    assert!(
        keys.load(&format!("device-key/{phone_id}"))
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn promotions_are_listed_and_a_claimed_coupon_comes_off_the_next_payment() {
    let service = saifu_tests::service::start().await;
    let (app, _dir) = onboarded(&service, Arc::new(MemoryKeyStore::default())).await;
    let card = app.link_card(visa()).await.expect("link");
    app.top_up(&card.card_id, "100").await.expect("top up");

    let promotions = app.promotions().await.expect("promotions");
    let in_yuan = |reward: &RewardView| {
        let money = match reward {
            RewardView::PercentOff { cap, .. } => {
                return cap.is_some_and(|cap| cap.currency().code() == "CNY");
            }
            RewardView::AmountOff { off }
            | RewardView::ThresholdOff { off, .. }
            | RewardView::FirstPaymentBonus { off } => off,
            RewardView::RandomOff { min, .. } => min,
        };
        money.currency().code() == "CNY"
    };
    let welcome = promotions
        .iter()
        .find(|promotion| promotion.coupon && in_yuan(&promotion.reward))
        .expect("a CNY coupon in the demo");
    assert!(!welcome.coupon_held);
    app.claim_coupon(&welcome.campaign_id).await.expect("claim");
    let again = app.claim_coupon(&welcome.campaign_id).await.unwrap_err();
    assert_eq!(again.code(), Code::CouponAlreadyClaimed);

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
        .find(|offer| offer.funding == FundingChoice::Balance)
        .expect("a balance offer");
    assert!(
        balance_offer.applied.iter().any(|applied| applied.coupon),
        "{balance_offer:?}"
    );
    let receipt = app
        .pay(&quote.quote_id, FundingChoice::Balance, &pin(PIN))
        .await
        .expect("pay");
    assert_eq!(receipt.paid, balance_offer.pay);
    assert!(receipt.discount.minor() > 0);
}

#[tokio::test]
async fn a_refund_from_the_shop_arrives_and_shows_in_history() {
    let service = saifu_tests::service::start().await;
    let (app, _dir) = onboarded(&service, Arc::new(MemoryKeyStore::default())).await;
    let card = app.link_card(visa()).await.expect("link");
    app.top_up(&card.card_id, "100").await.expect("top up");
    let payload = service.merchant_payload("sh-bund-books", None).await;
    let quote = app.quote(&payload, Some("20")).await.expect("quote");
    let receipt = app
        .pay(&quote.quote_id, FundingChoice::Balance, &pin(PIN))
        .await
        .expect("pay");
    let mut events = app.events().await.expect("subscribe");

    let till = service
        .till("sh-bund-books", saifu_api::TillRole::Owner)
        .await;
    let refund = saifu_tests::service::refund(&service, &till, &receipt.payment_id, "5.00").await;

    let pushed = app.next_event(&mut events).await.expect("read");
    assert_eq!(
        pushed,
        Some(Pushed::Refunded {
            merchant_name: "Bund Books & Tea".into(),
            merchant_local: receipt.merchant_local.clone(),
            returned: refund.returned,
        })
    );
    let history = app.history(None).await.expect("history");
    let line = &history.entries[0];
    assert_eq!(line.kind, ActivityKind::Refund);
    assert_eq!(line.amount, refund.returned);
    assert_eq!(
        line.payment_id.as_deref(),
        Some(receipt.payment_id.as_str())
    );
    let overview = app.overview().await.expect("overview");
    assert_eq!(
        overview.balance.unwrap().minor(),
        10_000 - receipt.paid.minor() + refund.returned.minor()
    );
}

#[tokio::test]
async fn a_stalled_refresh_holds_up_no_payment() {
    let service = saifu_tests::service::start().await;
    let proxy = StallingProxy::start(&service.base, "GET /v1/history").await;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let (app, _dir) = onboarded_at(&proxy.base, keys).await;
    let app = Arc::new(app);
    let card = app.link_card(visa()).await.expect("link");
    app.top_up(&card.card_id, "100").await.expect("top up");

    // Home refreshes; the service is slow to send the history.
    let refresh = tokio::spawn({
        let app = app.clone();
        async move { app.overview().await }
    });
    proxy.held.notified().await;

    // Meanwhile the user pays at the counter.
    let payload = service.merchant_payload("sh-lanxin-noodles", None).await;
    let quote = app.quote(&payload, Some("12")).await.expect("quote");
    // A bound on the wait turns "the payment waited for the refresh" into a failure.
    let pin = pin(PIN);
    let paying = app.pay(&quote.quote_id, FundingChoice::Balance, &pin);
    let receipt = tokio::time::timeout(std::time::Duration::from_secs(30), paying)
        .await
        .expect("the payment waited for the refresh")
        .expect("paid while the refresh waits");
    assert_eq!(receipt.paid.to_decimal_string(), "12.00");
    assert!(!refresh.is_finished(), "the refresh was not held");

    proxy.release.notify_one();
    let overview = refresh.await.expect("refresh task").expect("overview");
    assert!(overview.fresh);
    assert_eq!(overview.recent.len(), 2, "{:?}", overview.recent);
}

/// The pay code is made on the phone from the key it got at registration: with the service
/// out of reach it still shows one, a till (online) is paid with it within its window, and
/// the same code is refused once the window has passed. A locked app shows none.
#[tokio::test]
async fn pay_codes_made_offline_are_taken_within_their_window_and_refused_after() {
    let service = saifu_tests::service::start().await;
    let proxy = CuttableProxy::start(&service.base).await;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let (app, _dir) = onboarded_at(&proxy.base, keys).await;
    let card = app.link_card(visa()).await.expect("link");
    app.top_up(&card.card_id, "100").await.expect("top up");

    proxy.cut();
    assert_eq!(app.overview().await.unwrap_err().code(), Code::Unreachable);
    let shown = app.pay_code().await.expect("a pay code made offline");
    assert_eq!(shown.code.len(), 18);
    assert!(shown.qr_svg.starts_with("<svg") && shown.barcode_svg.starts_with("<svg"));

    let till = service
        .till("sh-lanxin-noodles", saifu_api::TillRole::Staff)
        .await;
    let charge = |code: String| {
        let (service, till) = (&service, &till);
        async move {
            let body = serde_json::json!({ "code": code, "amount": "12.00" }).to_string();
            till.signed(
                service,
                reqwest::Method::POST,
                saifu_api::paths::PAY_CODE_CHARGES,
                &body,
            )
            .header(
                saifu_api::paths::IDEMPOTENCY_KEY,
                saifu_server::testing::unique("charge-key"),
            )
            .send()
            .await
            .expect("send")
        }
    };
    // The service's clock a step ahead of the phone's: still within the window.
    service.clock_offset.store(30, Ordering::Relaxed);
    assert_eq!(
        charge(shown.code.clone()).await.status(),
        reqwest::StatusCode::OK
    );
    // Two minutes on, the code the phone showed is refused as expired.
    service.clock_offset.store(150, Ordering::Relaxed);
    let late = charge(shown.code.clone()).await;
    assert_eq!(late.status(), reqwest::StatusCode::GONE);
    assert!(late.text().await.unwrap().contains("pay_code_expired"));

    app.lock();
    assert_eq!(app.pay_code().await.unwrap_err().code(), Code::AppLocked);
}

/// A proxy in front of the service until [`CuttableProxy::cut`]: then every connection,
/// open or new, is dropped, as when the phone loses its signal.
struct CuttableProxy {
    base: String,
    cut: Arc<std::sync::atomic::AtomicBool>,
}

impl CuttableProxy {
    async fn start(service: &str) -> CuttableProxy {
        let upstream = service.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let cut = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let cutting = cut.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if cutting.load(Ordering::SeqCst) {
                    continue;
                }
                let mut server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                let cutting = cutting.clone();
                tokio::spawn(async move {
                    let piped = tokio::io::copy_bidirectional(&mut client, &mut server);
                    let cut = async {
                        while !cutting.load(Ordering::SeqCst) {
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! {
                        _ = piped => {}
                        () = cut => {}
                    }
                });
            }
        });
        CuttableProxy { base, cut }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }
}

/// A proxy in front of the service that holds the first request starting with `held_line`
/// until `release` is notified, and passes everything else straight through.
struct StallingProxy {
    base: String,
    held: Arc<tokio::sync::Notify>,
    release: Arc<tokio::sync::Notify>,
}

impl StallingProxy {
    async fn start(service: &str, held_line: &'static str) -> StallingProxy {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let upstream = service.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let held = Arc::new(tokio::sync::Notify::new());
        let release = Arc::new(tokio::sync::Notify::new());
        let holding = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (held_, release_) = (held.clone(), release.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let (held, release, holding) = (held_.clone(), release_.clone(), holding.clone());
                tokio::spawn(async move {
                    let mut buffer = vec![0_u8; 64 * 1024];
                    loop {
                        let read = match client_read.read(&mut buffer).await {
                            Ok(0) | Err(_) => break,
                            Ok(read) => read,
                        };
                        // A request's head arrives in one write from the client.
                        if buffer[..read].starts_with(held_line.as_bytes())
                            && holding.swap(false, std::sync::atomic::Ordering::SeqCst)
                        {
                            held.notify_one();
                            release.notified().await;
                        }
                        if server_write.write_all(&buffer[..read]).await.is_err() {
                            break;
                        }
                    }
                });
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                });
            }
        });
        StallingProxy {
            base,
            held,
            release,
        }
    }
}
