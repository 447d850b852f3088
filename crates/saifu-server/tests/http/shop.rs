//! The shop's side of its money: every payment and refund arrives on the tills' live feed,
//! the feed pages them, the day's takings count them, and the owner's statement lists them
//! and adds up to what the ledger holds for the shop.

use reqwest::{Method, StatusCode};
use saifu_api::{
    ErrorCode, Feed, FeedEntry, FeedFunding, Funder, Funding, Summary, TillRole, paths,
};
use saifu_core::money::Money;
use saifu_core::time::WallClock;
use saifu_server::testing::{spawn_demo_app, unique};

use crate::common::{currency, error_of, funded_wallet, paid};
use crate::promotions::{own_campaign, own_shop};

fn cny(minor: i64) -> Money {
    Money::from_minor(minor, currency("CNY"))
}

/// The next server-sent event on `stream`: its name and data.
async fn next_event(stream: &mut reqwest::Response, buffer: &mut String) -> (String, String) {
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let name = block.lines().find_map(|line| line.strip_prefix("event:"));
            let data: String = block
                .lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .map(str::trim_start)
                .collect();
            if let Some(name) = name {
                return (name.trim().to_owned(), data);
            }
            continue;
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), stream.chunk())
            .await
            .expect("an event within ten seconds")
            .expect("read the stream")
            .expect("the stream is open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_feed_the_days_takings_and_the_statement_add_up_to_the_shops_books() {
    let app = spawn_demo_app().await;
    let shop = own_shop(&app).await;
    own_campaign(&app, &shop, 200, |_| {}).await;
    let owner = app.till(&shop, TillRole::Owner).await;
    let staff = app.till(&shop, TillRole::Staff).await;
    let (phone, card) = funded_wallet(&app, "100.00").await;

    // The staff till listens; each payment and the refund arrive as they commit.
    let mut live = staff
        .signed(&app, Method::GET, paths::SHOP_EVENTS, "")
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("subscribe");
    assert_eq!(live.status(), StatusCode::OK);
    let mut buffer = String::new();
    let noodles = paid(&app, &phone, &shop, "30.00", Funding::Balance)
        .await
        .payment_id;
    let (name, data) = next_event(&mut live, &mut buffer).await;
    assert_eq!(name, "payment");
    let FeedEntry::Payment {
        payment_id,
        price,
        discount,
        funded,
        funding,
        ..
    } = serde_json::from_str(&data).expect("a feed entry")
    else {
        panic!("a payment: {data}");
    };
    assert_eq!(payment_id, noodles);
    assert_eq!((price, discount), (cny(3_000), cny(200)));
    assert_eq!(funded[0].funder, Funder::Merchant);
    assert_eq!(funded[0].amount, cny(200));
    assert_eq!(funding, FeedFunding::Balance);
    let card_funding = Funding::Card {
        card_id: card.card_id.clone(),
    };
    paid(&app, &phone, &shop, "12.50", card_funding).await;
    assert_eq!(next_event(&mut live, &mut buffer).await.0, "payment");
    let body = serde_json::json!({ "payment_id": noodles, "amount": "10.00" }).to_string();
    let refunded = owner
        .signed(&app, Method::POST, paths::REFUNDS, &body)
        .header(paths::IDEMPOTENCY_KEY, unique("refund"))
        .send()
        .await
        .expect("send");
    assert_eq!(refunded.status(), StatusCode::OK);
    assert_eq!(next_event(&mut live, &mut buffer).await.0, "refund");

    // The feed, newest first, in the order they were made even within one second; the first
    // payment knows what of it was refunded.
    let feed: Feed = staff.ok(&app, Method::GET, paths::FEED, "").await;
    assert_eq!(feed.entries.len(), 3);
    assert!(matches!(&feed.entries[0], FeedEntry::Refund { amount, .. } if *amount == cny(1_000)));
    assert!(matches!(&feed.entries[1], FeedEntry::Payment { price, .. } if *price == cny(1_250)));
    assert!(matches!(&feed.entries[2],
        FeedEntry::Payment { payment_id, refunded, .. } if *payment_id == noodles && *refunded == cny(1_000)));
    assert_eq!(feed.next_cursor, None);

    // Today's takings: the shop gave ¥2 off each payment, and a third of the first price back
    // takes a third of its ¥2 back.
    let ledger = app
        .store
        .balance(&format!("merchant:{shop}:CNY"))
        .await
        .expect("the shop's account")
        + app
            .store
            .balance(&format!("promo:merchant:{shop}:CNY"))
            .await
            .expect("what the shop gave in discounts");
    let summary: Summary = staff.ok(&app, Method::GET, paths::SUMMARY, "").await;
    let today = &summary.today;
    assert_eq!(today.payments, 2);
    assert_eq!(today.sales, cny(4_250));
    assert_eq!(today.refunded, cny(1_000));
    assert_eq!(today.discounts[0].amount, cny(400 - 66));
    assert_eq!(today.net, cny(4_250 - 1_000 - 334));
    assert_eq!(today.net.minor(), ledger);
    // Both payments had the shop's own discount; a third of one came back.
    assert_eq!(today.promoted_sales, cny(4_250 - 1_000));
    assert_eq!(summary.month.net, today.net);
    assert_eq!(summary.today_by_hour.len(), 24);
    let by_hour: i64 = summary
        .today_by_hour
        .iter()
        .map(|money| money.minor())
        .sum();
    assert_eq!(by_hour, 4_250);

    // The owner's statement for today, on the shop's clock: every line, and the total.
    let day = WallClock::new(summary.utc_offset_minutes).date(saifu_server::unix_now());
    let path = format!("{}?day={day}", paths::STATEMENT);
    let response = owner
        .signed(&app, Method::GET, &path, "")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ASCII")
            .starts_with("text/csv")
    );
    let csv = response.text().await.expect("the statement");
    let lines: Vec<Vec<&str>> = csv.lines().map(|line| line.split(',').collect()).collect();
    assert_eq!(lines[0][9], "net");
    assert_eq!(lines.len(), 5, "{csv}");
    let net_of = |line: &Vec<&str>| {
        Money::parse(line[9], currency("CNY"))
            .expect("a decimal")
            .minor()
    };
    let lines_net: i64 = lines[1..4].iter().map(net_of).sum();
    assert_eq!(lines_net, ledger);
    assert_eq!(lines[4][0], "total");
    assert_eq!(net_of(&lines[4]), ledger);
    let kinds: Vec<&str> = lines[1..4].iter().map(|line| line[2]).collect();
    assert_eq!(kinds, ["payment", "payment", "refund"], "oldest first");

    // Staff read no statement; a period must be a day or a month.
    let by_staff = staff
        .signed(&app, Method::GET, &path, "")
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(by_staff).await,
        (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
    );
    for query in [
        "",
        "?day=2026-02-30",
        "?month=2026-13",
        "?day=2026-12-03&month=2026-12",
    ] {
        let bad = owner
            .signed(
                &app,
                Method::GET,
                &format!("{}{query}", paths::STATEMENT),
                "",
            )
            .send()
            .await
            .expect("send");
        assert_eq!(
            error_of(bad).await,
            (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            "{query}"
        );
    }
    let month = format!(
        "{}?month={:04}-{:02}",
        paths::STATEMENT,
        day.year,
        day.month
    );
    let monthly = owner
        .signed(&app, Method::GET, &month, "")
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("the month's statement");
    assert_eq!(monthly, csv);
}

