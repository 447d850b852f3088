//! The real app window against a real local service, driven like a person would: onboard,
//! link a card, top up, scan a shop's code from an image, confirm with the PIN, see the
//! receipt and the history, lock a lost device, lock the app; the wrong turns on the way
//! (declined card, invalid code, wrong PIN) each show a clear message, and an expired price
//! is asked for again and shown before anything is paid.
//! Screenshots of every screen land in target/ui-shots.

use std::sync::atomic::Ordering;
use std::time::Duration;

use saifu_client::keys::OsKeyring;
use saifu_client::{KeyStore, Sensitive};
use saifu_tests::service::{LocalService, OtherDevice, temp_dir};
use saifu_tests::{
    TauriDriver, XtaskRun, accessibility_violations, button_named, by_test, screenshot,
    wait_for_text,
};
use thirtyfour::prelude::*;

const PIN: &str = "482913";

/// One app window at a time: two would share the display and the machine's two cores.
static WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window: `cargo xtask test` runs it under Xvfb with a keyring"]
async fn the_whole_journey_in_the_app_window() {
    let _window = WINDOW.lock().await;
    let service = saifu_tests::service::start().await;
    let data_dir = temp_dir("app-data");
    let shots = temp_dir("codes");
    // Two shops' codes side by side on a counter: the app offers both.
    let counter = shots.join("two-shops.png");
    let mut codes = Vec::new();
    for shop in ["sh-bund-books", "sh-lanxin-noodles"] {
        let path = shots.join(format!("{shop}.png"));
        saifu_server::demo::write_qr_png(&service.merchant_payload(shop, None).await, &path)
            .expect("draw the shop's code");
        codes.push(image::open(&path).expect("the drawn code").into_luma8());
    }
    let (width, height) = (codes[0].width() + codes[1].width() + 60, codes[0].height());
    let mut picture =
        image::GrayImage::from_pixel(width, height.max(codes[1].height()), image::Luma([255]));
    image::imageops::replace(&mut picture, &codes[0], 0, 0);
    image::imageops::replace(&mut picture, &codes[1], i64::from(codes[0].width() + 60), 0);
    picture.save(&counter).expect("save the counter's picture");
    let tauri_driver = TauriDriver::start_with_env(&[
        ("SAIFU_SERVICE_URL", service.base.as_ref()),
        ("SAIFU_DATA_DIR", data_dir.as_os_str()),
    ]);
    let driver = tauri_driver.open_app(&[]).await;
    first_launch(&driver).await;

    // Onboarding: a key into the keyring, the wallet registered, the PIN set.
    wait_for_text(&driver, "Open your wallet").await;
    screenshot(&driver, "01-onboarding").await;
    fill(&driver, "pin", PIN).await;
    fill(&driver, "pin-again", "482914").await;
    wait_for_text(&driver, "The two PINs differ.").await;
    fill(&driver, "pin-again", PIN).await;
    click_test(&driver, "create-wallet").await;
    wait_for_text(&driver, "Balance").await;
    assert_eq!(shown(&driver, "balance").await, "CN¥0.00");
    screenshot(&driver, "02-home-new-wallet").await;

    // A declined card says so; a good one appears as a tile.
    click(&driver, "Cards").await;
    wait_for_text(&driver, "No linked cards yet").await;
    click_test(&driver, "add-card").await;
    fill(&driver, "card-number", "4242 4242 4242 4241").await;
    wait_for_text(&driver, "This card number has a typo: check the digits.").await;
    fill(&driver, "card-number", "4000000000000002").await;
    fill(&driver, "card-expiry", "01/20").await;
    wait_for_text(&driver, "This card has expired: use a current card.").await;
    fill(&driver, "card-expiry", "12/30").await;
    fill(&driver, "card-cvv", "123").await;
    fill(&driver, "card-holder", "WANG MEI").await;
    click_test(&driver, "link-card").await;
    let declined = wait_for(&driver, "card-error").await;
    assert!(declined.to_lowercase().contains("declined"), "{declined}");
    screenshot(&driver, "03-card-declined").await;
    fill(&driver, "card-number", "6200 0000 0000 0005").await;
    wait_for_text(&driver, "UnionPay").await;
    fill(&driver, "card-cvv", "123").await;
    click_test(&driver, "link-card").await;
    let tile = wait_for(&driver, "card-tile").await;
    assert!(tile.contains("•••• 0005"), "{tile}");

    fill(&driver, "top-up-amount", "500").await;
    click_test(&driver, "top-up").await;
    let topped = wait_for(&driver, "top-up-done").await;
    assert!(topped.contains("CN¥500.00"), "{topped}");
    screenshot(&driver, "04-cards").await;

    // Scan: no camera here, an invalid code refused, then the shop's code from an image.
    click(&driver, "Scan").await;
    wait_for_text(&driver, "No camera here").await;
    screenshot(&driver, "05-scan").await;
    fill_textarea(&driver, "scan-paste", "00020101021126BROKEN").await;
    click_test(&driver, "scan-submit").await;
    wait_for(&driver, "scan-error").await;
    screenshot(&driver, "06-scan-invalid").await;
    driver
        .find(by_test("scan-file"))
        .await
        .expect("image picker")
        .send_keys(counter.to_str().expect("UTF-8 path"))
        .await
        .expect("pick the image");
    wait_for(&driver, "choose-code").await;
    let choices = driver
        .find_all(by_test("code-choice"))
        .await
        .expect("the codes offered");
    let mut offered = Vec::new();
    for choice in &choices {
        offered.push(choice.text().await.expect("a choice's text"));
    }
    offered.sort();
    assert_eq!(offered, ["Bund Books & Tea", "Lanxin Noodle House"]);
    screenshot(&driver, "06-scan-two-codes").await;
    for choice in choices {
        if choice.text().await.expect("text") == "Lanxin Noodle House" {
            choice.click().await.expect("choose Lanxin");
        }
    }
    wait_for(&driver, "amount-entry").await;
    fill(&driver, "pay-amount", "38.50").await;
    click_test(&driver, "amount-continue").await;
    assert_eq!(
        wait_for(&driver, "pay-merchant").await,
        "Lanxin Noodle House"
    );
    // The best price is picked: the shop's ¥5 off ¥30 plus the UnionPay issuer's 10% off,
    // which needs that card; the balance would get the shop's discount only.
    assert_eq!(shown(&driver, "pay-total").await, "CN¥29.65");
    assert_eq!(shown(&driver, "pay-saving").await, "You save CN¥8.85");
    // The struck-through price says what it is to a screen reader.
    assert_eq!(
        shown(&driver, "pay-price").await,
        "Before discounts: CN¥38.50"
    );
    let promotions = driver
        .find_all(by_test("pay-promotion"))
        .await
        .expect("promotions shown");
    assert_eq!(promotions.len(), 2);
    assert!(
        driver
            .find(by_test("funding-card-0005"))
            .await
            .expect("the card choice")
            .is_selected()
            .await
            .expect("selection"),
        "the cheapest way to pay is preselected"
    );
    screenshot(&driver, "07-pay").await;

    fill(&driver, "pay-pin", "111112").await;
    click_test(&driver, "pay-confirm").await;
    let wrong = wait_for(&driver, "pay-error").await;
    assert!(wrong.starts_with("Wrong PIN"), "{wrong}");
    screenshot(&driver, "08-pay-wrong-pin").await;
    fill(&driver, "pay-pin", PIN).await;
    click_test(&driver, "pay-confirm").await;
    assert_eq!(wait_for(&driver, "receipt-paid").await, "CN¥29.65");
    screenshot(&driver, "09-receipt").await;
    click_test(&driver, "receipt-done").await;
    wait_for_text(&driver, "Recent activity").await;
    // Paid by card: the balance is untouched.
    assert_eq!(shown(&driver, "balance").await, "CN¥500.00");
    wait_for(&driver, "offers-for-you").await;
    let recent = wait_for(&driver, "recent").await;
    screenshot(&driver, "10-home-after-payment").await;
    assert!(recent.contains("Lanxin Noodle House"), "{recent}");

    click(&driver, "History").await;
    let history = wait_for(&driver, "history").await;
    assert!(
        history.contains("Lanxin Noodle House") && history.contains("Top up from"),
        "{history}"
    );
    screenshot(&driver, "11-history").await;
    click_test(&driver, "history-entry").await;
    let detail = wait_for(&driver, "activity-detail").await;
    assert_eq!(
        focused(&driver).await,
        "activity-detail",
        "the entry takes focus"
    );
    assert!(
        detail.contains("Lanxin Noodle House") && detail.contains("Payment"),
        "{detail}"
    );
    // The line names the payment its receipt has.
    assert!(
        shown(&driver, "activity-reference")
            .await
            .starts_with("pay_"),
        "{detail}"
    );
    screenshot(&driver, "11a-history-detail").await;
    let payment_id = shown(&driver, "activity-reference").await;
    click_test(&driver, "activity-detail-close").await;
    assert_eq!(
        focused(&driver).await,
        "history-entry",
        "focus returns to the line it came from"
    );

    // The shop gives part of it back: the app hears of it and shows the refund, to the card.
    let till = service
        .till("sh-lanxin-noodles", saifu_api::TillRole::Owner)
        .await;
    saifu_tests::service::refund(&service, &till, &payment_id, "10.00").await;
    wait_for_text(&driver, "Refund from Lanxin Noodle House").await;
    click_test(&driver, "history-entry").await;
    assert_eq!(shown(&driver, "activity-refund-of").await, payment_id);
    screenshot(&driver, "11c-history-refund").await;
    click_test(&driver, "activity-detail-close").await;

    // Promotions: every running offer in words, and a coupon claimed into the wallet.
    click(&driver, "Offers").await;
    wait_for(&driver, "promotions").await;
    click_test(&driver, "claim-coupon").await;
    wait_for_text(&driver, "Claimed: it comes off your next payment it fits.").await;
    screenshot(&driver, "11b-promotions").await;

    // Cross-border: yen at a Tokyo counter, paid from the yuan balance at the rate shown.
    click(&driver, "Scan").await;
    let sushi = service
        .merchant_payload("tyo-ginza-sushi", Some("3000"))
        .await;
    fill_textarea(&driver, "scan-paste", &sushi).await;
    click_test(&driver, "scan-submit").await;
    assert_eq!(wait_for(&driver, "pay-merchant").await, "Sushi Kanda Ginza");
    let rate = shown(&driver, "pay-rate").await;
    assert!(rate.contains("JPY") && rate.contains("CNY"), "{rate}");
    screenshot(&driver, "12-pay-cross-border").await;
    // The price expires while the user hesitates: the app asks for the current one and
    // shows it, saying so; nothing is paid until the user confirms again.
    // Past the quote's two minutes, within the five a signed request stays fresh.
    service.clock_offset.store(180, Ordering::Relaxed);
    fill(&driver, "pay-pin", PIN).await;
    click_test(&driver, "pay-confirm").await;
    assert_eq!(
        wait_for(&driver, "price-renewed").await,
        "The price changed while you were deciding. Here is the current one: check it, then pay."
    );
    assert_eq!(wait_for(&driver, "pay-merchant").await, "Sushi Kanda Ginza");
    assert!(
        driver
            .find_all(by_test("receipt"))
            .await
            .expect("query")
            .is_empty(),
        "nothing is paid until the user confirms the new price"
    );
    screenshot(&driver, "13-pay-price-renewed").await;
    service.clock_offset.store(0, Ordering::Relaxed);

    // A second device joins the wallet, is lost, and is locked from Settings.
    let tablet = join_device(&service, &data_dir, "dev_ui_tablet", "Saifu tablet").await;
    click(&driver, "Settings").await;
    wait_for_text(&driver, "Saifu tablet").await;
    screenshot(&driver, "14-settings-devices").await;
    click_test(&driver, "lock-device").await;
    wait_for_text(&driver, "About Saifu").await;
    driver
        .query(By::XPath("//*[@data-test='device'][@data-device-name='Saifu tablet']//*[starts-with(normalize-space(), 'Locked')]"))
        .wait(Duration::from_secs(10), Duration::from_millis(100))
        .first()
        .await
        .expect("the tablet shows as locked");
    let refused = tablet
        .wallet()
        .await
        .expect_err("a locked device is refused");
    assert_eq!(refused.code(), saifu_core::code::Code::DeviceLocked);
    screenshot(&driver, "15-settings-device-locked").await;

    // Languages: every word from the catalogues.
    click(&driver, "日本語").await;
    wait_for_text(&driver, "Saifu について").await;
    screenshot(&driver, "16-settings-ja").await;
    click(&driver, "ホーム").await;
    wait_for_text(&driver, "最近の取引").await;
    screenshot(&driver, "17-home-ja").await;
    click(&driver, "設定").await;
    click(&driver, "简体中文").await;
    click(&driver, "首页").await;
    wait_for_text(&driver, "最近交易").await;
    screenshot(&driver, "18-home-zh").await;
    click(&driver, "设置").await;
    click(&driver, "English").await;

    // Locking the app: the PIN opens it again; a wrong one is refused.
    click_test(&driver, "lock-app").await;
    wait_for_text(&driver, "Enter your PIN").await;
    fill(&driver, "unlock-pin", "111112").await;
    click_test(&driver, "unlock").await;
    wait_for_text(&driver, "Wrong PIN. 2 more tries before a pause.").await;
    screenshot(&driver, "19-unlock-wrong-pin").await;
    fill(&driver, "unlock-pin", PIN).await;
    click_test(&driver, "unlock").await;
    wait_for_text(&driver, "Balance").await;
    driver.quit().await.expect("end the WebDriver session");

    // A phone-size window: the same wallet, bottom tabs, Settings from Home's header.
    let driver = tauri_driver.open_app(&["--window-size=390x844"]).await;
    fill(&driver, "unlock-pin", PIN).await;
    click_test(&driver, "unlock").await;
    wait_for_text(&driver, "Recent activity").await;
    let gear = driver
        .find(by_test("open-settings"))
        .await
        .expect("settings in the header");
    assert!(
        gear.is_displayed().await.expect("visibility"),
        "narrow windows open Settings from Home's header"
    );
    let settings_tab = driver
        .find(By::Css("nav .nav-settings"))
        .await
        .expect("settings nav item");
    assert!(
        !settings_tab.is_displayed().await.expect("visibility"),
        "the bottom tab bar has no Settings tab"
    );
    assert_no_horizontal_scroll(&driver).await;
    screenshot(&driver, "20-home-narrow").await;
    click(&driver, "Scan").await;
    wait_for_text(&driver, "No camera here").await;
    fill_textarea(
        &driver,
        "scan-paste",
        &service
            .merchant_payload("sh-bund-books", Some("68.00"))
            .await,
    )
    .await;
    click_test(&driver, "scan-submit").await;
    assert_eq!(wait_for(&driver, "pay-merchant").await, "Bund Books & Tea");
    assert_no_horizontal_scroll(&driver).await;
    screenshot(&driver, "21-pay-narrow").await;
    gear_to_settings(&driver).await;

    // This device is lost: a watch of the same wallet locks it, and the app learns at once
    // from the service's events, wipes its key and says so.
    let watch = join_device(&service, &data_dir, "dev_ui_watch", "Saifu watch").await;
    let phone_id = serde_json::from_slice::<serde_json::Value>(
        &std::fs::read(data_dir.join("wallet.json")).expect("profile"),
    )
    .expect("profile JSON")["device_id"]
        .as_str()
        .expect("device id")
        .to_owned();
    watch
        .lock(&phone_id)
        .await
        .expect("the watch locks this device");
    wait_for(&driver, "device-locked").await;
    wait_for_text(&driver, "This device was locked").await;
    screenshot(&driver, "22-device-locked-narrow").await;
    click_test(&driver, "set-up-again").await;
    wait_for_text(&driver, "Open your wallet").await;
    driver.quit().await.expect("end the WebDriver session");
    drop(tauri_driver);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window: `cargo xtask test` runs it under Xvfb with a keyring"]
async fn without_a_keyring_the_first_screen_says_so_before_the_form() {
    let _window = WINDOW.lock().await;
    let data_dir = temp_dir("app-data-no-keyring");
    // A session bus nobody listens on: no Secret Service answers.
    let nowhere = format!("unix:path={}", data_dir.join("no-bus").display());
    let tauri_driver = TauriDriver::start_with_env(&[
        ("SAIFU_DATA_DIR", data_dir.as_os_str()),
        ("DBUS_SESSION_BUS_ADDRESS", nowhere.as_ref()),
    ]);
    let driver = tauri_driver.open_app(&[]).await;
    first_launch(&driver).await;
    let warning = wait_for(&driver, "keyring-unavailable").await;
    assert!(warning.contains("No system keyring"), "{warning}");
    fill(&driver, "pin", PIN).await;
    fill(&driver, "pin-again", PIN).await;
    let create = driver
        .find(by_test("create-wallet"))
        .await
        .expect("the create button");
    assert!(
        !create.is_enabled().await.expect("enabled state"),
        "a wallet cannot be created without a keyring"
    );
    assert_accessible(&driver, "onboarding without a keyring").await;
    screenshot(&driver, "00-onboarding-no-keyring").await;
    driver.quit().await.expect("end the WebDriver session");
    drop(tauri_driver);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window: `cargo xtask test` runs it under Xvfb with a keyring"]
async fn a_phone_sized_window_keeps_everything_reachable_in_every_language() {
    let _window = WINDOW.lock().await;
    let service = saifu_tests::service::start().await;
    let data_dir = temp_dir("app-data-phone");
    let tauri_driver = TauriDriver::start_with_env(&[
        ("SAIFU_SERVICE_URL", service.base.as_ref()),
        ("SAIFU_DATA_DIR", data_dir.as_os_str()),
    ]);
    let driver = tauri_driver.open_app(&["--window-size=360x740"]).await;
    first_launch(&driver).await;
    open_wallet(&driver).await;
    wait_for_text(&driver, "Balance").await;

    click(&driver, "Cards").await;
    fill_card_form(&driver).await;
    assert_fits(&driver, "add card").await;
    screenshot(&driver, "p01-add-card-360").await;
    click_test(&driver, "link-card").await;
    wait_for(&driver, "card-tile").await;
    fill(&driver, "top-up-amount", "300").await;
    click_test(&driver, "top-up").await;
    wait_for(&driver, "top-up-done").await;

    click(&driver, "Scan").await;
    let code = service
        .merchant_payload("sh-jingan-market", Some("45.00"))
        .await;
    fill_textarea(&driver, "scan-paste", &code).await;
    click_test(&driver, "scan-submit").await;
    assert_eq!(
        wait_for(&driver, "pay-merchant").await,
        "Jing'an Fresh Market"
    );
    assert_fits(&driver, "pay sheet").await;
    assert_accessible(&driver, "the pay sheet at 360x740").await;
    screenshot(&driver, "p02-pay-360").await;
    fill(&driver, "pay-pin", PIN).await;
    // The primary action is reachable: scrolled to, shown, and it pays.
    click_test(&driver, "pay-confirm").await;
    wait_for(&driver, "receipt").await;
    assert_fits(&driver, "receipt").await;
    assert_accessible(&driver, "the receipt at 360x740").await;
    screenshot(&driver, "p03-receipt-360").await;

    let mut home = "Home";
    for (language, tabs) in [
        ("English", ["Home", "Cards", "Scan", "Offers", "History"]),
        ("日本語", ["ホーム", "カード", "スキャン", "特典", "履歴"]),
        ("简体中文", ["首页", "银行卡", "扫一扫", "优惠", "账单"]),
    ] {
        // Settings is reached from Home's header, whose tab has the last language's name.
        click(&driver, home).await;
        click_test(&driver, "open-settings").await;
        click(&driver, language).await;
        home = tabs[0];
        assert_fits(&driver, &format!("settings in {language}")).await;
        for tab in tabs {
            click(&driver, tab).await;
            settle_screen(&driver).await;
            assert_fits(&driver, &format!("{tab} in {language}")).await;
            assert_accessible(&driver, &format!("{tab} in {language} at 360x740")).await;
        }
        click(&driver, tabs[0]).await;
        settle_screen(&driver).await;
        screenshot(&driver, &format!("p04-home-360-{}", language_tag(language))).await;
        click(&driver, tabs[3]).await;
        settle_screen(&driver).await;
        screenshot(
            &driver,
            &format!("p05-promotions-360-{}", language_tag(language)),
        )
        .await;
    }
    click(&driver, "首页").await;
    click_test(&driver, "open-settings").await;
    click(&driver, "English").await;
    driver.quit().await.expect("end the WebDriver session");
    drop(tauri_driver);
    service.stop().await;
}

/// `cargo xtask run` as a newcomer starts it on a machine with no desktop session: no
/// Secret Service answers, so the demo keeps its keys in its own throwaway keyring; the
/// window opens on the demo service, and Home's guide leads from a new wallet to a paid shop.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window: `cargo xtask test` runs it under Xvfb with a keyring"]
async fn cargo_xtask_run_opens_a_window_that_pays_a_demo_shop() {
    let _window = WINDOW.lock().await;
    let dir = temp_dir("xtask-run");
    // A session bus nobody listens on, as on a machine without a desktop session.
    let nowhere = format!("unix:path={}", dir.join("no-bus").display());
    let run = XtaskRun::start(
        &[("DBUS_SESSION_BUS_ADDRESS", nowhere.as_ref())],
        &dir.join("xtask-run.log"),
    );
    let printed = run.printed();
    for said in [
        "No system keyring answers on this session",
        "assets/demo-codes",
        "6200 0000 0000 0005",
        "http://127.0.0.1:8787/merchant/",
        "Invite code for a till of Lanxin Noodle House",
    ] {
        assert!(printed.contains(said), "{said:?} not in:\n{printed}");
    }
    // The shop's console is served where the run said, once the service is up.
    let mut console = String::new();
    for _ in 0..100 {
        if let Ok(page) = reqwest::get("http://127.0.0.1:8787/merchant/").await {
            console = page.text().await.expect("the console's HTML");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(console.contains("Saifu for shops"), "{console}");
    let driver = run.open_app(&[]).await;

    wait_for_text(&driver, "Open your wallet").await;
    assert!(
        driver
            .find_all(by_test("keyring-unavailable"))
            .await
            .expect("query")
            .is_empty(),
        "the run command's own keyring answers"
    );
    open_wallet(&driver).await;
    let guide = wait_for(&driver, "first-run-guide").await;
    assert!(guide.contains("6200 0000 0000 0005"), "{guide}");
    screenshot(&driver, "x01-run-first-run-guide").await;

    click_test(&driver, "guide-add-card").await;
    fill_card_form(&driver).await;
    click_test(&driver, "link-card").await;
    wait_for(&driver, "card-tile").await;
    click(&driver, "Home").await;
    wait_for(&driver, "guide-step-done").await;
    screenshot(&driver, "x02-run-guide-card-linked").await;

    // One click opens a demo shop's code in the scanner, read from its image.
    click_test(&driver, "demo-shop").await;
    wait_for(&driver, "amount-entry").await;
    // An amount as a person types it: a decimal comma is refused in words, a full-width
    // amount from an input method is read.
    fill(&driver, "pay-amount", "38,5").await;
    let note = driver
        .find(By::Id("field-pay-amount-note"))
        .await
        .expect("a note under the amount");
    assert_eq!(
        note.text().await.expect("note text"),
        "Enter the amount in digits, such as 12.50 or 1,280."
    );
    assert!(
        !element(&driver, "amount-continue")
            .await
            .is_enabled()
            .await
            .expect("enabled state")
    );
    fill(&driver, "pay-amount", "３８．５０").await;
    click_test(&driver, "amount-continue").await;
    assert_eq!(
        wait_for(&driver, "pay-merchant").await,
        "Lanxin Noodle House"
    );
    fill(&driver, "pay-pin", PIN).await;
    click_test(&driver, "pay-confirm").await;
    assert_eq!(wait_for(&driver, "receipt-paid").await, "CN¥29.65");
    screenshot(&driver, "x03-run-receipt").await;
    click_test(&driver, "receipt-done").await;
    wait_for(&driver, "recent").await;
    assert!(
        driver
            .find_all(by_test("first-run-guide"))
            .await
            .expect("query")
            .is_empty(),
        "the guide is gone once the wallet has paid"
    );
    driver.quit().await.expect("end the WebDriver session");
    drop(run);
}

/// Desktop windows use their width: the scanner beside the pay sheet, the history beside
/// the chosen entry, offers in a grid; nothing cut off or scrolling sideways, in three
/// languages at two common sizes.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window: `cargo xtask test` runs it under Xvfb with a keyring"]
async fn a_desktop_window_uses_its_width_in_every_language() {
    let _window = WINDOW.lock().await;
    let service = saifu_tests::service::start().await;
    let data_dir = temp_dir("app-data-desktop");
    let tauri_driver = TauriDriver::start_with_env(&[
        ("SAIFU_SERVICE_URL", service.base.as_ref()),
        ("SAIFU_DATA_DIR", data_dir.as_os_str()),
    ]);
    let noodles = service
        .merchant_payload("sh-lanxin-noodles", Some("42.00"))
        .await;
    for (index, size) in ["1280x800", "1920x1080"].into_iter().enumerate() {
        let driver = tauri_driver
            .open_app(&[&format!("--window-size={size}")])
            .await;
        if index == 0 {
            first_launch(&driver).await;
            open_wallet(&driver).await;
            wait_for(&driver, "first-run-guide").await;
            assert_fits(&driver, "home with the guide").await;
            screenshot(&driver, "d00-home-guide-1280").await;
            click(&driver, "Cards").await;
            fill_card_form(&driver).await;
            click_test(&driver, "link-card").await;
            fill(&driver, "top-up-amount", "１，２００").await;
            click_test(&driver, "top-up").await;
            let topped = wait_for(&driver, "top-up-done").await;
            assert!(topped.contains("CN¥1,200.00"), "{topped}");
            click(&driver, "Scan").await;
            fill_textarea(&driver, "scan-paste", &noodles).await;
            click_test(&driver, "scan-submit").await;
            fill(&driver, "pay-pin", PIN).await;
            click_test(&driver, "pay-confirm").await;
            wait_for(&driver, "receipt").await;
            assert_beside(&driver, "no-camera", "receipt").await;
            click_test(&driver, "receipt-done").await;
        } else {
            fill(&driver, "unlock-pin", PIN).await;
            click_test(&driver, "unlock").await;
        }
        wait_for_text(&driver, "Balance").await;

        let mut settings = "Settings";
        for (language, tabs) in [
            (
                "English",
                ["Home", "Cards", "Scan", "Offers", "History", "Settings"],
            ),
            (
                "日本語",
                ["ホーム", "カード", "スキャン", "特典", "履歴", "設定"],
            ),
            (
                "简体中文",
                ["首页", "银行卡", "扫一扫", "优惠", "账单", "设置"],
            ),
        ] {
            // The rail's Settings item has the last language's name.
            click(&driver, settings).await;
            click(&driver, language).await;
            settings = tabs[5];
            let shot = |screen: &str| format!("d-{size}-{}-{screen}", language_tag(language));
            for tab in tabs {
                click(&driver, tab).await;
                settle_screen(&driver).await;
                assert_fits(&driver, &format!("{tab} in {language} at {size}")).await;
                assert_no_english(&driver, language, &format!("{tab} at {size}")).await;
                assert_accessible(&driver, &format!("{tab} at {size}")).await;
            }

            click(&driver, tabs[0]).await;
            settle_screen(&driver).await;
            screenshot(&driver, &shot("home")).await;

            click(&driver, tabs[2]).await;
            wait_for(&driver, "pay-sheet-placeholder").await;
            // Refusals in the user's language, whoever found the fault.
            fill_textarea(&driver, "scan-paste", "00020101021126BROKEN").await;
            click_test(&driver, "scan-submit").await;
            assert_eq!(
                wait_for(&driver, "scan-error").await,
                refusal(language, "invalid code")
            );
            fill_textarea(&driver, "scan-paste", &noodles).await;
            click_test(&driver, "scan-submit").await;
            // A Shanghai shop goes by the name on its sign for readers of Han characters.
            assert_eq!(
                wait_for(&driver, "pay-merchant").await,
                if language == "English" {
                    "Lanxin Noodle House"
                } else {
                    "兰心面馆"
                }
            );
            assert_beside(&driver, "no-camera", "pay-sheet").await;
            if index == 0 && language != "English" {
                fill(&driver, "pay-pin", "111112").await;
                click_test(&driver, "pay-confirm").await;
                assert_eq!(
                    wait_for(&driver, "pay-error").await,
                    refusal(language, "wrong PIN")
                );
            }
            assert_fits(&driver, &format!("pay sheet in {language} at {size}")).await;
            assert_no_english(&driver, language, &format!("the pay sheet at {size}")).await;
            assert_accessible(&driver, &format!("the pay sheet in {language} at {size}")).await;
            screenshot(&driver, &shot("scan")).await;

            click(&driver, tabs[4]).await;
            click_test(&driver, "history-entry").await;
            wait_for(&driver, "activity-detail").await;
            assert_beside(&driver, "history", "activity-detail").await;
            assert_fits(&driver, &format!("history in {language} at {size}")).await;
            assert_no_english(&driver, language, &format!("history at {size}")).await;
            assert_accessible(&driver, &format!("history in {language} at {size}")).await;
            screenshot(&driver, &shot("history")).await;

            click(&driver, tabs[3]).await;
            wait_for(&driver, "promotions").await;
            let columns = driver
                .execute(
                    "const tops = [...document.querySelectorAll(\"[data-test='promotion']\")].map((el) => el.getBoundingClientRect().top);
                     return tops.filter((top) => top === tops[0]).length;",
                    vec![],
                )
                .await
                .expect("measure the offers")
                .json()
                .as_u64();
            assert!(
                columns.is_some_and(|n| n >= 2),
                "offers sit in a grid at {size}: {columns:?} in the first row"
            );
            screenshot(&driver, &shot("offers")).await;
        }
        click(&driver, settings).await;
        click(&driver, "English").await;
        driver.quit().await.expect("end the WebDriver session");
    }
    drop(tauri_driver);
    service.stop().await;
}

/// The shop's console in Chromium, beside a wallet: a browser becomes a till with an invite,
/// shows a code for CN¥12.80, hears the wallet pay it and says so aloud, refunds part of it
/// and sees the day's totals change; the wallet sees the refund. Then every width and
/// language, looked at.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives Chromium: `cargo xtask test` runs it with the window tests"]
async fn the_shops_console_takes_a_payment_says_it_and_refunds_part() {
    let service = saifu_tests::service::start().await;
    let chrome = saifu_tests::ChromeDriver::start();
    let driver = chrome.open(1024, 768).await;
    driver
        .goto(format!("{}/merchant/", service.base))
        .await
        .expect("open the console");
    set_console_language(&driver, "en").await;

    // A wrong invite is refused in words; the owner's invite makes this browser a till.
    fill(&driver, "invite-code", "0000-0000-0000").await;
    click_test(&driver, "enrol-submit").await;
    assert!(
        wait_for(&driver, "enrol-error")
            .await
            .starts_with("This invite code is not valid"),
        "a wrong invite says so"
    );
    let invite = service
        .invite("sh-lanxin-noodles", saifu_api::TillRole::Owner)
        .await;
    fill(&driver, "invite-code", &invite.code.to_lowercase()).await;
    click_test(&driver, "enrol-submit").await;
    assert!(
        wait_for(&driver, "shop-name")
            .await
            .starts_with("Lanxin Noodle House")
    );
    screenshot(&driver, "c0-console-enrolled").await;
    assert_accessible(&driver, "the console").await;
    // Headless Chromium has no voices: what the till says is caught on its way out.
    driver
        .execute(
            "window.spoken = []; speechSynthesis.speak = (u) => window.spoken.push([u.text, u.lang]);",
            vec![],
        )
        .await
        .expect("catch speech");

    fill(&driver, "amount", "12.80").await;
    click_test(&driver, "show-code").await;
    let code = element(&driver, "code").await;
    let payload = code
        .attr("data-payload")
        .await
        .expect("read the code")
        .expect("the code's payload");
    assert_eq!(wait_for(&driver, "code-amount").await, "CN¥12.80");
    screenshot(&driver, "c1-console-code").await;
    assert_accessible(&driver, "the console's code").await;

    // A wallet scans it and pays.
    let keys: std::sync::Arc<dyn KeyStore> =
        std::sync::Arc::new(saifu_client::MemoryKeyStore::default());
    let wallet =
        saifu_client::WalletApp::open(&temp_dir("console-wallet"), keys, "").expect("a wallet");
    wallet
        .onboard(saifu_client::Onboarding {
            service_url: service.base.clone(),
            device_name: "Mei's phone".into(),
            home_currency: saifu_core::money::Currency::from_code("CNY").expect("CNY"),
            pin: Sensitive::new(PIN.to_owned()),
        })
        .await
        .expect("onboard");
    let card = wallet
        .link_card(saifu_ipc::LinkCardRequest {
            number: "4242 4242 4242 4242".into(),
            expiry: "12/30".into(),
            security_code: "123".into(),
            holder: "WANG MEI".into(),
        })
        .await
        .expect("link");
    wallet.top_up(&card.card_id, "100").await.expect("top up");
    let quote = wallet
        .quote(&payload, None)
        .await
        .expect("the till's code prices");
    assert_eq!(quote.price.to_decimal_string(), "12.80");
    let receipt = wallet
        .pay(
            &quote.quote_id,
            saifu_ipc::FundingChoice::Balance,
            &Sensitive::new(PIN.to_owned()),
        )
        .await
        .expect("pay");

    // The till hears it at once, shows it and says it.
    assert_eq!(wait_for(&driver, "paid").await, "Paid CN¥12.80");
    let spoken = driver
        .execute("return window.spoken;", vec![])
        .await
        .expect("read what was said")
        .json()
        .clone();
    assert_eq!(spoken, serde_json::json!([["Received CN¥12.80", "en"]]));
    screenshot(&driver, "c2-console-paid").await;
    click_test(&driver, "close-code").await;

    // The owner gives CN¥5.00 back; the day's totals and the wallet follow.
    click_test(&driver, "refund").await;
    fill(&driver, "refund-amount", "5.00").await;
    click_test(&driver, "refund-confirm").await;
    wait_for(&driver, "feed-refund").await;
    assert_eq!(wait_for(&driver, "today-refunded").await, "CN¥5.00");
    assert_eq!(wait_for(&driver, "today-sales").await, "CN¥12.80");
    // Today's statement, downloaded: its lines and total add up to the shop's books.
    click_test(&driver, "statement").await;
    let csv = downloaded_csv(&chrome.downloads).await;
    let total = csv.lines().last().expect("a total line");
    assert!(total.starts_with("total,"), "{csv}");
    let net = total.split(',').nth(9).expect("the net column");
    // CN¥12.80 taken, CN¥5.00 given back.
    assert_eq!(net, "7.80", "{csv}");
    let mut books = 0;
    for account in [
        "merchant:sh-lanxin-noodles:CNY",
        "promo:merchant:sh-lanxin-noodles:CNY",
    ] {
        books += service.store.balance(account).await.expect("an account");
    }
    assert_eq!(books, 780);
    // The shop's code on a sheet for the counter: printed to PDF, drawn as an image, read
    // back by the scanner as the shop's static code.
    click_test(&driver, "print-sheet").await;
    wait_for(&driver, "sheet").await;
    screenshot(&driver, "c5-console-sheet").await;
    let pdf = driver
        .print_page(thirtyfour::common::print::PrintParameters::default())
        .await
        .expect("print to PDF");
    let printed = temp_dir("console-sheet");
    std::fs::write(printed.join("sheet.pdf"), pdf).expect("write the PDF");
    let drawn = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile", "sheet.pdf", "sheet"])
        .current_dir(&printed)
        .status()
        .expect("run pdftoppm (`cargo xtask test` installs it)");
    assert!(drawn.success());
    let image = std::fs::read(printed.join("sheet.png")).expect("the printed page");
    let read: Vec<String> = saifu_scan::decode_bytes(&image)
        .expect("an image")
        .into_iter()
        .map(|code| code.text)
        .collect();
    let static_code = service.merchant_payload("sh-lanxin-noodles", None).await;
    assert_eq!(read, vec![static_code]);
    click_test(&driver, "close-sheet").await;

    // The owner invites a staff till; a second browser enrols with it, sees the feed, and
    // offers no refunds and no statements. Locked by the owner, it is refused in words.
    click_test(&driver, "invite-staff").await;
    let staff_invite = wait_for(&driver, "invite").await;
    let staff = chrome.open(1024, 768).await;
    staff
        .goto(format!("{}/merchant/", service.base))
        .await
        .expect("open the console");
    set_console_language(&staff, "en").await;
    fill(&staff, "invite-code", &staff_invite).await;
    fill(&staff, "till-name", "Counter 2").await;
    click_test(&staff, "enrol-submit").await;
    wait_for(&staff, "feed-payment").await;
    for owners_only in ["refund", "statement", "tills"] {
        let found = staff
            .find_all(by_test(owners_only))
            .await
            .expect("look for it");
        assert!(found.is_empty(), "a staff till shows {owners_only}");
    }
    driver
        .query(By::XPath(
            "//*[@data-test='till'][@data-till-name='Counter 2']//*[@data-test='lock-till']",
        ))
        .wait(Duration::from_secs(15), Duration::from_millis(100))
        .first()
        .await
        .expect("the staff till in the owner's list")
        .click()
        .await
        .expect("lock it");
    assert_eq!(
        wait_for(&staff, "console-error").await,
        "This till was locked by the shop's owner."
    );
    screenshot(&staff, "c6-console-staff-locked").await;
    staff.quit().await.expect("end the staff session");

    let history = wallet.history(None).await.expect("history");
    assert_eq!(history.entries[0].kind, saifu_ipc::ActivityKind::Refund);
    assert_eq!(
        history.entries[0].payment_id.as_deref(),
        Some(receipt.payment_id.as_str())
    );
    screenshot(&driver, "c3-console-refunded").await;

    // The connection drops while a customer pays: the till says so, and once it is back the
    // payment shows, once.
    driver
        .execute(
            "window.realFetch = window.fetch; window.fetch = () => Promise.reject(new TypeError('offline'));",
            vec![],
        )
        .await
        .expect("go offline");
    assert_eq!(
        wait_for(&driver, "console-error").await,
        "The service cannot be reached. Check the connection; nothing was lost."
    );
    let counter = service
        .merchant_payload("sh-lanxin-noodles", Some("7.00"))
        .await;
    let quote = wallet.quote(&counter, None).await.expect("a price");
    wallet
        .pay(
            &quote.quote_id,
            saifu_ipc::FundingChoice::Balance,
            &Sensitive::new(PIN.to_owned()),
        )
        .await
        .expect("pay while the till is offline");
    driver
        .execute("window.fetch = window.realFetch;", vec![])
        .await
        .expect("back online");
    let payments = || async {
        driver
            .find_all(by_test("feed-payment"))
            .await
            .expect("the feed")
            .len()
    };
    for _ in 0..150 {
        if payments().await == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(payments().await, 2, "the payment made offline shows");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(payments().await, 2, "and shows once");
    assert!(
        driver
            .find_all(by_test("console-error"))
            .await
            .expect("look for an error")
            .is_empty()
    );

    // A phone, a tablet and a desktop, in every language.
    for (width, height) in [(390, 844), (800, 1280), (1440, 900)] {
        driver
            .set_window_rect(0, 0, width, height)
            .await
            .expect("resize");
        for (tag, today) in [("en", "Today"), ("zh-CN", "今日"), ("ja", "今日")] {
            set_console_language(&driver, tag).await;
            wait_for_text(&driver, today).await;
            assert_no_horizontal_scroll(&driver).await;
            assert_accessible(&driver, &format!("the console in {tag} at {width}")).await;
            driver
                .execute("window.scrollTo(0, 0);", vec![])
                .await
                .expect("back to the top");
            screenshot(&driver, &format!("c4-console-{width}-{tag}")).await;
        }
    }
    driver.quit().await.expect("end the Chromium session");
}

/// Both sides at once: the desktop app pays the code the console shows, the console hears
/// it with the shop's discount, refunds part of it, and the app shows the refund.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window and Chromium: `cargo xtask test` runs it under Xvfb"]
async fn the_app_pays_a_tills_code_and_sees_the_tills_refund() {
    let _window = WINDOW.lock().await;
    let service = saifu_tests::service::start().await;

    // The till: enrolled, showing CN¥38.50, which the shop's ¥5 off ¥30 applies to.
    let chrome = saifu_tests::ChromeDriver::start();
    let till = chrome.open(1024, 768).await;
    till.goto(format!("{}/merchant/", service.base))
        .await
        .expect("open the console");
    set_console_language(&till, "en").await;
    let invite = service
        .invite("sh-lanxin-noodles", saifu_api::TillRole::Owner)
        .await;
    fill(&till, "invite-code", &invite.code).await;
    click_test(&till, "enrol-submit").await;
    wait_for(&till, "shop-name").await;
    fill(&till, "amount", "38.50").await;
    click_test(&till, "show-code").await;
    let payload = element(&till, "code")
        .await
        .attr("data-payload")
        .await
        .expect("read the code")
        .expect("the code's payload");

    // The app: a new wallet with a card and money, which pays the code from its balance.
    let data_dir = temp_dir("app-data-both-sides");
    let tauri_driver = TauriDriver::start_with_env(&[
        ("SAIFU_SERVICE_URL", service.base.as_ref()),
        ("SAIFU_DATA_DIR", data_dir.as_os_str()),
    ]);
    let app = tauri_driver.open_app(&["--window-size=1280x800"]).await;
    first_launch(&app).await;
    open_wallet(&app).await;
    wait_for(&app, "balance").await;
    click(&app, "Cards").await;
    fill_card_form(&app).await;
    click_test(&app, "link-card").await;
    wait_for(&app, "card-tile").await;
    fill(&app, "top-up-amount", "100").await;
    click_test(&app, "top-up").await;
    wait_for(&app, "top-up-done").await;
    click(&app, "Scan").await;
    fill_textarea(&app, "scan-paste", &payload).await;
    click_test(&app, "scan-submit").await;
    assert_eq!(wait_for(&app, "pay-merchant").await, "Lanxin Noodle House");
    click_test(&app, "funding-balance").await;
    fill(&app, "pay-pin", PIN).await;
    click_test(&app, "pay-confirm").await;
    assert_eq!(wait_for(&app, "receipt-paid").await, "CN¥33.50");
    click_test(&app, "receipt-done").await;

    // The till hears it, with the shop's discount; the owner gives CN¥10.00 back.
    let paid = wait_for(&till, "paid").await;
    assert!(
        paid.starts_with("Paid CN¥38.50") && paid.contains("Discount CN¥5.00 (by the shop)"),
        "{paid}"
    );
    screenshot(&till, "b0-till-paid").await;
    click_test(&till, "close-code").await;
    click_test(&till, "refund").await;
    fill(&till, "refund-amount", "10.00").await;
    click_test(&till, "refund-confirm").await;
    wait_for(&till, "feed-refund").await;
    screenshot(&till, "b1-till-refunded").await;

    // The app hears of the refund and lists it: the shop's share of the discount stays
    // with the shop, so CN¥8.71 of the CN¥10.00 comes back.
    wait_for_text(&app, "Refund from Lanxin Noodle House").await;
    wait_for_text(&app, "+CN¥8.71").await;
    screenshot(&app, "b2-app-refund").await;
    app.quit().await.expect("end the app session");
    till.quit().await.expect("end the Chromium session");
}

/// The app's own pay code, scanned from its window, charged at the console: below the
/// no-PIN limit at once, above it once the app's user confirms with the PIN; both sides
/// show the payment.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window and Chromium: `cargo xtask test` runs it under Xvfb"]
async fn the_till_charges_the_apps_pay_code_and_both_see_it() {
    let _window = WINDOW.lock().await;
    let service = saifu_tests::service::start().await;
    // The till's camera plays this file: the app's window, once it shows its pay code.
    let camera = temp_dir("till-camera").join("counter.y4m");
    let chrome = saifu_tests::ChromeDriver::start();
    let fake_camera = format!("--use-file-for-fake-video-capture={}", camera.display());
    let till = chrome
        .open_with(
            1024,
            900,
            &[
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                &fake_camera,
            ],
        )
        .await;
    till.goto(format!("{}/merchant/", service.base))
        .await
        .expect("open the console");
    set_console_language(&till, "en").await;
    let invite = service
        .invite("sh-lanxin-noodles", saifu_api::TillRole::Staff)
        .await;
    fill(&till, "invite-code", &invite.code).await;
    click_test(&till, "enrol-submit").await;
    wait_for(&till, "shop-name").await;

    let data_dir = temp_dir("app-data-pay-code");
    let tauri_driver = TauriDriver::start_with_env(&[
        ("SAIFU_SERVICE_URL", service.base.as_ref()),
        ("SAIFU_DATA_DIR", data_dir.as_os_str()),
    ]);
    let app = tauri_driver.open_app(&["--window-size=1280x900"]).await;
    first_launch(&app).await;
    open_wallet(&app).await;
    wait_for(&app, "balance").await;
    click(&app, "Cards").await;
    fill_card_form(&app).await;
    click_test(&app, "link-card").await;
    wait_for(&app, "card-tile").await;
    fill(&app, "top-up-amount", "500").await;
    click_test(&app, "top-up").await;
    wait_for(&app, "top-up-done").await;
    click(&app, "Home").await;
    click_test(&app, "home-pay-code").await;
    let digits = wait_for(&app, "pay-code-digits").await.replace(' ', "");
    assert_eq!(digits.len(), 18, "{digits}");
    assert!(
        wait_for(&app, "pay-code-countdown")
            .await
            .starts_with("New code in")
    );
    assert_eq!(wait_for(&app, "pay-code-funding").await, "Wallet balance");
    assert_eq!(wait_for(&app, "pay-code-limit").await, "CN¥200.00");
    screenshot(&app, "p0-app-pay-code").await;

    // The code scans: read from the window's own pixels by the app's decoder.
    let shot = app.screenshot_as_png().await.expect("a screenshot");
    let read: Vec<String> = saifu_scan::decode_bytes(&shot)
        .expect("an image")
        .into_iter()
        .map(|code| code.text)
        .collect();
    assert_eq!(read, vec![digits.clone()]);

    // Below the limit the till's camera reads the code off the phone's screen, and the
    // till is paid at once; the app shows it.
    let qr = element(&app, "pay-code-qr")
        .await
        .rect()
        .await
        .expect("where the QR code is");
    write_camera_file(
        &shot,
        (qr.x + qr.width / 2.0, qr.y + qr.height / 2.0),
        &camera,
    );
    fill(&till, "charge-amount", "25.00").await;
    click_test(&till, "charge-camera").await;
    assert_eq!(wait_for(&till, "charge-paid").await, "Paid CN¥25.00");
    screenshot(&till, "p1-till-charged").await;
    assert_eq!(wait_for(&app, "pay-code-paid-amount").await, "CN¥25.00");
    screenshot(&app, "p2-app-paid").await;

    // A slip of the finger is caught by the check digit, before the service is asked.
    let mut typo = digits.clone().into_bytes();
    typo[9] = if typo[9] == b'9' { b'0' } else { typo[9] + 1 };
    fill(&till, "charge-amount", "5.00").await;
    fill(
        &till,
        "charge-code",
        std::str::from_utf8(&typo).expect("digits"),
    )
    .await;
    click_test(&till, "charge").await;
    assert_eq!(
        wait_for(&till, "charge-error").await,
        "That is not a valid pay code. Scan it again, or check the digits."
    );

    // A used code is refused; the next one (a new step) comes by itself.
    fill(&till, "charge-amount", "5.00").await;
    fill(&till, "charge-code", &digits).await;
    click_test(&till, "charge").await;
    // The refusal before it stays on screen until this one replaces it.
    wait_for_text(
        &till,
        "This pay code was used already. Ask the customer to show the new one.",
    )
    .await;
    let mut next = digits.clone();
    for _ in 0..70 {
        next = shown(&app, "pay-code-digits").await.replace(' ', "");
        if next != digits {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_ne!(next, digits, "the pay code did not renew");

    // The user lowers the no-PIN limit; above it the till waits while the app asks, and
    // the PIN confirms.
    click_test(&app, "pay-code-edit").await;
    fill(&app, "pay-code-limit-input", "100").await;
    screenshot(&app, "p3-app-pay-code-settings").await;
    click_test(&app, "pay-code-save").await;
    wait_for_text(&app, "CN¥100.00").await;
    assert_eq!(wait_for(&app, "pay-code-limit").await, "CN¥100.00");
    fill(&till, "charge-amount", "150.00").await;
    fill(&till, "charge-code", &next).await;
    click_test(&till, "charge").await;
    wait_for(&till, "charge-waiting").await;
    let question = wait_for(&app, "charge-question").await;
    assert!(
        question.starts_with("Pay CN¥") && question.ends_with(" at Lanxin Noodle House?"),
        "{question}"
    );
    screenshot(&app, "p4-app-confirm").await;
    fill(&app, "charge-pin", PIN).await;
    click_test(&app, "charge-approve").await;
    // The shop's ¥5 off ¥30 applies, as to any payment: the till shows who gave it.
    let paid = wait_for(&till, "charge-paid").await;
    assert!(
        paid.starts_with("Paid CN¥150.00") && paid.contains("Discount CN¥5.00 (by the shop)"),
        "{paid}"
    );
    screenshot(&till, "p5-till-confirmed").await;
    assert_eq!(wait_for(&app, "pay-code-paid-amount").await, "CN¥145.00");
    screenshot(&app, "p6-app-confirmed").await;
    app.quit().await.expect("end the app session");
    till.quit().await.expect("end the Chromium session");
}

/// A lost phone: Home offers the recovery sheet; its lock code, typed into the lock page
/// in any browser, suspends the wallet and the app shows it at once; the recovery code lifts
/// it again.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window and Chromium: `cargo xtask test` runs it under Xvfb"]
async fn the_lock_page_suspends_the_wallet_and_the_recovery_code_lifts_it() {
    let _window = WINDOW.lock().await;
    let service = saifu_tests::service::start().await;
    let data_dir = temp_dir("app-data-lost-mode");
    let tauri_driver = TauriDriver::start_with_env(&[
        ("SAIFU_SERVICE_URL", service.base.as_ref()),
        ("SAIFU_DATA_DIR", data_dir.as_os_str()),
    ]);
    let app = tauri_driver.open_app(&["--window-size=1280x900"]).await;
    first_launch(&app).await;
    open_wallet(&app).await;
    wait_for(&app, "balance").await;
    click_test(&app, "recovery-show").await;
    let lock_code = wait_for(&app, "recovery-lock-code").await;
    let recovery_code = wait_for(&app, "recovery-code").await;
    let lock_page = wait_for(&app, "recovery-lock-page").await;
    assert_eq!(lock_page, format!("{}/lock", service.base));
    screenshot(&app, "l0-recovery-sheet").await;
    click_test(&app, "recovery-saved").await;
    for _ in 0..50 {
        if app.find(by_test("recovery-sheet")).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        app.find(by_test("recovery-sheet")).await.is_err(),
        "the sheet is still asked for"
    );

    // Any browser, a phone's width, in Japanese: a wrong code is refused, the right one
    // locks.
    let chrome = saifu_tests::ChromeDriver::start();
    let browser = chrome.open(390, 844).await;
    browser
        .goto(format!("{lock_page}?lang=ja"))
        .await
        .expect("open the lock page");
    wait_for_text(&browser, "ウォレットをロック").await;
    assert_accessible(&browser, "the lock page").await;
    fill(&browser, "lock-code", "0000-0000-0000").await;
    click_test(&browser, "lock-submit").await;
    assert_eq!(
        wait_for(&browser, "lock-error").await,
        "どのウォレットのロックコードでもありません。リカバリーシートと照らし合わせてください。"
    );
    fill(&browser, "lock-code", &lock_code.to_lowercase()).await;
    click_test(&browser, "lock-submit").await;
    assert!(
        wait_for(&browser, "lock-done")
            .await
            .starts_with("ウォレットをロックしました。")
    );
    screenshot(&browser, "l1-lock-page-done").await;

    // The app hears it at once and asks for the recovery code.
    wait_for(&app, "suspended").await;
    screenshot(&app, "l2-app-suspended").await;
    fill(&app, "recovery-code-input", &lock_code).await;
    click_test(&app, "resume").await;
    assert_eq!(
        wait_for(&app, "resume-error").await,
        "That is not this wallet's recovery code. Check it against your recovery sheet."
    );
    fill(&app, "recovery-code-input", &recovery_code).await;
    click_test(&app, "resume").await;
    assert_eq!(wait_for(&app, "balance").await, "CN¥0.00");
    browser.quit().await.expect("end the Chromium session");
    app.quit().await.expect("end the app session");
}

/// A camera's view of `screenshot` (PNG): 640 by 480 pixels around `centre`, in grey, as a
/// one-frame Y4M file, which Chromium plays as its camera.
fn write_camera_file(screenshot: &[u8], centre: (f64, f64), path: &std::path::Path) {
    const WIDTH: u32 = 640;
    const HEIGHT: u32 = 480;
    let grey = image::load_from_memory(screenshot)
        .expect("a PNG")
        .to_luma8();
    let left = (centre.0 as u32)
        .saturating_sub(WIDTH / 2)
        .min(grey.width() - WIDTH);
    let top = (centre.1 as u32)
        .saturating_sub(HEIGHT / 2)
        .min(grey.height() - HEIGHT);
    let view = image::imageops::crop_imm(&grey, left, top, WIDTH, HEIGHT).to_image();
    let mut file =
        format!("YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\nFRAME\n").into_bytes();
    file.extend_from_slice(view.as_raw());
    // No colour: both chroma planes at their middle.
    file.resize(file.len() + (WIDTH * HEIGHT / 2) as usize, 128);
    std::fs::write(path, file).expect("write the camera's file");
}

/// The console in a dark colour scheme passes the same accessibility rules, at a phone's
/// and a desktop's width.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives Chromium: `cargo xtask test` runs it with the window tests"]
async fn the_shops_console_in_the_dark_passes_the_same_accessibility_rules() {
    let service = saifu_tests::service::start().await;
    let chrome = saifu_tests::ChromeDriver::start();
    for (width, height) in [(390, 844), (1440, 900)] {
        let driver = chrome
            .open_with(width, height, &["--force-dark-mode"])
            .await;
        driver
            .goto(format!("{}/merchant/", service.base))
            .await
            .expect("open the console");
        let dark = driver
            .execute(
                "return matchMedia('(prefers-color-scheme: dark)').matches;",
                vec![],
            )
            .await
            .expect("ask the page")
            .json()
            .clone();
        assert_eq!(
            dark,
            serde_json::json!(true),
            "Chromium is in its dark mode"
        );
        set_console_language(&driver, "en").await;
        assert_accessible(&driver, &format!("enrolment in the dark at {width}")).await;
        let invite = service
            .invite("tyo-akiba-denki", saifu_api::TillRole::Owner)
            .await;
        fill(&driver, "invite-code", &invite.code).await;
        click_test(&driver, "enrol-submit").await;
        wait_for(&driver, "today").await;
        assert_accessible(&driver, &format!("the console in the dark at {width}")).await;
        screenshot(&driver, &format!("c7-console-dark-{width}")).await;
        fill(&driver, "amount", "1280").await;
        click_test(&driver, "show-code").await;
        wait_for(&driver, "code").await;
        assert_accessible(&driver, &format!("the code in the dark at {width}")).await;
        driver.quit().await.expect("end the Chromium session");
    }
}

/// The one CSV file the console saved to `downloads`, once it is complete.
async fn downloaded_csv(downloads: &std::path::Path) -> String {
    for _ in 0..100 {
        let saved = std::fs::read_dir(downloads)
            .expect("the downloads directory")
            .flatten()
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|extension| extension == "csv"));
        if let Some(path) = saved {
            return std::fs::read_to_string(path).expect("the statement");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no statement was saved to {}", downloads.display());
}

/// Picks the console's language as a person would, with its select.
async fn set_console_language(driver: &WebDriver, tag: &str) {
    let select = element(driver, "language").await;
    driver
        .execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
            vec![
                select.to_json().expect("the select as an argument"),
                serde_json::json!(tag),
            ],
        )
        .await
        .expect("choose a language");
}

/// A refusal's words as the catalogue has them. In the desktop test the first wrong PIN is
/// tried in Japanese, the second in Chinese ("wrong PIN").
fn refusal(language: &str, what: &str) -> &'static str {
    match (language, what) {
        ("English", "invalid code") => {
            "This is not a payment code Saifu can pay, or it is damaged. Scan it again."
        }
        ("日本語", "invalid code") => {
            "Saifu で支払えるコードではないか、コードが破損しています。もう一度読み取ってください。"
        }
        ("简体中文", "invalid code") => {
            "这不是 Saifu 可以支付的收款码，或二维码已损坏。请重新扫描。"
        }
        ("日本語", "wrong PIN" | "wrong PIN, 2 left") => {
            "PIN が違います。あと 2 回間違えると入力が一時停止されます。"
        }
        ("日本語", "wrong PIN, 1 left") => {
            "PIN が違います。あと 1 回間違えると入力が一時停止されます。"
        }
        ("日本語", "PIN paused") => "PIN が違います。30 秒待ってからもう一度お試しください。",
        ("日本語", "declined") => {
            "銀行がこのカードを承認しませんでした。別のカードを使うか、銀行にお問い合わせください。"
        }
        ("日本語", "balance too low") => {
            "残高が足りません。チャージするか、カードで支払ってください。"
        }
        ("日本語", "price renewed") => {
            "ご検討中に価格が変わりました。最新の価格をご確認のうえ、お支払いください。"
        }
        ("简体中文", "wrong PIN, 2 left") => "支付密码错误，还可尝试 2 次，之后将暂停输入。",
        ("简体中文", "wrong PIN" | "wrong PIN, 1 left") => {
            "支付密码错误，还可尝试 1 次，之后将暂停输入。"
        }
        ("简体中文", "PIN paused") => "支付密码错误，请等待 30 秒后再试。",
        ("简体中文", "declined") => "银行拒绝了此卡。请换一张卡，或联系发卡银行。",
        ("简体中文", "balance too low") => "余额不足以支付此金额。请充值，或使用银行卡付款。",
        ("简体中文", "price renewed") => "您确认期间价格有变，以下是最新价格，请确认后再付款。",
        _ => panic!("no expected words for {what} in {language}"),
    }
}

/// Names that stay as they are in every language: the app's, card networks and the sandbox
/// bank, country codes, the platform, English in the language picker, and this device's name
/// (chosen while the app spoke English).
const NAMES: &[&str] = &[
    "Saifu",
    "English",
    "My computer",
    "Linux",
    "Sandbox UnionPay Bank",
    "UnionPay",
    "Visa",
    "CN",
    "JP",
];

/// Demo shops whose signs have kana: on a Chinese screen they go by the name they use
/// abroad. Every other demo shop and city shows as on its sign to readers of Han characters.
const SHOPS_WITH_KANA: &[&str] = &["Sushi Kanda Ginza", "Akiba Denki", "Dotonbori Takoyaki"];

/// On a Chinese or Japanese screen, no visible text is English beyond [`NAMES`] ("PIN" is
/// Japanese too); an English screen is not checked.
async fn assert_no_english(driver: &WebDriver, language: &str, screen: &str) {
    if language == "English" {
        return;
    }
    let mut allowed: Vec<&str> = NAMES.to_vec();
    if language == "日本語" {
        allowed.push("PIN");
    } else {
        allowed.extend(SHOPS_WITH_KANA);
    }
    let english = driver
        .execute(
            r#"
            const allowed = arguments[0];
            const found = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const el = node.parentElement;
                if (!el || el.closest("textarea, .mono") || !el.getClientRects().length) continue;
                if (getComputedStyle(el).visibility === "hidden") continue;
                let text = node.textContent;
                for (const name of allowed) text = text.split(name).join(" ");
                if (/[A-Za-z]{2,}/.test(text)) found.push(node.textContent.trim());
            }
            return found;
            "#,
            vec![serde_json::json!(allowed)],
        )
        .await
        .expect("read the screen's text")
        .json()
        .clone();
    assert_eq!(
        english,
        serde_json::json!([]),
        "English on {screen} in {language}"
    );
}

/// axe-core finds nothing to fix on the screen.
async fn assert_accessible(driver: &WebDriver, screen: &str) {
    let violations = accessibility_violations(driver).await;
    assert!(
        violations.is_empty(),
        "accessibility on {screen}:\n{}",
        violations.join("\n")
    );
}

/// The element `right` sits to the right of `left`, side by side on screen.
async fn assert_beside(driver: &WebDriver, left: &str, right: &str) {
    element(driver, left).await;
    element(driver, right).await;
    let beside = driver
        .execute(
            "const [a, b] = [...arguments].map((test) => document.querySelector(`[data-test='${test}']`).getBoundingClientRect());
             return b.left >= a.right && b.top < a.bottom && a.top < b.bottom;",
            vec![serde_json::json!(left), serde_json::json!(right)],
        )
        .await
        .expect("measure the panes")
        .json()
        .as_bool();
    assert_eq!(beside, Some(true), "{right} is not beside {left}");
}

/// Dark mode, as the system's theme asks for it: every screen still passes axe-core's
/// contrast and other rules, on a phone-size window and on a desktop one.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window: `cargo xtask test` runs it under Xvfb with a keyring"]
async fn dark_mode_passes_the_same_accessibility_rules() {
    let _window = WINDOW.lock().await;
    let service = saifu_tests::service::start().await;
    let data_dir = temp_dir("app-data-dark");
    let tauri_driver = TauriDriver::start_with_env(&[
        ("SAIFU_SERVICE_URL", service.base.as_ref()),
        ("SAIFU_DATA_DIR", data_dir.as_os_str()),
        ("GTK_THEME", "Adwaita:dark".as_ref()),
    ]);
    let code = service
        .merchant_payload("tyo-ginza-sushi", Some("3000"))
        .await;
    for (index, size) in ["390x844", "1280x800"].into_iter().enumerate() {
        let driver = tauri_driver
            .open_app(&[&format!("--window-size={size}")])
            .await;
        if index == 0 {
            first_launch(&driver).await;
            let dark = driver
                .execute(
                    "return matchMedia('(prefers-color-scheme: dark)').matches;",
                    vec![],
                )
                .await
                .expect("ask the window")
                .json()
                .as_bool();
            assert_eq!(dark, Some(true), "the window follows the dark theme");
            open_wallet(&driver).await;
            click(&driver, "Cards").await;
            fill_card_form(&driver).await;
            assert_accessible(&driver, &format!("the card form, dark, at {size}")).await;
            click_test(&driver, "link-card").await;
            fill(&driver, "top-up-amount", "500").await;
            click_test(&driver, "top-up").await;
            wait_for(&driver, "top-up-done").await;
            click(&driver, "Home").await;
        } else {
            fill(&driver, "unlock-pin", PIN).await;
            click_test(&driver, "unlock").await;
        }
        wait_for_text(&driver, "Balance").await;
        // Settings is reached from Home on a phone: visit it right after Home.
        for tab in ["Cards", "Offers", "History", "Home", "Settings", "Scan"] {
            click(&driver, tab).await;
            settle_screen(&driver).await;
            assert_accessible(&driver, &format!("{tab}, dark, at {size}")).await;
        }
        screenshot(&driver, &format!("k-{size}-dark-scan")).await;
        fill_textarea(&driver, "scan-paste", &code).await;
        click_test(&driver, "scan-submit").await;
        wait_for(&driver, "pay-rate").await;
        fill(&driver, "pay-pin", "111112").await;
        click_test(&driver, "pay-confirm").await;
        wait_for(&driver, "pay-error").await;
        assert_accessible(
            &driver,
            &format!("the pay sheet and a refusal, dark, at {size}"),
        )
        .await;
        screenshot(&driver, &format!("k-{size}-dark-pay")).await;
        fill(&driver, "pay-pin", PIN).await;
        click_test(&driver, "pay-confirm").await;
        wait_for(&driver, "receipt").await;
        assert_accessible(&driver, &format!("the receipt, dark, at {size}")).await;
        screenshot(&driver, &format!("k-{size}-dark-receipt")).await;
        click_test(&driver, "receipt-done").await;
        wait_for(&driver, "recent").await;
        screenshot(&driver, &format!("k-{size}-dark-home")).await;
        driver.quit().await.expect("end the WebDriver session");
    }
    drop(tauri_driver);
    service.stop().await;
}

/// A Chinese and a Japanese user each walk into every refusal: a declined card, a damaged
/// code, a balance too low, the pause after wrong PINs, and a price that expired, which is
/// asked for again and shown. Each is told in their language, word for word, with no
/// English beyond names on the screen.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real app window: `cargo xtask test` runs it under Xvfb with a keyring"]
async fn refusals_read_in_chinese_and_japanese() {
    let _window = WINDOW.lock().await;
    let service = saifu_tests::service::start().await;
    // About CN¥1,450: far more than the balance this walk tops up.
    let sushi = service
        .merchant_payload("tyo-ginza-sushi", Some("30000"))
        .await;
    for (language, tag, cards, scan) in [
        ("简体中文", "zh", "银行卡", "扫一扫"),
        ("日本語", "ja", "カード", "スキャン"),
    ] {
        let data_dir = temp_dir(&format!("app-data-refusals-{tag}"));
        let tauri_driver = TauriDriver::start_with_env(&[
            ("SAIFU_SERVICE_URL", service.base.as_ref()),
            ("SAIFU_DATA_DIR", data_dir.as_os_str()),
        ]);
        let driver = tauri_driver.open_app(&["--window-size=1280x800"]).await;
        first_launch_in(&driver, if tag == "zh" { "zh-CN" } else { "ja" }).await;
        fill(&driver, "pin", PIN).await;
        fill(&driver, "pin-again", PIN).await;
        click_test(&driver, "create-wallet").await;
        wait_for(&driver, "balance").await;

        click(&driver, cards).await;
        settle_screen(&driver).await;
        click_test(&driver, "add-card").await;
        fill(&driver, "card-number", "4000 0000 0000 0002").await;
        fill(&driver, "card-expiry", "12/30").await;
        fill(&driver, "card-cvv", "123").await;
        fill(&driver, "card-holder", "WANG MEI").await;
        click_test(&driver, "link-card").await;
        assert_eq!(
            wait_for(&driver, "card-error").await,
            refusal(language, "declined")
        );
        assert_no_english(&driver, language, "a declined card").await;
        screenshot(&driver, &format!("r-{tag}-card-declined")).await;
        fill(&driver, "card-number", "6200 0000 0000 0005").await;
        fill(&driver, "card-cvv", "123").await;
        click_test(&driver, "link-card").await;
        wait_for(&driver, "card-tile").await;
        fill(&driver, "top-up-amount", "10").await;
        click_test(&driver, "top-up").await;
        wait_for(&driver, "top-up-done").await;

        click(&driver, scan).await;
        fill_textarea(&driver, "scan-paste", "00020101021126BROKEN").await;
        click_test(&driver, "scan-submit").await;
        assert_eq!(
            wait_for(&driver, "scan-error").await,
            refusal(language, "invalid code")
        );
        screenshot(&driver, &format!("r-{tag}-invalid-code")).await;

        fill_textarea(&driver, "scan-paste", &sushi).await;
        click_test(&driver, "scan-submit").await;
        wait_for(&driver, "pay-merchant").await;
        click_test(&driver, "funding-balance").await;
        fill(&driver, "pay-pin", PIN).await;
        click_test(&driver, "pay-confirm").await;
        wait_for_text(&driver, refusal(language, "balance too low")).await;
        assert_no_english(&driver, language, "a balance too low").await;
        screenshot(&driver, &format!("r-{tag}-balance-too-low")).await;

        // Past the quote's two minutes, within the five a signed request stays fresh.
        service.clock_offset.store(180, Ordering::Relaxed);
        fill(&driver, "pay-pin", PIN).await;
        click_test(&driver, "pay-confirm").await;
        wait_for_text(&driver, refusal(language, "price renewed")).await;
        service.clock_offset.store(0, Ordering::Relaxed);
        assert_no_english(&driver, language, "a price asked for again").await;
        screenshot(&driver, &format!("r-{tag}-price-renewed")).await;

        // On the price asked for again: two wrong tries say how many are left; the third
        // begins a pause.
        for told in ["wrong PIN, 2 left", "wrong PIN, 1 left", "PIN paused"] {
            fill(&driver, "pay-pin", "111112").await;
            click_test(&driver, "pay-confirm").await;
            wait_for_text(&driver, refusal(language, told)).await;
        }
        assert_no_english(&driver, language, "a PIN pause").await;
        screenshot(&driver, &format!("r-{tag}-pin-paused")).await;
        driver.quit().await.expect("end the WebDriver session");
        drop(tauri_driver);
    }
    service.stop().await;
}

/// The `data-test` of the element holding the keyboard focus.
async fn focused(driver: &WebDriver) -> String {
    driver
        .execute(
            "return document.activeElement && document.activeElement.getAttribute('data-test');",
            vec![],
        )
        .await
        .expect("ask for the focus")
        .json()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Forgets what the window kept, as on the app's first start.
async fn first_launch(driver: &WebDriver) {
    reload(driver, "localStorage.clear();").await;
}

/// A first start with the language chosen before, by its tag ("zh-CN").
async fn first_launch_in(driver: &WebDriver, language: &str) {
    reload(
        driver,
        &format!("localStorage.clear(); localStorage.setItem('saifu.language', '{language}');"),
    )
    .await;
}

/// Runs `script`, reloads the page, and waits for the new page: looking for an element
/// before that could find it on the old one, just as it goes.
async fn reload(driver: &WebDriver, script: &str) {
    driver
        .execute(
            &format!("window.saifuOldPage = true; {script} location.reload();"),
            vec![],
        )
        .await
        .expect("reload the window");
    for _ in 0..150 {
        let fresh = driver
            .execute(
                "return !window.saifuOldPage && document.readyState === 'complete';",
                vec![],
            )
            .await
            .is_ok_and(|answer| answer.json().as_bool() == Some(true));
        if fresh {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the window did not reload");
}

/// Onboarding with the test PIN: the form checked for fit, filled and sent.
async fn open_wallet(driver: &WebDriver) {
    wait_for_text(driver, "Open your wallet").await;
    assert_fits(driver, "onboarding").await;
    assert_accessible(driver, "onboarding").await;
    fill(driver, "pin", PIN).await;
    fill(driver, "pin-again", PIN).await;
    click_test(driver, "create-wallet").await;
}

/// On the Cards screen: the add-card form, filled with the sandbox UnionPay card.
async fn fill_card_form(driver: &WebDriver) {
    // The button moves once the cards have loaded: click it where it stays.
    settle_screen(driver).await;
    click_test(driver, "add-card").await;
    fill(driver, "card-number", "6200 0000 0000 0005").await;
    fill(driver, "card-expiry", "12/30").await;
    fill(driver, "card-cvv", "123").await;
    fill(driver, "card-holder", "WANG MEI").await;
}

fn language_tag(language: &str) -> &'static str {
    match language {
        "日本語" => "ja",
        "简体中文" => "zh",
        _ => "en",
    }
}

/// Lets a screen's data arrive before it is measured or photographed.
async fn settle_screen(driver: &WebDriver) {
    let _ = driver
        .query(By::Css("[aria-busy='true']"))
        .wait(Duration::from_secs(10), Duration::from_millis(100))
        .not_exists()
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// Nothing scrolls sideways and no text is cut off: every element that holds text fits its
/// box and the window, except inside containers made to scroll sideways (the card strip).
async fn assert_fits(driver: &WebDriver, screen: &str) {
    assert_no_horizontal_scroll(driver).await;
    let clipped = driver
        .execute(
            r#"
            const width = document.documentElement.clientWidth;
            const scrolls = (el) => {
                for (let a = el.parentElement; a; a = a.parentElement) {
                    const x = getComputedStyle(a).overflowX;
                    if (x === "auto" || x === "scroll") return true;
                }
                return false;
            };
            const found = [];
            for (const el of document.querySelectorAll("body *")) {
                const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join("");
                if (!text || el.closest(".visually-hidden")) continue;
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height === 0) continue;
                const style = getComputedStyle(el);
                const cut = style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1;
                const outside = box.right > width + 1 || box.left < -1;
                if ((cut || outside) && !scrolls(el)) found.push(text.slice(0, 60));
            }
            return found;
            "#,
            vec![],
        )
        .await
        .expect("measure the text")
        .json()
        .clone();
    assert_eq!(clipped, serde_json::json!([]), "text cut off on {screen}");
}

/// Registers another device into the app's wallet, approved with the app's own device key
/// from the keyring as the app would approve it; returns the new device's signing identity.
async fn join_device(
    service: &LocalService,
    data_dir: &std::path::Path,
    device_id: &str,
    device_name: &str,
) -> OtherDevice {
    let profile: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data_dir.join("wallet.json")).expect("the app's profile"),
    )
    .expect("profile JSON");
    let phone_id = profile["device_id"].as_str().expect("device id").to_owned();
    let account = format!("device-key/{phone_id}");
    let secret = tokio::task::spawn_blocking(move || {
        OsKeyring::connect()
            .expect("keyring")
            .load(&account)
            .expect("read the keyring")
    })
    .await
    .expect("keyring thread")
    .expect("the app's key is in the keyring");
    let key = saifu_core::auth::DeviceSigningKey::from_base64url(secret.expose()).expect("key");
    let phone = OtherDevice::enrolled(&service.base, &phone_id, key);
    let (device, registration) = OtherDevice::new(&service.base, device_id, device_name).await;
    phone
        .approve(&registration)
        .await
        .expect("the phone approves the new device");
    device
}

async fn gear_to_settings(driver: &WebDriver) {
    click(driver, "Home").await;
    click_test(driver, "open-settings").await;
    wait_for_text(driver, "About Saifu").await;
    assert_no_horizontal_scroll(driver).await;
}

async fn assert_no_horizontal_scroll(driver: &WebDriver) {
    let wider = driver
        .execute(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .expect("measure the page")
        .json()
        .as_bool();
    assert_eq!(wider, Some(false), "the page scrolls sideways");
}

async fn element(driver: &WebDriver, test: &str) -> WebElement {
    match driver
        .query(by_test(test))
        .and_displayed()
        .wait(Duration::from_secs(15), Duration::from_millis(100))
        .first()
        .await
    {
        Ok(found) => found,
        Err(error) => {
            // What the window showed instead, for whoever reads the failure.
            screenshot(driver, &format!("failed-waiting-for-{test}")).await;
            panic!(
                "[data-test={test}] never appeared (see target/ui-shots/failed-waiting-for-{test}.png): {error}"
            )
        }
    }
}

/// Waits for the element and returns its text, whitespace collapsed. From the DOM: WebKit's
/// rendered text leaves out lines cut short by an ellipsis.
async fn wait_for(driver: &WebDriver, test: &str) -> String {
    let found = element(driver, test).await;
    let text = found
        .prop("textContent")
        .await
        .expect("read the text")
        .unwrap_or_default();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn shown(driver: &WebDriver, test: &str) -> String {
    wait_for(driver, test).await
}

async fn fill(driver: &WebDriver, test: &str, value: &str) {
    let input = element(driver, test).await;
    input.clear().await.expect("clear");
    // Clearing does not fire `input`: select and overwrite so the app sees every change.
    input.send_keys(value).await.expect("type");
}

async fn fill_textarea(driver: &WebDriver, test: &str, value: &str) {
    fill(driver, test, value).await;
}

async fn click_test(driver: &WebDriver, test: &str) {
    let target = element(driver, test).await;
    driver
        .query(by_test(test))
        .and_clickable()
        .wait(Duration::from_secs(15), Duration::from_millis(100))
        .first()
        .await
        .unwrap_or_else(|error| panic!("[data-test={test}] never became clickable: {error}"));
    target
        .click()
        .await
        .unwrap_or_else(|error| panic!("click {test}: {error}"));
}

async fn click(driver: &WebDriver, name: &str) {
    driver
        .query(button_named(name))
        .and_displayed()
        .wait(Duration::from_secs(10), Duration::from_millis(100))
        .first()
        .await
        .unwrap_or_else(|error| panic!("no visible button {name:?}: {error}"))
        .click()
        .await
        .unwrap_or_else(|error| panic!("click {name:?}: {error}"));
}
