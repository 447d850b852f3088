//! The app frame: navigation (bottom tabs on narrow windows, a rail on wide ones), the top
//! bar, and the current screen.

use saifu_ipc::{IpcError, NotifyRequest, Pushed, Stage, StatusRequest, WALLET_EVENT};
use yew::prelude::*;

use crate::components::ErrorNote;
use crate::format;
use crate::i18n::{Lang, Text};
use crate::icons::{Icon, IconView};
use crate::ipc;
use crate::pages;
use crate::preferences;
use crate::state::{Action, AppContext, AppState, Screen, use_app};

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState::new(preferences::language()));
    use_effect_with(state.lang, |lang| {
        preferences::save_language(*lang);
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            // The document language picks Chinese or Japanese glyphs for shared characters.
            let _ = root.set_attribute("lang", lang.tag());
        }
    });

    // The wallet's stage decides between onboarding, the PIN and the app itself.
    let status_error = use_state(|| None::<IpcError>);
    {
        let state = state.clone();
        let status_error = status_error.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&StatusRequest {}).await {
                    Ok(status) => state.dispatch(Action::Status(status)),
                    Err(error) => status_error.set(Some(error)),
                }
            });
        });
    }

    // What changed elsewhere (another device, the service) refreshes the screens, and the
    // user hears of it in their language.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            ipc::listen(WALLET_EVENT, move |pushed: Pushed| {
                dispatcher.dispatch(Action::Changed);
                dispatcher.dispatch(Action::Pushed(pushed.clone()));
                if matches!(
                    pushed,
                    Pushed::DeviceLocked { this_device: true }
                        | Pushed::WalletSuspended
                        | Pushed::WalletResumed
                ) {
                    let dispatcher = dispatcher.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Ok(status) = ipc::call(&StatusRequest {}).await {
                            dispatcher.dispatch(Action::Status(status));
                        }
                    });
                }
                if let Some(request) = notification(preferences::language(), &pushed) {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = ipc::call(&request).await;
                    });
                }
            });
        });
    }

    let body = match (&state.status, &*status_error) {
        (_, Some(error)) => html! {
            <div class="gate"><ErrorNote error={error.clone()} lang={state.lang} /></div>
        },
        (None, None) => html! { <div class="gate" aria-busy="true"></div> },
        (Some(status), None) if status.stage != Stage::Ready => html! {
            <pages::gate::Gate status={status.clone()} />
        },
        (Some(_), None) => html! {
            <div class="shell">
                <Navigation />
                <div class="column">
                    <TopBar />
                    <main class={classes!("screen", state.screen.class())} aria-labelledby="screen-title">
                        { pages::render(state.screen) }
                    </main>
                    <pages::pay_code::ChargeConfirm />
                </div>
            </div>
        },
    };
    html! {
        <ContextProvider<AppContext> context={state.clone()}>
            { body }
        </ContextProvider<AppContext>>
    }
}

/// The OS notification for a pushed event, if it deserves one.
fn notification(lang: Lang, pushed: &Pushed) -> Option<NotifyRequest> {
    let (title, body) = match pushed {
        Pushed::PaymentSucceeded {
            merchant_name,
            merchant_local,
            paid,
        } => (
            lang.text(Text::NotifyPaid),
            format!(
                "{} · {}",
                format::money(lang, *paid),
                lang.shop_name(merchant_name, merchant_local.as_ref())
            ),
        ),
        Pushed::ToppedUp { amount, balance } => (
            lang.text(Text::NotifyToppedUp),
            format!(
                "+{} · {} {}",
                format::money(lang, *amount),
                lang.text(Text::HomeBalance),
                format::money(lang, *balance)
            ),
        ),
        Pushed::Refunded {
            merchant_name,
            merchant_local,
            returned,
        } => (
            lang.text(Text::NotifyRefunded),
            format!(
                "+{} · {}",
                format::money(lang, *returned),
                lang.shop_name(merchant_name, merchant_local.as_ref())
            ),
        ),
        Pushed::CardLinked { brand, last4 } => (
            lang.text(Text::NotifyCardLinked),
            format!("{} •••• {last4}", brand.name()),
        ),
        Pushed::DeviceLocked { this_device: true } => (
            lang.text(Text::DeviceLockedTitle),
            lang.text(Text::DeviceLockedBody).to_owned(),
        ),
        Pushed::DeviceLocked { this_device: false } => {
            (lang.text(Text::NotifyDeviceLocked), String::new())
        }
        Pushed::PayCodeConfirm {
            merchant_name,
            merchant_local,
            pay,
            ..
        } => (
            lang.text(Text::NotifyConfirmCharge),
            format!(
                "{} · {}",
                format::money(lang, *pay),
                lang.shop_name(merchant_name, merchant_local.as_ref())
            ),
        ),
        Pushed::WalletSuspended => (lang.text(Text::NotifySuspended), String::new()),
        Pushed::WalletResumed => (lang.text(Text::NotifyResumed), String::new()),
        Pushed::DeviceAdded { .. }
        | Pushed::PayCodeChargeEnded { .. }
        | Pushed::CardUnlinked
        | Pushed::CouponClaimed { .. }
        | Pushed::Missed => return None,
    };
    Some(NotifyRequest {
        title: title.to_owned(),
        body,
    })
}

#[function_component(TopBar)]
fn top_bar() -> Html {
    let app = use_app();
    let title = match app.screen {
        Screen::Home => Text::AppName,
        Screen::Cards => Text::CardsTitle,
        Screen::Scan => Text::ScanTitle,
        Screen::Promotions => Text::PromotionsTitle,
        Screen::History => Text::HistoryTitle,
        Screen::Settings => Text::SettingsTitle,
        Screen::PayCode => Text::PayCodeTitle,
    };
    let open_settings = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Navigate(Screen::Settings)))
    };
    html! {
        <header class="topbar">
            <h1 id="screen-title">{ app.lang.text(title) }</h1>
            if app.screen == Screen::Home {
                <button class="icon-button topbar-settings" aria-label={app.lang.text(Text::NavSettings)}
                        data-test="open-settings" onclick={open_settings}>
                    <IconView icon={Icon::Settings} />
                </button>
            }
        </header>
    }
}

#[function_component(Navigation)]
fn navigation() -> Html {
    let app = use_app();
    html! {
        <nav class="nav" aria-label={app.lang.text(Text::MainNavigation)}>
            <div class="nav-brand">
                <IconView icon={Icon::Wallet} />
                <span>{ app.lang.text(Text::AppName) }</span>
            </div>
            { for Screen::ALL.into_iter().map(|screen| {
                let current = app.screen == screen;
                let onclick = {
                    let app = app.clone();
                    Callback::from(move |_| app.dispatch(Action::Navigate(screen)))
                };
                let class = classes!(
                    "nav-item",
                    (screen == Screen::Scan).then_some("nav-scan"),
                    (screen == Screen::Settings).then_some("nav-settings"),
                );
                html! {
                    <button {class} {onclick} aria-current={current.then_some("page")}>
                        <IconView icon={screen.icon()} />
                        <span class="nav-label">{ app.lang.text(screen.label()) }</span>
                    </button>
                }
            }) }
        </nav>
    }
}