#[tokio::test]
async fn the_feed_pages_without_missing_or_repeating_an_entry() {
    let app = spawn_demo_app().await;
    let shop = own_shop(&app).await;
    let till = app.till(&shop, TillRole::Staff).await;
    let (phone, _card) = funded_wallet(&app, "1000.00").await;
    // More than a page, most of them within the same seconds.
    let mut made = std::collections::BTreeSet::new();
    for _ in 0..55 {
        made.insert(
            paid(&app, &phone, &shop, "1.00", Funding::Balance)
                .await
                .payment_id,
        );
    }
    let first: Feed = till.ok(&app, Method::GET, paths::FEED, "").await;
    assert_eq!(first.entries.len(), 50);
    let cursor = first.next_cursor.clone().expect("a next page");
    let second: Feed = till
        .ok(
            &app,
            Method::GET,
            &format!("{}?cursor={cursor}", paths::FEED),
            "",
        )
        .await;
    assert_eq!(second.next_cursor, None);
    let listed: Vec<String> = first
        .entries
        .iter()
        .chain(&second.entries)
        .map(|entry| match entry {
            FeedEntry::Payment { payment_id, .. } => payment_id.clone(),
            FeedEntry::Refund { refund_id, .. } => refund_id.clone(),
        })
        .collect();
    assert_eq!(listed.len(), 55);
    assert_eq!(
        listed
            .iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        made
    );
    let bad = till
        .signed(
            &app,
            Method::GET,
            &format!("{}?cursor=yesterday", paths::FEED),
            "",
        )
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_of(bad).await,
        (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
    );
}
