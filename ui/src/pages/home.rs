//! Home: the balance, linked cards, recent activity, and whether this is live or saved;
//! until the wallet has paid a shop, a guide to doing so.

use saifu_ipc::{
    ActivityKind, Code, IpcError, Overview, OverviewRequest, PromotionsRequest,
    RecoverySavedRequest, RecoverySheetRequest, RecoverySheetView, StatusRequest,
};
use yew::prelude::*;

use crate::components::{ErrorNote, activity_row, card_tile};
use crate::format;
use crate::i18n::{Lang, Text};
use crate::ipc::{self, use_load};
use crate::state::{Action, Screen, use_app};

#[function_component(Home)]
pub fn home() -> Html {
    let app = use_app();
    let lang = app.lang;
    let overview = use_load(OverviewRequest {}, app.revision);
    let promotions = use_load(PromotionsRequest {}, app.revision);
    // Suspended while the app was closed: the first refusal says so, and the gate takes over.
    {
        let app = app.clone();
        let suspended =
            matches!(&*overview, Some(Err(error)) if error.code == Code::WalletSuspended);
        use_effect_with(suspended, move |suspended| {
            if *suspended {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(status) = ipc::call(&StatusRequest {}).await {
                        app.dispatch(Action::Status(status));
                    }
                });
            }
        });
    }
    let go = |screen: Screen| {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Navigate(screen)))
    };
    let Some(loaded) = &*overview else {
        return html! { <section class="wallet-hero skeleton" aria-busy="true"></section> };
    };
    let overview = match loaded {
        Ok(overview) => overview,
        Err(error) => {
            return html! { <section class="panel"><ErrorNote error={error.clone()} {lang} /></section> };
        }
    };
    let balance = overview
        .balance
        .map(|balance| format::money(lang, balance))
        .unwrap_or_else(|| "—".to_owned());
    html! {
        <div class="home-grid">
            if !overview.fresh {
                <p class="offline" role="status" data-test="offline">
                    { lang.text(Text::OfflineNote) }{ " " }{ format::date_time(lang, overview.as_of) }
                </p>
            }
            <div class="home-column">
            <section class="wallet-hero">
                <p class="wallet-hero-label">{ lang.text(Text::HomeBalance) }</p>
                <p class="wallet-hero-balance" data-test="balance">{ balance }</p>
                <div class="hero-actions">
                    <button class="hero-button" onclick={go(Screen::PayCode)} data-test="home-pay-code">{ lang.text(Text::PayCodeTitle) }</button>
                    <button class="hero-button" onclick={go(Screen::Scan)} data-test="home-scan">{ lang.text(Text::NavScan) }</button>
                    <button class="hero-button" onclick={go(Screen::Cards)} data-test="home-top-up">{ lang.text(Text::TopUp) }</button>
                </div>
            </section>
            <section class="panel home-cards">
                <h2 class="section-title">{ lang.text(Text::CardsTitle) }</h2>
                if overview.cards.is_empty() {
                    <p class="muted">{ lang.text(Text::HomeNoCards) }</p>
                    <button class="link" onclick={go(Screen::Cards)} data-test="home-add-card">{ lang.text(Text::AddCard) }</button>
                } else {
                    <div class="card-strip">{ for overview.cards.iter().map(card_tile) }</div>
                }
            </section>
            if let Some(Ok(promotions)) = &*promotions {
                if !promotions.is_empty() {
                    <section class="panel home-offers" data-test="offers-for-you">
                        <h2 class="section-title">{ lang.text(Text::PromotionsForYou) }</h2>
                        <ul class="offers">
                            { for promotions.iter().take(3).map(|promotion| html! {
                                <li>
                                    <span class="promotion-reward">{ lang.reward(&promotion.reward) }</span>
                                    if let Some(name) = lang.promotion_name(&promotion.name, &promotion.names) {
                                        <span class="muted">{ name }</span>
                                    }
                                </li>
                            }) }
                        </ul>
                        <button class="link" onclick={go(Screen::Promotions)}>{ lang.text(Text::SeeAll) }</button>
                    </section>
                }
            }
            </div>
            <div class="home-column">
            if !overview.has_paid {
                <FirstRunGuide overview={overview.clone()} />
            }
            if !overview.recovery_saved && overview.fresh {
                <RecoveryPanel />
            }
            <section class="panel home-recent">
                <h2 class="section-title">{ lang.text(Text::HomeRecent) }</h2>
                if overview.recent.is_empty() {
                    <p class="muted">{ lang.text(Text::HomeRecentEmpty) }</p>
                } else {
                    <ul class="activities" data-test="recent">
                        { for overview.recent.iter().take(5).map(|activity| activity_row(lang, activity)) }
                    </ul>
                }
            </section>
            </div>
        </div>
    }
}

