//! Every currency onboarding offers can pay the demo shops, in yuan and in yen, converted
//! at a rate recent enough; an older rate is refused, never shown as today's.

use reqwest::StatusCode;
use saifu_api::{ErrorCode, Funding, Receipt};
use saifu_core::money::HOME_CURRENCIES;
use saifu_server::{demo, unix_now};

use crate::common::{
    TestApp, TestDevice, ask_quote, assert_ledger_balances, error_of, link, pay, quote, spawn_app,
    top_up, unique,
};

/// A wallet in `home` with a card and a balance of 1,000 major units.
async fn funded(app: &TestApp, home: &str) -> TestDevice {
    let phone = TestDevice::new();
    app.create_wallet_in(&phone, home).await;
    let card = link(app, &phone, "4242424242424242").await;
    let amount = if home == "JPY" { "1000" } else { "1000.00" };
    let topped = top_up(app, &phone, &card, amount, &unique("key")).await;
    assert_eq!(topped.status(), StatusCode::OK, "{home}");
    phone
}

#[tokio::test]
async fn every_home_currency_onboarding_offers_pays_a_shop_in_yuan_and_one_in_yen() {
    let app = spawn_app().await;
    demo::seed(&app.store, unix_now()).await.expect("seed");
    for home in HOME_CURRENCIES {
        let phone = funded(&app, home).await;
        for (shop, price) in [
            ("sh-lanxin-noodles", "12.00"),
            ("osa-dotonbori-takoyaki", "600"),
        ] {
            let priced = quote(&app, &phone, shop, Some(price), None).await;
            assert_eq!(priced.pay.currency().code(), home, "{home} at {shop}");
            assert_eq!(
                priced.rate.is_some(),
                priced.price.currency().code() != home,
                "{home} at {shop}: a rate exactly when converting"
            );
            let paid = pay(
                &app,
                &phone,
                &priced.quote_id,
                Funding::Balance,
                &unique("key"),
            )
            .await;
            assert_eq!(paid.status(), StatusCode::OK, "{home} at {shop}");
            let receipt: Receipt = paid.json().await.expect("receipt");
            assert_eq!(receipt.paid, priced.pay);
        }
    }
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn a_rate_older_than_a_day_is_refused_and_local_prices_still_quote() {
    let app = spawn_app().await;
    // Rates set a day and a minute ago.
    demo::seed(&app.store, unix_now() - 86_400 - 60)
        .await
        .expect("seed");
    let phone = funded(&app, "CNY").await;
    let refused = ask_quote(&app, &phone, "tyo-ginza-sushi", Some("1280"), None).await;
    assert_eq!(
        error_of(refused).await,
        (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::RateUnavailable)
    );
    let local = quote(&app, &phone, "sh-bund-books", Some("20.00"), None).await;
    assert!(local.rate.is_none());
    // A fresh rate prices it again.
    demo::seed(&app.store, unix_now()).await.expect("seed");
    let priced = quote(&app, &phone, "tyo-ginza-sushi", Some("1280"), None).await;
    assert!(priced.rate.is_some());
}
