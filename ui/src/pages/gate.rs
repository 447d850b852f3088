//! Everything before the app proper: onboarding, the PIN at start, and the full-screen
//! states of a locked device or a lost key.

use saifu_core::money::Currency;
use saifu_ipc::{
    AppStatus, ForgetRequest, IpcError, OnboardRequest, ResumeRequest, Stage, UnlockRequest,
};
use yew::prelude::*;

use crate::components::{ErrorNote, Field};
use crate::i18n::Text;
use crate::icons::{Icon, IconView};
use crate::ipc;
use crate::state::{Action, use_app};

use saifu_core::money::HOME_CURRENCIES;

#[derive(Properties, PartialEq)]
pub struct GateProps {
    pub status: AppStatus,
}

#[function_component(Gate)]
pub fn gate(props: &GateProps) -> Html {
    let body = match props.status.stage {
        Stage::Welcome | Stage::Ready => {
            html! { <Onboarding service_url={props.status.service_url.clone()} keyring_ready={props.status.keyring_ready} /> }
        }
        Stage::Locked => {
            html! { <Unlock device_name={props.status.device_name.clone().unwrap_or_default()} /> }
        }
        Stage::KeyMissing => {
            html! { <Recovery title={Text::KeyMissingTitle} body={Text::KeyMissingBody} test="key-missing" /> }
        }
        Stage::DeviceLocked => {
            html! { <Recovery title={Text::DeviceLockedTitle} body={Text::DeviceLockedBody} test="device-locked" /> }
        }
        Stage::Suspended => html! { <Suspended /> },
    };
    html! { <div class="gate">{ body }</div> }
}

#[derive(Properties, PartialEq)]
struct OnboardingProps {
    service_url: String,
    keyring_ready: bool,
}

#[function_component(Onboarding)]
fn onboarding(props: &OnboardingProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let service_url = use_state(|| props.service_url.clone());
    let device_name = use_state(|| lang.text(Text::OnboardDefaultDeviceName).to_owned());
    let currency = use_state(|| "CNY");
    let pin = use_state(String::new);
    let pin_again = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<IpcError>);

    let set = |handle: &UseStateHandle<String>| {
        let handle = handle.clone();
        Callback::from(move |value: String| handle.set(value))
    };
    let digits_only = |handle: &UseStateHandle<String>| {
        let handle = handle.clone();
        Callback::from(move |value: String| {
            handle.set(value.chars().filter(char::is_ascii_digit).take(6).collect())
        })
    };
    let mismatch = pin_again.len() == 6 && *pin != *pin_again;
    let ready = props.keyring_ready
        && pin.len() == 6
        && *pin == *pin_again
        && !device_name.trim().is_empty()
        && !*busy;

    let onsubmit = {
        let (app, service_url, device_name, currency, pin, busy, error) = (
            app.clone(),
            service_url.clone(),
            device_name.clone(),
            currency.clone(),
            pin.clone(),
            busy.clone(),
            error.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = OnboardRequest {
                service_url: (*service_url).clone(),
                device_name: (*device_name).clone(),
                home_currency: Currency::from_code(*currency)
                    .expect("offered currencies are ISO codes"),
                pin: (*pin).clone(),
            };
            let (app, busy, error) = (app.clone(), busy.clone(), error.clone());
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&request).await {
                    Ok(status) => app.dispatch(Action::Status(status)),
                    Err(failure) => {
                        error.set(Some(failure));
                        busy.set(false);
                    }
                }
            });
        })
    };

    html! {
        <form class="onboarding panel" data-test="onboarding" {onsubmit}>
            <div class="gate-mark"><IconView icon={Icon::Wallet} /></div>
            <h1>{ lang.text(Text::OnboardTitle) }</h1>
            <p class="muted">{ lang.text(Text::OnboardBody) }</p>
            if !props.keyring_ready {
                <p class="error" role="alert" data-test="keyring-unavailable">{ lang.text(Text::ErrorKeyring) }</p>
            }
            <Field label={lang.text(Text::OnboardDeviceName)} value={(*device_name).clone()} oninput={set(&device_name)} test="device-name" maxlength="64" />
            <fieldset class="field">
                <legend>{ lang.text(Text::OnboardCurrency) }</legend>
                <div class="segmented">
                    { for HOME_CURRENCIES.into_iter().map(|code| {
                        let onclick = { let currency = currency.clone(); Callback::from(move |_| currency.set(code)) };
                        html! { <button type="button" aria-pressed={(*currency == code).to_string()} data-test={format!("currency-{code}")} {onclick}>{ code }</button> }
                    }) }
                </div>
            </fieldset>
            <Field label={lang.text(Text::OnboardPin)} value={(*pin).clone()} oninput={digits_only(&pin)} test="pin" kind="password" inputmode="numeric" autocomplete="new-password" maxlength="6" note={AttrValue::from(lang.text(Text::OnboardPinHint))} />
            <Field label={lang.text(Text::OnboardPinAgain)} value={(*pin_again).clone()} oninput={digits_only(&pin_again)} test="pin-again" kind="password" inputmode="numeric" autocomplete="new-password" maxlength="6"
                   invalid={mismatch} note={mismatch.then(|| AttrValue::from(lang.text(Text::OnboardPinMismatch)))} />
            <details class="advanced">
                <summary>{ lang.text(Text::OnboardAdvanced) }</summary>
                <Field label={lang.text(Text::OnboardService)} value={(*service_url).clone()} oninput={set(&service_url)} test="service-url" kind="url" />
            </details>
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} />
            }
            <button class="primary" type="submit" disabled={!ready} data-test="create-wallet">
                { lang.text(if *busy { Text::OnboardCreating } else { Text::OnboardCreate }) }
            </button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct UnlockProps {
    device_name: String,
}

