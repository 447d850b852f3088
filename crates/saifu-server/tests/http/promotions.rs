//! Promotions over real HTTP: quotes that price every way of paying with the demo's
//! discounts (threshold, random, card issuer's, visitors', first visit, coupons), payments
//! that honour the offer they name and post each saving to its funder, coupons claimed and
//! used up, per-user limits, parallel payments against a nearly spent budget, and a ledger
//! that balances in every currency throughout.
//!
//! Tests share one PostgreSQL database: the demo promotions are seeded idempotently, and a
//! test that needs a campaign of its own makes it at a shop of its own in a city of its own.

use std::sync::Arc;

use crate::common::{
    TestApp, TestDevice, assert_ledger_balances, balance, currency, error_of, link, pay, quote,
    spawn_app, top_up, unique,
};
use reqwest::{Method, StatusCode};
use saifu_api::{
    AppliedPromotion, Card, CardList, Coupon, CouponList, ErrorCode, Funder, Funding, FundingKind,
    PromotionList, Quote, QuoteOffer, Receipt, Reward, paths,
};
use saifu_core::card::Brand;
use saifu_core::money::{ExchangeRate, Money};
use saifu_core::promo::{self, Campaign, Eligibility, Stacking};
use saifu_server::store::{CampaignRow, FundedBy, MerchantRow, StoreError};
use saifu_server::{demo, service, unix_now};

const VISA: &str = "4242 4242 4242 4242";
/// Issued by "Sandbox UnionPay Bank", which funds the demo's 10% off in Shanghai.
const UNIONPAY: &str = "6200 0000 0000 0005";

fn cny(minor: i64) -> Money {
    Money::from_minor(minor, currency("CNY"))
}

fn jpy(minor: i64) -> Money {
    Money::from_minor(minor, currency("JPY"))
}

/// A service with the demo shops, rates and promotions.
async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    demo::seed(&app.store, unix_now()).await.expect("seed");
    demo::seed_promotions(&app.store, unix_now())
        .await
        .expect("seed promotions");
    app
}

/// What [`funded_wallet`] tops up: CN¥500.00.
const TOPPED_UP: i64 = 50_000;

/// A yuan wallet with a Visa card and [`TOPPED_UP`] from it: the device, the wallet's id and
/// the card.
async fn funded_wallet(app: &TestApp) -> (TestDevice, String, Card) {
    let phone = TestDevice::new();
    let wallet = app.create_wallet(&phone).await;
    let card = link(app, &phone, VISA).await;
    let response = top_up(app, &phone, &card, "500.00", &unique("top-up-key")).await;
    assert_eq!(response.status(), StatusCode::OK);
    (phone, wallet.wallet_id, card)
}

async fn receipt_of(response: reqwest::Response) -> Receipt {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, StatusCode::OK, "a payment was refused: {text}");
    serde_json::from_str(&text).expect("a receipt")
}

fn offer_for<'q>(quote: &'q Quote, funding: &Funding) -> &'q QuoteOffer {
    quote
        .offers
        .iter()
        .find(|offer| offer.funding == *funding)
        .unwrap_or_else(|| panic!("no offer for {funding:?} in {quote:?}"))
}

fn campaign_ids(applied: &[AppliedPromotion]) -> Vec<&str> {
    applied
        .iter()
        .map(|promotion| promotion.campaign_id.as_str())
        .collect()
}

fn card_funding(card: &Card) -> Funding {
    Funding::Card {
        card_id: card.card_id.clone(),
    }
}

/// The postings of a payment as (account, amount) pairs, sorted.
async fn postings(app: &TestApp, payment_id: &str) -> Vec<(String, Money)> {
    let mut postings: Vec<(String, Money)> = app
        .store
        .transaction_entries(payment_id)
        .await
        .expect("postings")
        .into_iter()
        .map(|(account, minor, currency)| (account, Money::from_minor(minor, currency)))
        .collect();
    postings.sort_by(|a, b| a.0.cmp(&b.0));
    postings
}

fn expected(mut postings: Vec<(String, Money)>) -> Vec<(String, Money)> {
    postings.sort_by(|a, b| a.0.cmp(&b.0));
    postings
}

