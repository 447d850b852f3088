//! The wallet's own pay code, for the cashier to scan: a barcode and a QR code of the same
//! 18 digits, made on the device with no network and renewed every 30 seconds; and the
//! question a till's charge above the no-PIN limit asks, with the PIN.

use saifu_ipc::{
    AnswerChargeRequest, CardView, FundingChoice, IpcError, OverviewRequest, PayCodeRequest,
    PayCodeSettingsRequest, PayCodeSettingsView, Pushed,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

use crate::components::{ErrorNote, Field, TypedAmount};
use crate::format;
use crate::i18n::{Lang, Text};
use crate::ipc::{self, use_load};
use crate::state::{Action, use_app};

fn now_seconds() -> i64 {
    // Whole seconds of the wall clock: a countdown's, never money.
    (js_sys::Date::now() / 1000.0) as i64
}

/// Unix seconds now, ticking every second while the component is shown.
#[hook]
fn use_clock() -> i64 {
    let now = use_state(now_seconds);
    {
        let now = now.clone();
        use_effect_with((), move |_| {
            let tick = Closure::<dyn Fn()>::new(move || now.set(now_seconds()));
            let window = web_sys::window();
            let interval = window.as_ref().and_then(|window| {
                window
                    .set_interval_with_callback_and_timeout_and_arguments_0(
                        tick.as_ref().unchecked_ref(),
                        1_000,
                    )
                    .ok()
            });
            move || {
                if let (Some(window), Some(interval)) = (window, interval) {
                    window.clear_interval_with_handle(interval);
                }
                drop(tick);
            }
        });
    }
    *now
}

/// The 18 digits in groups, as a cashier reads them aloud.
fn grouped(code: &str) -> String {
    let mut out = String::new();
    for (index, digit) in code.chars().enumerate() {
        if index > 0 && (index == 2 || (index > 2 && (index - 2) % 4 == 0)) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

#[function_component(PayCodeScreen)]
pub fn pay_code_screen() -> Html {
    let app = use_app();
    let lang = app.lang;
    let now = use_clock();
    // Renewed when the code's step ends and whenever money moved (a used code is spent).
    let renewals = use_state(|| 0_u32);
    let code = use_load(
        PayCodeRequest {},
        app.revision.wrapping_mul(65_521).wrapping_add(*renewals),
    );
    let overview = use_load(OverviewRequest {}, app.revision);
    let editing = use_state(|| false);
    {
        let renewals = renewals.clone();
        let expires_at = match &*code {
            Some(Ok(code)) => Some(code.expires_at),
            _ => None,
        };
        use_effect_with((now, expires_at), move |(now, expires_at)| {
            if expires_at.is_some_and(|expires_at| *now >= expires_at) {
                renewals.set(renewals.wrapping_add(1));
            }
        });
    }
    let Some(loaded) = &*code else {
        return html! { <section class="panel pay-code skeleton" aria-busy="true"></section> };
    };
    let code = match loaded {
        Ok(code) => code,
        Err(error) => {
            return html! { <section class="panel"><ErrorNote error={error.clone()} {lang} test="pay-code-error" /></section> };
        }
    };
    let cards = match &*overview {
        Some(Ok(overview)) => overview.cards.clone(),
        _ => Vec::new(),
    };
    let funding = match &code.settings.funding {
        FundingChoice::Balance => html! { lang.text(Text::FundingBalance) },
        FundingChoice::Card { card_id } => {
            card_name(cards.iter().find(|card| &card.card_id == card_id))
        }
    };
    let fallback = code
        .settings
        .fallback_card_id
        .as_ref()
        .map(|card_id| card_name(cards.iter().find(|card| &card.card_id == card_id)));
    let onedit = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(true))
    };
    let onsaved = {
        let (editing, renewals) = (editing.clone(), renewals.clone());
        Callback::from(move |()| {
            editing.set(false);
            renewals.set(renewals.wrapping_add(1));
        })
    };
    let oncancel = {
        let editing = editing.clone();
        Callback::from(move |()| editing.set(false))
    };
    let left = (code.expires_at - now).clamp(0, 30);
    html! {
        <div class="pay-code-layout">
            <section class="panel pay-code" data-test="pay-code">
                <p class="muted">{ lang.text(Text::PayCodeHint) }</p>
                <div class="pay-code-barcode" data-test="pay-code-barcode">
                    { Html::from_html_unchecked(AttrValue::from(code.barcode_svg.clone())) }
                </div>
                <p class="pay-code-digits mono" data-test="pay-code-digits" aria-label={lang.text(Text::PayCodeDigits)}>{ grouped(&code.code) }</p>
                <div class="pay-code-qr" data-test="pay-code-qr">
                    { Html::from_html_unchecked(AttrValue::from(code.qr_svg.clone())) }
                </div>
                <p class="pay-code-countdown" role="timer" data-test="pay-code-countdown">
                    { lang.text(Text::PayCodeRefreshesIn) }{ " " }{ lang.seconds_left(left) }
                </p>
                <progress max="30" value={left.to_string()} aria-hidden="true"></progress>
                <dl class="facts">
                    <div><dt>{ lang.text(Text::PayCodePaysWith) }</dt><dd data-test="pay-code-funding">{ funding }</dd></div>
                    if let Some(fallback) = fallback {
                        <div><dt>{ lang.text(Text::PayCodeFallback) }</dt><dd data-test="pay-code-fallback">{ fallback }</dd></div>
                    }
                    <div><dt>{ lang.text(Text::PayCodeNoPinUpTo) }</dt><dd data-test="pay-code-limit">{ format::money(lang, code.settings.no_pin_limit) }</dd></div>
                </dl>
                if *editing {
                    <SettingsForm settings={code.settings.clone()} {cards} {onsaved} {oncancel} />
                } else {
                    <button class="secondary" onclick={onedit} data-test="pay-code-edit">{ lang.text(Text::PayCodeChange) }</button>
                }
                <p class="muted" data-test="pay-code-offline">{ lang.text(Text::PayCodeOffline) }</p>
            </section>
            if let Some(Pushed::PaymentSucceeded { merchant_name, merchant_local, paid }) = &app.paid {
                <section class="panel receipt" role="status" data-test="pay-code-paid">
                    <div class="receipt-mark">{ "✓" }</div>
                    <h2>{ lang.text(Text::PayCodePaid) }</h2>
                    <p class="pay-total"><strong data-test="pay-code-paid-amount">{ format::money(lang, *paid) }</strong></p>
                    <p class="pay-merchant">{ lang.shop_name(merchant_name, merchant_local.as_ref()) }</p>
                </section>
            }
        </div>
    }
}

/// A card as the user knows it: brand and last four digits.
fn card_name(card: Option<&CardView>) -> Html {
    match card {
        Some(card) => {
            html! { <>{ card.brand.name() }{ " " }<span class="nowrap">{ format!("•••• {}", card.last4) }</span></> }
        }
        None => html! { "—" },
    }
}

#[derive(Properties, PartialEq)]
struct SettingsFormProps {
    settings: PayCodeSettingsView,
    cards: Vec<CardView>,
    onsaved: Callback<()>,
    oncancel: Callback<()>,
}

/// How the pay code pays: the balance or a card, a card for when the balance is short,
/// and the most paid without the PIN.
#[function_component(SettingsForm)]
fn settings_form(props: &SettingsFormProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let funding = use_state(|| props.settings.funding.clone());
    let fallback = use_state(|| props.settings.fallback_card_id.clone());
    let limit = use_state(|| props.settings.no_pin_limit.to_decimal_string());
    let error = use_state(|| None::<IpcError>);
    let currency = props.settings.no_pin_limit.currency();
    let typed = TypedAmount::read(lang, &limit, Some(currency));
    let ready = typed.ready();
    let onsubmit = {
        let (funding, fallback, error, onsaved) = (
            funding.clone(),
            fallback.clone(),
            error.clone(),
            props.onsaved.clone(),
        );
        let to_send = typed.to_send.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = PayCodeSettingsRequest {
                funding: (*funding).clone(),
                fallback_card_id: match *funding {
                    FundingChoice::Balance => (*fallback).clone(),
                    FundingChoice::Card { .. } => None,
                },
                no_pin_limit: to_send.clone(),
            };
            let (error, onsaved) = (error.clone(), onsaved.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&request).await {
                    Ok(_) => onsaved.emit(()),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let choice = |choice: FundingChoice, label: Html, test: String| {
        let selected = *funding == choice;
        let onchange = {
            let funding = funding.clone();
            Callback::from(move |_| funding.set(choice.clone()))
        };
        html! {
            <label class={classes!("funding", selected.then_some("selected"))}>
                <input type="radio" name="pay-code-funding" checked={selected} {onchange} data-test={test} />
                <span class="funding-name">{ label }</span>
            </label>
        }
    };
    let onfallback = {
        let fallback = fallback.clone();
        Callback::from(move |event: Event| {
            let value = event
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            fallback.set((!value.is_empty()).then_some(value));
        })
    };
    let onlimit = {
        let limit = limit.clone();
        Callback::from(move |value: String| limit.set(value))
    };
    let oncancel = props.oncancel.reform(|_: MouseEvent| ());
    html! {
        <form class="pay-code-settings" {onsubmit} data-test="pay-code-settings">
            <fieldset class="fundings">
                <legend>{ lang.text(Text::PayCodePaysWith) }</legend>
                { choice(FundingChoice::Balance, html! { lang.text(Text::FundingBalance) }, "pay-code-balance".into()) }
                { for props.cards.iter().map(|card| choice(
                    FundingChoice::Card { card_id: card.card_id.clone() },
                    card_name(Some(card)),
                    format!("pay-code-card-{}", card.last4),
                )) }
            </fieldset>
            if *funding == FundingChoice::Balance && !props.cards.is_empty() {
                <div class="field">
                    <label for="pay-code-fallback">{ lang.text(Text::PayCodeFallback) }</label>
                    <select id="pay-code-fallback" onchange={onfallback} data-test="pay-code-fallback-choice">
                        <option value="" selected={fallback.is_none()}>{ lang.text(Text::PayCodeNoFallback) }</option>
                        { for props.cards.iter().map(|card| html! {
                            <option value={card.card_id.clone()} selected={fallback.as_deref() == Some(card.card_id.as_str())}>
                                { format!("{} •••• {}", card.brand.name(), card.last4) }
                            </option>
                        }) }
                    </select>
                </div>
            }
            <Field label={format!("{} ({})", lang.text(Text::PayCodeNoPinUpTo), currency.code())} value={(*limit).clone()}
                   oninput={onlimit} test="pay-code-limit-input" inputmode={typed.keypad.clone()} note={typed.note.clone()}
                   invalid={typed.note.is_some()} />
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} test="pay-code-settings-error" />
            }
            <div class="form-actions">
                <button type="button" class="secondary" onclick={oncancel}>{ lang.text(Text::Cancel) }</button>
                <button class="primary" type="submit" disabled={!ready} data-test="pay-code-save">{ lang.text(Text::Save) }</button>
            </div>
        </form>
    }
}

/// A till's charge above the no-PIN limit: the shop and the amount, confirmed with the PIN
/// or declined; shown over whatever screen is open until answered or ended.
#[function_component(ChargeConfirm)]
pub fn charge_confirm() -> Html {
    let app = use_app();
    let lang: Lang = app.lang;
    let pin = use_state(String::new);
    let error = use_state(|| None::<IpcError>);
    let busy = use_state(|| false);
    let Some(Pushed::PayCodeConfirm {
        charge_id,
        merchant_name,
        merchant_local,
        pay,
        discount,
        ..
    }) = &app.charge
    else {
        return html! {};
    };
    let answer = |approve: bool| {
        let (app, pin, error, busy, charge_id) = (
            app.clone(),
            pin.clone(),
            error.clone(),
            busy.clone(),
            charge_id.clone(),
        );
        move || {
            let request = AnswerChargeRequest {
                charge_id: charge_id.clone(),
                approve,
                pin: approve.then(|| (*pin).clone()),
            };
            let (app, pin, error, busy) = (app.clone(), pin.clone(), error.clone(), busy.clone());
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let answered = ipc::call(&request).await;
                busy.set(false);
                pin.set(String::new());
                match answered {
                    Ok(_) => app.dispatch(Action::ChargeAnswered),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        }
    };
    let onsubmit = {
        let approve = answer(true);
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            approve();
        })
    };
    let ondecline = {
        let decline = answer(false);
        Callback::from(move |_: MouseEvent| decline())
    };
    let onpin = {
        let pin = pin.clone();
        Callback::from(move |value: String| {
            pin.set(value.chars().filter(char::is_ascii_digit).take(6).collect())
        })
    };
    let shop = lang.shop_name(merchant_name, merchant_local.as_ref());
    let amount = format::money(lang, *pay);
    html! {
        <div class="dialog-backdrop">
            <form class="panel pay-sheet dialog" role="dialog" aria-modal="true" aria-labelledby="charge-title"
                  data-test="charge-confirm" {onsubmit} aria-busy={busy.then_some("true")}>
                <h2 id="charge-title">{ lang.text(Text::ConfirmChargeTitle) }</h2>
                <p class="pay-merchant" data-test="charge-question">{ lang.confirm_charge(&amount, shop) }</p>
                if discount.minor() > 0 {
                    <p class="saving-note">{ format!("{} {}", lang.text(Text::PayYouSave), format::money(lang, *discount)) }</p>
                }
                <Field label={lang.text(Text::PayPin)} value={(*pin).clone()} oninput={onpin} test="charge-pin" kind="password"
                       inputmode="numeric" autocomplete="current-password" maxlength="6" />
                if let Some(failure) = &*error {
                    <ErrorNote error={failure.clone()} {lang} test="charge-error" />
                }
                <div class="form-actions">
                    <button type="button" class="secondary" onclick={ondecline} disabled={*busy} data-test="charge-decline">{ lang.text(Text::ConfirmChargeDecline) }</button>
                    <button class="primary" type="submit" disabled={pin.len() != 6 || *busy} data-test="charge-approve">
                        { format!("{} {}", lang.text(Text::ConfirmChargeApprove), amount) }
                    </button>
                </div>
            </form>
        </div>
    }
}