#[function_component(Unlock)]
fn unlock(props: &UnlockProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let pin = use_state(String::new);
    let error = use_state(|| None::<IpcError>);
    let oninput = {
        let pin = pin.clone();
        Callback::from(move |value: String| {
            pin.set(value.chars().filter(char::is_ascii_digit).take(6).collect())
        })
    };
    let onsubmit = {
        let (app, pin, error) = (app.clone(), pin.clone(), error.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = UnlockRequest {
                pin: Some((*pin).clone()),
            };
            let (app, pin, error) = (app.clone(), pin.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&request).await {
                    Ok(status) => app.dispatch(Action::Status(status)),
                    Err(failure) => {
                        pin.set(String::new());
                        error.set(Some(failure));
                    }
                }
            });
        })
    };
    html! {
        <form class="onboarding panel" data-test="unlock-screen" {onsubmit}>
            <div class="gate-mark"><IconView icon={Icon::Wallet} /></div>
            <h1>{ lang.text(Text::UnlockTitle) }</h1>
            <p class="muted">{ &props.device_name }</p>
            <Field label={lang.text(Text::UnlockPin)} value={(*pin).clone()} {oninput} test="unlock-pin" kind="password" inputmode="numeric" autocomplete="current-password" maxlength="6" />
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} />
            }
            <button class="primary" type="submit" disabled={pin.len() != 6} data-test="unlock">{ lang.text(Text::UnlockButton) }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct RecoveryProps {
    title: Text,
    body: Text,
    test: AttrValue,
}

/// A device that cannot pay any more: what happened, and the way back.
#[function_component(Recovery)]
fn recovery(props: &RecoveryProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let error = use_state(|| None::<IpcError>);
    let onclick = {
        let (app, error) = (app.clone(), error.clone());
        Callback::from(move |_| {
            let (app, error) = (app.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&ForgetRequest {}).await {
                    Ok(status) => app.dispatch(Action::Status(status)),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    html! {
        <section class="onboarding panel" data-test={&props.test} role="alert">
            <div class="gate-mark warning"><IconView icon={Icon::Wallet} /></div>
            <h1>{ lang.text(props.title) }</h1>
            <p>{ lang.text(props.body) }</p>
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} />
            }
            <button class="primary" {onclick} data-test="set-up-again">{ lang.text(Text::SetUpAgain) }</button>
        </section>
    }
}

/// The wallet was locked with its lock code: this device keeps its key and waits for the
/// recovery code from the sheet.
#[function_component(Suspended)]
fn suspended() -> Html {
    let app = use_app();
    let lang = app.lang;
    let code = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<IpcError>);
    let onsubmit = {
        let (app, code, busy, error) = (app.clone(), code.clone(), busy.clone(), error.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = ResumeRequest {
                recovery_code: (*code).clone(),
            };
            let (app, busy, error) = (app.clone(), busy.clone(), error.clone());
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&request).await {
                    Ok(status) => app.dispatch(Action::Status(status)),
                    Err(failure) => {
                        error.set(Some(failure));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let oninput = {
        let code = code.clone();
        Callback::from(move |value: String| code.set(value))
    };
    html! {
        <form class="onboarding panel" data-test="suspended" role="alert" {onsubmit}>
            <div class="gate-mark warning"><IconView icon={Icon::Wallet} /></div>
            <h1>{ lang.text(Text::SuspendedTitle) }</h1>
            <p>{ lang.text(Text::SuspendedBody) }</p>
            <Field label={lang.text(Text::RecoveryCodeField)} value={(*code).clone()} {oninput} test="recovery-code-input"
                   autocomplete="off" placeholder="XXXX-XXXX-XXXX-XXXX-XXXX" />
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} test="resume-error" />
            }
            <button class="primary" type="submit" disabled={code.trim().is_empty() || *busy} data-test="resume">
                { lang.text(Text::ResumeWallet) }
            </button>
        </form>
    }
}
