//! The service's log never holds a card number, a security code, a key or a signature,
//! even at debug level, through onboarding, linking, topping up and paying.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common::{TestDevice, spawn_app, unique};
use reqwest::Method;
use saifu_api::{Card, Funding, Pay, Quote, QuoteRequest, paths};
use saifu_server::{demo, unix_now};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_reach_the_log() {
    let log = Captured::default();
    let writer = log.clone();
    // For this test's thread, where its service's tasks run too: other tests of the binary
    // may have set the global subscriber already.
    let _log = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_writer(move || writer.clone())
            .finish(),
    );

    let app = spawn_app().await;
    demo::seed(&app.store, unix_now()).await.expect("seed");
    let phone = TestDevice::new();
    app.create_wallet(&phone).await;
    let card: Card = phone
        .ok(&app, Method::POST, paths::CARDS, r#"{"number":"4242424242424242","expiry":"12/35","security_code":"987","holder":"Mei Tanaka"}"#)
        .await;
    let refused = phone
        .signed(&app, Method::POST, paths::CARDS, r#"{"number":"4000000000000002","expiry":"12/35","security_code":"654","holder":"Mei Tanaka"}"#)
        .send()
        .await
        .expect("send");
    assert!(refused.status().is_client_error());
    let top_up = serde_json::json!({ "card_id": card.card_id, "amount": "50.00" }).to_string();
    let signature_header = phone
        .signed(&app, Method::POST, paths::TOP_UPS, &top_up)
        .header(paths::IDEMPOTENCY_KEY, unique("key"));
    let sent = signature_header.build().expect("request");
    let signature = sent.headers()[saifu_core::auth::HEADER_SIGNATURE]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert!(
        app.http
            .execute(sent)
            .await
            .expect("send")
            .status()
            .is_success()
    );
    let payload = app
        .merchant_payload("sh-lanxin-noodles", Some("9.90"))
        .await;
    let quote: Quote = phone
        .ok(
            &app,
            Method::POST,
            paths::QUOTES,
            &serde_json::to_string(&QuoteRequest {
                payload,
                amount: None,
            })
            .expect("json"),
        )
        .await;
    let pay = serde_json::to_string(&Pay {
        quote_id: quote.quote_id,
        funding: Funding::Balance,
    })
    .expect("json");
    let paid = phone
        .signed(&app, Method::POST, paths::PAYMENTS, &pay)
        .header(paths::IDEMPOTENCY_KEY, unique("key"))
        .send()
        .await
        .expect("send");
    assert!(paid.status().is_success());

    let text = String::from_utf8(log.0.lock().expect("log buffer").clone()).expect("UTF-8 log");
    assert!(
        text.contains("card linked") && text.contains("paid"),
        "the log is captured:\n{text}"
    );
    // Security codes are three digits, as common as timestamps: no body field name may show.
    for secret in [
        "4242424242424242",
        "424242424242",
        "4000000000000002",
        "security_code",
        "Mei Tanaka",
        signature.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret:?} is in the log:\n{text}");
    }
}