/// A yuan shop of this test alone, in a city of its own.
pub async fn own_shop(app: &TestApp) -> String {
    let row = MerchantRow {
        merchant_id: unique("shop"),
        name: "Test Noodles".into(),
        city: unique("City"),
        country: "CN".into(),
        mcc: "5814".into(),
        currency: currency("CNY"),
        group: None,
        utc_offset_minutes: 8 * 60,
        local: None,
    };
    let merchant_id = row.merchant_id.clone();
    app.store
        .write(move |mut tx| Box::pin(async move { tx.upsert_merchant(&row).await }))
        .await
        .map_err(|error: StoreError| error)
        .expect("add the shop");
    merchant_id
}

/// A merchant-funded automatic campaign at `shop` taking `off_minor` fen off, changed by
/// `edit`; its id.
pub async fn own_campaign(
    app: &TestApp,
    shop: &str,
    off_minor: i64,
    edit: impl FnOnce(&mut Campaign),
) -> String {
    let mut campaign = Campaign {
        id: unique("campaign"),
        name: "Test discount".into(),
        names: Default::default(),
        funder: promo::Funder::Merchant,
        reward: promo::Reward::AmountOff { minor: off_minor },
        currency: currency("CNY"),
        eligibility: Eligibility {
            merchants: vec![shop.to_owned()],
            ..Eligibility::default()
        },
        stacking: Stacking::OnePerFunder,
        coupon: false,
        per_user_limit: None,
        budget_minor: None,
    };
    edit(&mut campaign);
    let row = CampaignRow {
        campaign,
        funded_by: FundedBy::Merchant(shop.to_owned()),
        coupon_valid_seconds: None,
        visitors_only: false,
    };
    service::upsert_campaign(&app.store, row.clone(), unix_now())
        .await
        .expect("a valid campaign");
    row.campaign.id
}

async fn claim(app: &TestApp, phone: &TestDevice, campaign_id: &str) -> reqwest::Response {
    let body = serde_json::json!({ "campaign_id": campaign_id }).to_string();
    phone
        .signed(app, Method::POST, paths::COUPONS, &body)
        .send()
        .await
        .expect("send")
}

async fn listed(app: &TestApp, phone: &TestDevice, query: &str) -> PromotionList {
    phone
        .ok(
            app,
            Method::GET,
            &format!("{}{query}", paths::PROMOTIONS),
            "",
        )
        .await
}