/// The demo shops' static codes, as `saifu-server shop-codes` draws them from the demo data
/// (assets/demo-codes, served with the UI): (image, shop, city).
const DEMO_SHOPS: &[(&str, &str, &str)] = &[
    (
        "demo-codes/sh-lanxin-noodles.png",
        "Lanxin Noodle House",
        "Shanghai",
    ),
    (
        "demo-codes/sh-jingan-market.png",
        "Jing'an Fresh Market",
        "Shanghai",
    ),
    (
        "demo-codes/sh-bund-books.png",
        "Bund Books & Tea",
        "Shanghai",
    ),
    (
        "demo-codes/tyo-ginza-sushi.png",
        "Sushi Kanda Ginza",
        "Tokyo",
    ),
    ("demo-codes/tyo-akiba-denki.png", "Akiba Denki", "Tokyo"),
    (
        "demo-codes/osa-dotonbori-takoyaki.png",
        "Dotonbori Takoyaki",
        "Osaka",
    ),
];

/// Until the user says they saved it: the recovery sheet, its lock code (for the lock page,
/// from any browser) and its recovery code, to print or write down.
#[function_component(RecoveryPanel)]
fn recovery_panel() -> Html {
    let app = use_app();
    let lang = app.lang;
    let sheet = use_state(|| None::<Result<RecoverySheetView, IpcError>>);
    let onshow = {
        let sheet = sheet.clone();
        Callback::from(move |_| {
            let sheet = sheet.clone();
            wasm_bindgen_futures::spawn_local(async move {
                sheet.set(Some(ipc::call(&RecoverySheetRequest {}).await));
            });
        })
    };
    let onprint = Callback::from(|_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    });
    let onsaved = {
        let app = app.clone();
        Callback::from(move |_| {
            let app = app.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if ipc::call(&RecoverySavedRequest {}).await.is_ok() {
                    app.dispatch(Action::Changed);
                }
            });
        })
    };
    html! {
        <section class="panel recovery-sheet" data-test="recovery-sheet" aria-labelledby="recovery-title">
            <h2 class="section-title" id="recovery-title">{ lang.text(Text::RecoverySheetTitle) }</h2>
            <p class="muted">{ lang.text(Text::RecoverySheetBody) }</p>
            { match &*sheet {
                None => html! {
                    <button class="secondary" onclick={onshow} data-test="recovery-show">{ lang.text(Text::RecoverySheetShow) }</button>
                },
                Some(Err(error)) => html! { <ErrorNote error={error.clone()} {lang} /> },
                Some(Ok(sheet)) => html! {
                    <>
                        <p class="mono recovery-page" data-test="recovery-lock-page">{ &sheet.lock_page }</p>
                        <dl class="facts">
                            <div><dt>{ lang.text(Text::LockCode) }</dt><dd class="mono" data-test="recovery-lock-code">{ &sheet.lock_code }</dd></div>
                            <div><dt>{ lang.text(Text::RecoveryCode) }</dt><dd class="mono" data-test="recovery-code">{ &sheet.recovery_code }</dd></div>
                        </dl>
                        <div class="form-actions">
                            <button class="secondary" onclick={onprint}>{ lang.text(Text::RecoverySheetPrint) }</button>
                            <button class="primary" onclick={onsaved} data-test="recovery-saved">{ lang.text(Text::RecoverySheetSaved) }</button>
                        </div>
                    </>
                },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct GuideProps {
    overview: Overview,
}

/// Three steps to a first payment, each ticked off as it is done: a card, money, a shop.
#[function_component(FirstRunGuide)]
fn first_run_guide(props: &GuideProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let overview = &props.overview;
    let has_card = !overview.cards.is_empty();
    let has_money = overview.balance.is_some_and(|balance| balance.minor() > 0)
        || overview
            .recent
            .iter()
            .any(|activity| activity.kind == ActivityKind::TopUp);
    let to_cards = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Navigate(Screen::Cards)))
    };
    html! {
        <section class="panel guide" data-test="first-run-guide" aria-labelledby="guide-title">
            <h2 class="section-title" id="guide-title">{ lang.text(Text::GuideTitle) }</h2>
            <ol class="guide-steps">
                { step(lang, has_card, Text::GuideCardTitle, Text::GuideCardBody, html! {
                    if !has_card {
                        <button class="link" onclick={to_cards.clone()} data-test="guide-add-card">{ lang.text(Text::AddCard) }</button>
                    }
                }) }
                { step(lang, has_money, Text::GuideTopUpTitle, Text::GuideTopUpBody, html! {
                    if has_card && !has_money {
                        <button class="link" onclick={to_cards} data-test="guide-top-up">{ lang.text(Text::TopUp) }</button>
                    }
                }) }
                { step(lang, false, Text::GuideScanTitle, Text::GuideScanBody, html! {
                    <ul class="demo-shops">
                        { for DEMO_SHOPS.iter().map(|&(image, shop, city)| {
                            let onclick = {
                                let app = app.clone();
                                Callback::from(move |_| app.dispatch(Action::ScanImage(image)))
                            };
                            html! {
                                <li>
                                    <button class="demo-shop" {onclick} data-test="demo-shop">
                                        <img src={image} alt="" />
                                        <span>{ shop }<small>{ city }</small></span>
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>
                }) }
            </ol>
        </section>
    }
}

fn step(lang: Lang, done: bool, title: Text, body: Text, action: Html) -> Html {
    html! {
        <li class={classes!("guide-step", done.then_some("done"))} data-test={if done { "guide-step-done" } else { "guide-step" }}>
            <h3>{ lang.text(title) }</h3>
            <p>{ lang.text(body) }</p>
            { action }
        </li>
    }
}
