//! The wallet's server-sent events, read from a real HTTP stream as the app reads them.

use std::time::Duration;

use crate::common::{TestApp, TestDevice, spawn_app, unique};
use reqwest::Method;
use saifu_api::{Card, WalletEvent, paths};
use saifu_server::{demo, unix_now};

/// An open event stream and what has arrived on it but not been read yet.
pub struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    pub async fn open(app: &TestApp, device: &TestDevice) -> Events {
        let response = device
            .signed(app, Method::GET, paths::EVENTS, "")
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Events {
            response,
            buffer: String::new(),
        }
    }

    /// The next wallet event (keep-alive comments are skipped), or None when the stream ends.
    pub async fn next(&mut self) -> Option<WalletEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let data = block
                    .lines()
                    .find_map(|line| line.strip_prefix("data:"))
                    .map(str::trim);
                let name = block
                    .lines()
                    .find_map(|line| line.strip_prefix("event:"))
                    .map(str::trim);
                if let (Some(name), Some(data)) = (name, data) {
                    let event: WalletEvent = serde_json::from_str(data).expect("event JSON");
                    assert_eq!(event.name(), name);
                    return Some(event);
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .expect("an event within 10 s")
                .expect("read the stream")?;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }
}

#[tokio::test]
async fn devices_hear_about_cards_top_ups_and_locks() {
    let app = spawn_app().await;
    demo::seed(&app.store, unix_now()).await.expect("seed");
    let phone = TestDevice::new();
    let tablet = TestDevice::new();
    app.create_wallet(&phone).await;
    let mut phone_events = Events::open(&app, &phone).await;

    let card: Card = phone
        .ok(&app, Method::POST, paths::CARDS, r#"{"number":"4242424242424242","expiry":"12/35","security_code":"123","holder":"Mei"}"#)
        .await;
    assert_eq!(
        phone_events.next().await,
        Some(WalletEvent::CardLinked { card: card.clone() })
    );

    let body = serde_json::json!({ "card_id": card.card_id, "amount": "50.00" }).to_string();
    let topped = phone
        .signed(&app, Method::POST, paths::TOP_UPS, &body)
        .header(paths::IDEMPOTENCY_KEY, unique("key"))
        .send()
        .await
        .expect("send");
    assert!(topped.status().is_success());
    assert!(
        matches!(phone_events.next().await, Some(WalletEvent::ToppedUp { receipt }) if receipt.amount.minor() == 5000)
    );

    app.add_device(&phone, &tablet).await;
    assert!(
        matches!(phone_events.next().await, Some(WalletEvent::DeviceAdded { device }) if device.device_id == tablet.id)
    );

    let mut tablet_events = Events::open(&app, &tablet).await;
    let _: saifu_api::Device = phone
        .ok(&app, Method::POST, &paths::device_lock(&tablet.id), "")
        .await;
    let locked = Some(WalletEvent::DeviceLocked {
        device_id: tablet.id.clone(),
    });
    assert_eq!(phone_events.next().await, locked);
    // The lost device hears it too, so it can wipe its key.
    assert_eq!(tablet_events.next().await, locked);

    // Another wallet's events never arrive here.
    let stranger = TestDevice::new();
    app.create_wallet(&stranger).await;
    let _: Card = stranger
        .ok(
            &app,
            Method::POST,
            paths::CARDS,
            r#"{"number":"5555555555554444","expiry":"12/35","security_code":"123","holder":"Li"}"#,
        )
        .await;
    let unlinked: saifu_api::CardList = phone
        .ok(&app, Method::DELETE, &paths::card(&card.card_id), "")
        .await;
    assert!(unlinked.cards.is_empty());
    assert_eq!(
        phone_events.next().await,
        Some(WalletEvent::CardUnlinked {
            card_id: card.card_id
        })
    );
}

#[tokio::test]
async fn shutting_down_ends_the_event_streams() {
    let app = spawn_app().await;
    let phone = TestDevice::new();
    app.create_wallet(&phone).await;
    let mut events = Events::open(&app, &phone).await;

    let stopped = tokio::spawn(app.stop());
    assert_eq!(events.next().await, None, "the stream ends");
    tokio::time::timeout(Duration::from_secs(10), stopped)
        .await
        .expect("the server stops")
        .expect("task");
}