#[tokio::test]
async fn a_threshold_discount_takes_five_yuan_off_thirty() {
    let app = demo_app().await;
    let (phone, wallet_id, _card) = funded_wallet(&app).await;

    let below = quote(&app, &phone, "sh-lanxin-noodles", None, Some("29.99")).await;
    assert_eq!(below.pay, cny(2999));
    assert!(below.offers.iter().all(|offer| offer.applied.is_empty()));

    let noodles = quote(&app, &phone, "sh-lanxin-noodles", None, Some("38.50")).await;
    assert_eq!(noodles.price, cny(3850));
    assert_eq!(noodles.pay, cny(3350));
    let best = &noodles.offers[0];
    assert_eq!(
        best.funding,
        Funding::Balance,
        "the balance first when as cheap"
    );
    assert_eq!(best.discount, cny(500));
    assert_eq!(
        best.applied,
        [AppliedPromotion {
            campaign_id: "demo-lanxin-5-off-30".into(),
            coupon_id: None,
            name: "¥5 off ¥30 at Lanxin Noodle House".into(),
            names: [
                ("ja".to_owned(), "蘭心麺館 30元以上で5元引き".to_owned()),
                ("zh-CN".to_owned(), "兰心面馆 满30元减5元".to_owned()),
            ]
            .into(),
            funder: Funder::Merchant,
            saving: cny(500),
        }]
    );

    let key = unique("pay-key");
    let receipt =
        receipt_of(pay(&app, &phone, &noodles.quote_id, Funding::Balance, &key).await).await;
    assert_eq!(receipt.price, cny(3850));
    assert_eq!(receipt.paid, cny(3350));
    assert_eq!(receipt.discount, cny(500));
    assert_eq!(receipt.applied, best.applied);
    let retry =
        receipt_of(pay(&app, &phone, &noodles.quote_id, Funding::Balance, &key).await).await;
    assert_eq!(retry, receipt, "a retry gets the same receipt");
    assert_eq!(balance(&app, &phone).await, cny(TOPPED_UP - 3350));

    // The shop gets the whole price; its own promotion account gives the five yuan.
    assert_eq!(
        postings(&app, &receipt.payment_id).await,
        expected(vec![
            (format!("wallet:{wallet_id}:CNY"), cny(-3350)),
            ("promo:merchant:sh-lanxin-noodles:CNY".into(), cny(-500)),
            ("merchant:sh-lanxin-noodles:CNY".into(), cny(3850)),
        ])
    );
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn the_lucky_discount_is_drawn_from_the_quotes_seed_and_charged_as_quoted() {
    let app = demo_app().await;
    let (phone, _wallet_id, _card) = funded_wallet(&app).await;
    let market = quote(&app, &phone, "sh-jingan-market", None, Some("50.00")).await;
    let best = &market.offers[0];
    assert_eq!(campaign_ids(&best.applied), ["demo-jingan-lucky"]);
    assert_eq!(best.applied[0].funder, Funder::Operator);
    let (stored, _) = app
        .store
        .quote_and_merchant(&market.quote_id)
        .await
        .expect("query")
        .expect("stored");
    let seed = u64::try_from(stored.promo_seed).expect("63 bits");
    let drawn = promo::draw(seed, "demo-jingan-lucky", 20, 200);
    assert!((20..=200).contains(&drawn));
    assert_eq!(best.discount, cny(drawn));
    assert_eq!(market.pay, cny(5000 - drawn));

    let receipt = receipt_of(
        pay(
            &app,
            &phone,
            &market.quote_id,
            Funding::Balance,
            &unique("pay-key"),
        )
        .await,
    )
    .await;
    assert_eq!(receipt.discount, cny(drawn));
    assert_eq!(receipt.paid, cny(5000 - drawn));
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn the_issuers_discount_is_offered_only_with_its_unionpay_card() {
    let app = demo_app().await;
    let (phone, _wallet_id, visa) = funded_wallet(&app).await;
    let unionpay = link(&app, &phone, UNIONPAY).await;

    let books = quote(&app, &phone, "sh-bund-books", None, Some("100.00")).await;
    assert_eq!(books.offers.len(), 3, "the balance and two cards");
    let best = &books.offers[0];
    assert_eq!(best.funding, card_funding(&unionpay));
    assert_eq!(best.pay, cny(9000));
    assert_eq!(campaign_ids(&best.applied), ["demo-unionpay-shanghai"]);
    assert_eq!(best.applied[0].funder, Funder::Issuer);
    assert_eq!(books.pay, cny(9000), "the top shows the best offer");
    for other in [Funding::Balance, card_funding(&visa)] {
        let offer = offer_for(&books, &other);
        assert!(offer.applied.is_empty(), "{offer:?}");
        assert_eq!(offer.pay, cny(10_000));
    }

    // Capped at CN¥20.
    let more = quote(&app, &phone, "sh-bund-books", None, Some("300.00")).await;
    assert_eq!(more.offers[0].discount, cny(2000));

    let receipt = receipt_of(
        pay(
            &app,
            &phone,
            &books.quote_id,
            card_funding(&unionpay),
            &unique("pay-key"),
        )
        .await,
    )
    .await;
    assert_eq!(receipt.paid, cny(9000));
    assert_eq!(receipt.discount, cny(1000));
    assert_eq!(
        postings(&app, &receipt.payment_id).await,
        expected(vec![
            ("card-clearing:CNY".into(), cny(-9000)),
            ("promo:issuer:Sandbox UnionPay Bank:CNY".into(), cny(-1000)),
            ("merchant:sh-bund-books:CNY".into(), cny(10_000)),
        ])
    );
    assert_eq!(balance(&app, &phone).await, cny(TOPPED_UP), "paid by card");
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn a_visitor_pays_the_discounted_price_converted_and_a_local_pays_it_all() {
    let app = demo_app().await;
    let (phone, wallet_id, _card) = funded_wallet(&app).await;
    let rate = ExchangeRate::parse(currency("JPY"), currency("CNY"), "0.048210").expect("rate");

    let gadgets = quote(&app, &phone, "tyo-akiba-denki", Some("2000"), None).await;
    let best = &gadgets.offers[0];
    assert_eq!(campaign_ids(&best.applied), ["demo-tokyo-visitors"]);
    assert_eq!(best.discount, jpy(100));
    // Converted after the discount, at the quote's rate: 1900 yen are CN¥91.599, so 91.60.
    assert_eq!(best.pay, rate.convert(jpy(1900)).expect("converts"));
    assert_eq!(best.pay, cny(9160));

    let receipt = receipt_of(
        pay(
            &app,
            &phone,
            &gadgets.quote_id,
            Funding::Balance,
            &unique("pay-key"),
        )
        .await,
    )
    .await;
    assert_eq!(receipt.price, jpy(2000));
    assert_eq!(receipt.discount, jpy(100));
    assert_eq!(receipt.paid, cny(9160));
    // Balanced in each currency: the operator's yen position covers what the wallet's yuan
    // bought, the operator's promotion account the rest of the shop's price.
    assert_eq!(
        postings(&app, &receipt.payment_id).await,
        expected(vec![
            (format!("wallet:{wallet_id}:CNY"), cny(-9160)),
            ("fx:CNY".into(), cny(9160)),
            ("fx:JPY".into(), jpy(-1900)),
            ("promo:operator:JPY".into(), jpy(-100)),
            ("merchant:tyo-akiba-denki:JPY".into(), jpy(2000)),
        ])
    );

    let local = TestDevice::new();
    app.create_wallet_in(&local, "JPY").await;
    let at_home = quote(&app, &local, "tyo-akiba-denki", Some("2000"), None).await;
    assert_eq!(at_home.pay, jpy(2000));
    assert_eq!(at_home.rate, None);
    assert!(at_home.offers[0].applied.is_empty(), "{at_home:?}");
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn the_first_visit_bonus_comes_once() {
    let app = demo_app().await;
    let (phone, _wallet_id, _card) = funded_wallet(&app).await;
    let first = quote(&app, &phone, "tyo-ginza-sushi", Some("1280"), None).await;
    let also_first = quote(&app, &phone, "tyo-ginza-sushi", Some("1280"), None).await;
    for quoted in [&first, &also_first] {
        let best = &quoted.offers[0];
        // The merchant's saving first, then the operator's.
        assert_eq!(
            campaign_ids(&best.applied),
            ["demo-ginza-first-visit", "demo-tokyo-visitors"]
        );
        assert_eq!(best.discount, jpy(300 + 64));
        // 916 yen at 0.048210 are CN¥44.16036.
        assert_eq!(best.pay, cny(4416));
    }
    let receipt = receipt_of(
        pay(
            &app,
            &phone,
            &first.quote_id,
            Funding::Balance,
            &unique("pay-key"),
        )
        .await,
    )
    .await;
    assert_eq!(receipt.paid, cny(4416));

    let stale = pay(
        &app,
        &phone,
        &also_first.quote_id,
        Funding::Balance,
        &unique("pay-key"),
    )
    .await;
    assert_eq!(
        error_of(stale).await,
        (StatusCode::CONFLICT, ErrorCode::OfferChanged)
    );
    let again = quote(&app, &phone, "tyo-ginza-sushi", Some("1280"), None).await;
    assert_eq!(
        campaign_ids(&again.offers[0].applied),
        ["demo-tokyo-visitors"]
    );
    // 1216 yen at 0.048210 are CN¥58.62336.
    assert_eq!(again.pay, cny(5862));
    receipt_of(
        pay(
            &app,
            &phone,
            &again.quote_id,
            Funding::Balance,
            &unique("pay-key"),
        )
        .await,
    )
    .await;
    assert_eq!(balance(&app, &phone).await, cny(TOPPED_UP - 4416 - 5862));
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn a_claimed_coupon_discounts_one_payment() {
    let app = demo_app().await;
    let (phone, _wallet_id, _card) = funded_wallet(&app).await;
    let at_akiba = |held: bool| {
        move |list: PromotionList| {
            let coupon = list
                .promotions
                .iter()
                .find(|p| p.campaign_id == "demo-akiba-coupon")
                .expect("listed");
            assert!(coupon.coupon);
            assert_eq!(coupon.coupon_held, held);
        }
    };
    at_akiba(false)(listed(&app, &phone, "?merchant_id=tyo-akiba-denki").await);

    let response = claim(&app, &phone, "demo-akiba-coupon").await;
    assert_eq!(response.status(), StatusCode::OK);
    let coupon: Coupon = response.json().await.expect("a coupon");
    assert_eq!(coupon.expires_at - coupon.claimed_at, 30 * 86_400);
    assert_eq!(coupon.used_by_payment, None);
    assert_eq!(
        coupon.reward,
        Reward::ThresholdOff {
            spend: jpy(3000),
            off: jpy(500)
        }
    );
    at_akiba(true)(listed(&app, &phone, "?merchant_id=tyo-akiba-denki").await);
    let twice = claim(&app, &phone, "demo-akiba-coupon").await;
    assert_eq!(
        error_of(twice).await,
        (StatusCode::CONFLICT, ErrorCode::CouponAlreadyClaimed)
    );

    // Exclusive: its ¥500 beats the visitors' 5% (¥150), which it cannot be combined with.
    let gadgets = quote(&app, &phone, "tyo-akiba-denki", Some("3000"), None).await;
    let best = &gadgets.offers[0];
    assert_eq!(campaign_ids(&best.applied), ["demo-akiba-coupon"]);
    assert_eq!(
        best.applied[0].coupon_id.as_deref(),
        Some(coupon.coupon_id.as_str())
    );
    // 2500 yen at 0.048210 are CN¥120.525: half a fen rounds up.
    assert_eq!(best.pay, cny(12_053));
    let receipt = receipt_of(
        pay(
            &app,
            &phone,
            &gadgets.quote_id,
            Funding::Balance,
            &unique("pay-key"),
        )
        .await,
    )
    .await;
    assert_eq!(receipt.applied, best.applied);
    let twice = pay(
        &app,
        &phone,
        &gadgets.quote_id,
        Funding::Balance,
        &unique("pay-key"),
    )
    .await;
    assert_eq!(
        error_of(twice).await,
        (StatusCode::CONFLICT, ErrorCode::QuoteAlreadyPaid),
        "refused as paid, not as a coupon used up"
    );
    let coupons: CouponList = phone.ok(&app, Method::GET, paths::COUPONS, "").await;
    assert_eq!(coupons.coupons.len(), 1);
    assert_eq!(
        coupons.coupons[0].used_by_payment.as_deref(),
        Some(receipt.payment_id.as_str())
    );

    let next = quote(&app, &phone, "tyo-akiba-denki", Some("3000"), None).await;
    assert_eq!(
        campaign_ids(&next.offers[0].applied),
        ["demo-tokyo-visitors"]
    );
    let used_up = claim(&app, &phone, "demo-akiba-coupon").await;
    assert_eq!(
        error_of(used_up).await,
        (StatusCode::CONFLICT, ErrorCode::CouponUnavailable)
    );
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn a_stackable_coupon_adds_to_the_shops_own_discount() {
    let app = demo_app().await;
    let (phone, wallet_id, _card) = funded_wallet(&app).await;
    let response = claim(&app, &phone, "demo-shanghai-welcome").await;
    assert_eq!(response.status(), StatusCode::OK);
    let noodles = quote(&app, &phone, "sh-lanxin-noodles", None, Some("38.50")).await;
    let best = &noodles.offers[0];
    assert_eq!(
        campaign_ids(&best.applied),
        ["demo-lanxin-5-off-30", "demo-shanghai-welcome"]
    );
    assert_eq!(best.pay, cny(3050));
    let receipt = receipt_of(
        pay(
            &app,
            &phone,
            &noodles.quote_id,
            Funding::Balance,
            &unique("pay-key"),
        )
        .await,
    )
    .await;
    assert_eq!(receipt.discount, cny(800));
    assert_eq!(
        postings(&app, &receipt.payment_id).await,
        expected(vec![
            (format!("wallet:{wallet_id}:CNY"), cny(-3050)),
            ("promo:merchant:sh-lanxin-noodles:CNY".into(), cny(-500)),
            ("promo:operator:CNY".into(), cny(-300)),
            ("merchant:sh-lanxin-noodles:CNY".into(), cny(3850)),
        ])
    );
    let again = quote(&app, &phone, "sh-lanxin-noodles", None, Some("38.50")).await;
    assert_eq!(
        campaign_ids(&again.offers[0].applied),
        ["demo-lanxin-5-off-30"]
    );
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn claiming_needs_a_coupon_promotion_that_exists() {
    let app = demo_app().await;
    let (phone, _wallet_id, _card) = funded_wallet(&app).await;
    let automatic = claim(&app, &phone, "demo-lanxin-5-off-30").await;
    assert_eq!(
        error_of(automatic).await,
        (StatusCode::CONFLICT, ErrorCode::CouponUnavailable)
    );
    let unknown = claim(&app, &phone, "no-such-campaign").await;
    assert_eq!(
        error_of(unknown).await,
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );
    let malformed = phone
        .signed(&app, Method::POST, paths::COUPONS, r#"{"campaign":"x"}"#)
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(malformed).await,
        (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
    );
    let coupons: CouponList = phone.ok(&app, Method::GET, paths::COUPONS, "").await;
    assert!(coupons.coupons.is_empty());
}

#[tokio::test]
async fn promotions_are_listed_for_a_shop_a_city_and_the_wallet() {
    let app = demo_app().await;
    let (phone, _wallet_id, _card) = funded_wallet(&app).await;
    let ids = |list: &PromotionList| -> Vec<String> {
        list.promotions
            .iter()
            .map(|p| p.campaign_id.clone())
            .collect()
    };

    let noodles = listed(&app, &phone, "?merchant_id=sh-lanxin-noodles").await;
    assert_eq!(
        ids(&noodles),
        [
            "demo-lanxin-5-off-30",
            "demo-shanghai-welcome",
            "demo-unionpay-shanghai"
        ]
    );
    let threshold = &noodles.promotions[0];
    assert_eq!(threshold.funder, Funder::Merchant);
    assert_eq!(
        threshold.reward,
        Reward::ThresholdOff {
            spend: cny(3000),
            off: cny(500)
        }
    );
    assert_eq!(threshold.merchant_ids, ["sh-lanxin-noodles"]);
    assert!(!threshold.coupon);
    let unionpay = &noodles.promotions[2];
    assert_eq!(unionpay.funder, Funder::Issuer);
    assert_eq!(unionpay.brands, [Brand::UnionPay]);
    assert_eq!(unionpay.funding, Some(FundingKind::Card));
    assert!(unionpay.issuer_cards_only);
    assert_eq!(
        unionpay.reward,
        Reward::PercentOff {
            basis_points: 1000,
            cap: Some(cny(2000))
        }
    );

    let shanghai = listed(&app, &phone, "?city=Shanghai").await;
    let unionpay = shanghai
        .promotions
        .iter()
        .find(|p| p.campaign_id == "demo-unionpay-shanghai")
        .expect("listed");
    assert_eq!(
        unionpay.merchant_ids,
        ["sh-bund-books", "sh-jingan-market", "sh-lanxin-noodles"]
    );
    assert!(ids(&shanghai).contains(&"demo-jingan-lucky".to_owned()));

    let tokyo = listed(&app, &phone, "?city=tokyo").await;
    assert_eq!(
        ids(&tokyo),
        [
            "demo-akiba-coupon",
            "demo-ginza-first-visit",
            "demo-tokyo-visitors"
        ]
    );
    assert_eq!(tokyo.promotions[1].uses_left, Some(1));
    assert_eq!(
        tokyo.promotions[2].merchant_ids,
        ["tyo-akiba-denki", "tyo-ginza-sushi"]
    );

    // A wallet at home in yen is no visitor to Tokyo.
    let local = TestDevice::new();
    app.create_wallet_in(&local, "JPY").await;
    let at_home = listed(&app, &local, "?city=Tokyo").await;
    assert_eq!(
        ids(&at_home),
        ["demo-akiba-coupon", "demo-ginza-first-visit"]
    );

    let everywhere = ids(&listed(&app, &phone, "").await);
    for row in demo::demo_campaigns() {
        assert!(
            everywhere.contains(&row.campaign.id),
            "{} is not listed",
            row.campaign.id
        );
    }
    assert!(
        listed(&app, &phone, "?city=Osaka")
            .await
            .promotions
            .is_empty()
    );
    let nowhere = phone
        .signed(
            &app,
            Method::GET,
            &format!("{}?merchant_id=no-such-shop", paths::PROMOTIONS),
            "",
        )
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(nowhere).await,
        (StatusCode::NOT_FOUND, ErrorCode::UnknownMerchant)
    );
    assert_eq!(
        demo::seed_promotions(&app.store, unix_now())
            .await
            .expect("seed again"),
        demo::demo_campaigns().len()
    );
}

#[tokio::test]
async fn a_per_user_limit_holds_across_quotes_made_before_paying() {
    let app = demo_app().await;
    let shop = own_shop(&app).await;
    let campaign_id = own_campaign(&app, &shop, 100, |c| c.per_user_limit = Some(2)).await;
    let (phone, _wallet_id, _card) = funded_wallet(&app).await;
    let paid = |quoted: Quote| {
        let phone = &phone;
        let app = &app;
        async move {
            receipt_of(
                pay(
                    app,
                    phone,
                    &quoted.quote_id,
                    Funding::Balance,
                    &unique("pay-key"),
                )
                .await,
            )
            .await
        }
    };

    let first = paid(quote(&app, &phone, &shop, None, Some("20.00")).await).await;
    assert_eq!(first.discount, cny(100));
    let second = quote(&app, &phone, &shop, None, Some("20.00")).await;
    let third = quote(&app, &phone, &shop, None, Some("20.00")).await;
    assert_eq!(
        campaign_ids(&third.offers[0].applied),
        [campaign_id.as_str()]
    );
    assert_eq!(paid(second).await.discount, cny(100));
    let over = pay(
        &app,
        &phone,
        &third.quote_id,
        Funding::Balance,
        &unique("pay-key"),
    )
    .await;
    assert_eq!(
        error_of(over).await,
        (StatusCode::CONFLICT, ErrorCode::OfferChanged)
    );
    let fourth = quote(&app, &phone, &shop, None, Some("20.00")).await;
    assert_eq!(fourth.pay, cny(2000));
    assert_eq!(paid(fourth).await.discount, cny(0));
    assert_eq!(
        balance(&app, &phone).await,
        cny(TOPPED_UP - 1900 - 1900 - 2000)
    );
    assert_ledger_balances(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_payments_never_oversubscribe_a_budget() {
    const PAYERS: usize = 12;
    let app = Arc::new(demo_app().await);
    let shop = own_shop(&app).await;
    // Enough for exactly three savings of CN¥5.
    let campaign_id = own_campaign(&app, &shop, 500, |c| c.budget_minor = Some(1500)).await;
    let mut payers = Vec::new();
    for _ in 0..PAYERS {
        let (phone, wallet_id, _card) = funded_wallet(&app).await;
        let quoted = quote(&app, &phone, &shop, None, Some("20.00")).await;
        assert_eq!(quoted.pay, cny(1500), "every quote sees the whole budget");
        payers.push((Arc::new(phone), wallet_id, quoted));
    }
    let payments: Vec<_> = payers
        .iter()
        .map(|(phone, _, quoted)| {
            let (app, phone, quote_id) = (app.clone(), phone.clone(), quoted.quote_id.clone());
            tokio::spawn(async move {
                pay(
                    &app,
                    &phone,
                    &quote_id,
                    Funding::Balance,
                    &unique("pay-key"),
                )
                .await
            })
        })
        .collect();
    let mut refused = Vec::new();
    let mut discounted = 0;
    for ((phone, _, _), payment) in payers.iter().zip(payments) {
        let response = payment.await.expect("task");
        if response.status() == StatusCode::OK {
            let receipt: Receipt = response.json().await.expect("a receipt");
            assert_eq!(receipt.discount, cny(500));
            discounted += 1;
        } else {
            assert_eq!(
                error_of(response).await,
                (StatusCode::CONFLICT, ErrorCode::OfferChanged)
            );
            refused.push(phone.clone());
        }
    }
    assert_eq!(discounted, 3);
    assert_eq!(refused.len(), PAYERS - 3);
    let standing = app
        .store
        .standing_of(&payers[0].1, &campaign_id)
        .await
        .expect("query")
        .expect("stored");
    assert_eq!(standing.budget_spent_minor, 1500);
    assert!(!standing.available());

    // Scanning again, the others pay the full price.
    for phone in refused {
        let quoted = quote(&app, &phone, &shop, None, Some("20.00")).await;
        assert!(quoted.offers.iter().all(|offer| offer.applied.is_empty()));
        let receipt = receipt_of(
            pay(
                &app,
                &phone,
                &quoted.quote_id,
                Funding::Balance,
                &unique("pay-key"),
            )
            .await,
        )
        .await;
        assert_eq!(receipt.paid, cny(2000));
    }
    assert_ledger_balances(&app).await;
}

#[tokio::test]
async fn a_quote_is_paid_only_with_the_cards_it_priced() {
    let app = demo_app().await;
    let phone = TestDevice::new();
    app.create_wallet(&phone).await;
    let unionpay = link(&app, &phone, UNIONPAY).await;
    let response = top_up(&app, &phone, &unionpay, "100.00", &unique("top-up-key")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let books = quote(&app, &phone, "sh-bund-books", None, Some("50.00")).await;
    assert_eq!(books.offers[0].funding, card_funding(&unionpay));
    assert_eq!(books.pay, cny(4500));

    let _: CardList = phone
        .ok(&app, Method::DELETE, &paths::card(&unionpay.card_id), "")
        .await;
    let unlinked = pay(
        &app,
        &phone,
        &books.quote_id,
        card_funding(&unionpay),
        &unique("pay-key"),
    )
    .await;
    assert_eq!(
        error_of(unlinked).await,
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );
    let visa = link(&app, &phone, VISA).await;
    let unquoted = pay(
        &app,
        &phone,
        &books.quote_id,
        card_funding(&visa),
        &unique("pay-key"),
    )
    .await;
    assert_eq!(
        error_of(unquoted).await,
        (StatusCode::CONFLICT, ErrorCode::FundingNotQuoted)
    );
    let receipt = receipt_of(
        pay(
            &app,
            &phone,
            &books.quote_id,
            Funding::Balance,
            &unique("pay-key"),
        )
        .await,
    )
    .await;
    assert_eq!(receipt.paid, cny(5000));
    assert_ledger_balances(&app).await;
}

#[test]
fn the_demo_shows_every_kind_of_promotion() {
    let rows = demo::demo_campaigns();
    let mut kinds = std::collections::BTreeSet::new();
    for row in &rows {
        let campaign = &row.campaign;
        assert_eq!(promo::validate(campaign), Ok(()), "{}", campaign.id);
        assert_eq!(row.funded_by.funder(), campaign.funder, "{}", campaign.id);
        assert!(
            campaign.eligibility.window == promo::TimeWindow::default(),
            "{} is not open at every hour",
            campaign.id
        );
        let reward = serde_json::to_value(&campaign.reward).expect("json");
        kinds.insert(reward["kind"].as_str().expect("kind").to_owned());
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "amount_off",
            "first_payment_bonus",
            "percent_off",
            "random_off",
            "threshold_off"
        ]
    );
    let has = |test: &dyn Fn(&CampaignRow) -> bool| rows.iter().any(test);
    for code in ["CNY", "JPY"] {
        assert!(has(&|row| row.campaign.currency.code() == code));
    }
    for funder in [
        promo::Funder::Merchant,
        promo::Funder::Issuer,
        promo::Funder::Operator,
    ] {
        assert!(has(&|row| row.campaign.funder == funder));
    }
    for stacking in [
        Stacking::OnePerFunder,
        Stacking::Stackable,
        Stacking::Exclusive,
    ] {
        assert!(has(&|row| row.campaign.stacking == stacking));
    }
    assert!(has(&|row| row.campaign.coupon
        && row.campaign.stacking == Stacking::Stackable
        && row.campaign.currency.code() == "CNY"));
    assert!(has(&|row| row.funded_by
        == FundedBy::Issuer("Sandbox UnionPay Bank".into())
        && row.campaign.eligibility.brands == [Brand::UnionPay]));
}
