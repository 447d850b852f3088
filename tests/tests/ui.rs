//! The real app window, driven like a person would: every screen, both layouts, and the
//! About panel's round trip to the shell.

use std::time::Duration;

use saifu_tests::{TauriDriver, button_named, screenshot, wait_for_text};
use thirtyfour::prelude::*;

const SCREENS: &[(&str, &str, &str)] = &[
    ("Cards", "Linked cards", "No linked cards yet"),
    ("Scan", "Scan to pay", "Scan a shop's QR code"),
    ("Promotions", "Promotions", "No offers yet"),
    ("History", "History", "No payments yet"),
];

#[tokio::test]
#[ignore = "drives the real app window: `cargo xtask test` runs it under Xvfb"]
async fn every_screen_renders_in_the_app_window() {
    let tauri_driver = TauriDriver::start();
    let driver = tauri_driver.open_app(&[]).await;

    // Start from a first launch: no stored language, so the app follows the system (English here).
    driver
        .execute("localStorage.clear(); location.reload();", vec![])
        .await
        .expect("reset stored preferences");

    wait_for_text(&driver, "Your wallet isn't set up yet").await;
    screenshot(&driver, "01-home").await;

    for (index, (tab, title, empty)) in SCREENS.iter().enumerate() {
        click(&driver, tab).await;
        wait_for_text(&driver, title).await;
        wait_for_text(&driver, empty).await;
        screenshot(&driver, &format!("{:02}-{}", index + 2, tab.to_lowercase())).await;
    }

    click(&driver, "Settings").await;
    wait_for_text(&driver, "About Saifu").await;
    assert_eq!(
        fact(&driver, "App version").await,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(
        fact(&driver, "Core version").await,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(fact(&driver, "Platform").await, std::env::consts::OS);
    screenshot(&driver, "06-settings").await;

    click(&driver, "日本語").await;
    wait_for_text(&driver, "Saifu について").await;
    wait_for_text(&driver, "アプリのバージョン").await;
    screenshot(&driver, "07-settings-ja").await;
    click(&driver, "简体中文").await;
    wait_for_text(&driver, "关于 Saifu").await;
    click(&driver, "首页").await;
    wait_for_text(&driver, "钱包尚未开通").await;
    screenshot(&driver, "08-home-zh").await;
    click(&driver, "设置").await;
    click(&driver, "English").await;
    wait_for_text(&driver, "About Saifu").await;

    driver.quit().await.expect("end the WebDriver session");

    // A phone-size window: bottom tabs, Settings reached from Home's header.
    let driver = tauri_driver.open_app(&["--window-size=390x844"]).await;
    wait_for_text(&driver, "Your wallet isn't set up yet").await;
    let gear = driver
        .find(By::Css("[data-test='open-settings']"))
        .await
        .expect("settings button in Home's header");
    assert!(
        gear.is_displayed().await.expect("gear visibility"),
        "narrow windows open Settings from Home's header"
    );
    let settings_tab = driver
        .find(By::Css("nav .nav-settings"))
        .await
        .expect("settings nav item");
    assert!(
        !settings_tab.is_displayed().await.expect("nav visibility"),
        "the bottom tab bar has no Settings tab"
    );
    screenshot(&driver, "09-home-narrow").await;
    gear.click().await.expect("open settings from the header");
    wait_for_text(&driver, "About Saifu").await;
    click(&driver, "Scan").await;
    wait_for_text(&driver, "Scan a shop's QR code").await;
    screenshot(&driver, "10-scan-narrow").await;
    driver.quit().await.expect("end the WebDriver session");
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

/// The value shown beside a label in a definition list, such as "App version".
async fn fact(driver: &WebDriver, label: &str) -> String {
    driver
        .find(By::XPath(format!(
            "//dt[normalize-space()={}]/following-sibling::dd",
            saifu_tests::xpath_literal(label)
        )))
        .await
        .unwrap_or_else(|error| panic!("no {label:?} shown: {error}"))
        .text()
        .await
        .expect("read the value")
}
