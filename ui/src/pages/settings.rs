use saifu_ipc::{
    AppInfo, AppInfoRequest, DevicesRequest, ForgetRequest, IpcError, LockDeviceRequest,
    UnlockRequest,
};
use yew::prelude::*;

use crate::components::ErrorNote;
use crate::format;
use crate::i18n::{Lang, Text};
use crate::ipc::{self, use_load};
use crate::state::{Action, use_app};

#[function_component(Settings)]
pub fn settings() -> Html {
    let app = use_app();
    let lang = app.lang;
    html! {
        <>
            <section class="panel">
                <h2 class="section-title" id="language-heading">{ lang.text(Text::SettingsLanguage) }</h2>
                <div class="segmented" role="group" aria-labelledby="language-heading">
                    { for Lang::ALL.into_iter().map(|choice| {
                        let onclick = {
                            let app = app.clone();
                            Callback::from(move |_| app.dispatch(Action::SetLanguage(choice)))
                        };
                        html! {
                            <button lang={choice.tag()} aria-pressed={(choice == lang).to_string()} {onclick}>
                                { choice.native_name() }
                            </button>
                        }
                    }) }
                </div>
            </section>
            <Devices />
            <Security />
            <About />
        </>
    }
}

/// The wallet's devices; a lost one is locked from here, at once and for good.
#[function_component(Devices)]
fn devices() -> Html {
    let app = use_app();
    let lang = app.lang;
    let revision = use_state(|| 0_u32);
    let devices = use_load(DevicesRequest {}, *revision);
    let error = use_state(|| None::<IpcError>);
    let list = match &*devices {
        None => html! { <p class="muted">{ lang.text(Text::Loading) }</p> },
        Some(Err(failure)) => html! { <ErrorNote error={failure.clone()} {lang} /> },
        Some(Ok(devices)) => html! {
            <ul class="devices">
                { for devices.iter().map(|device| {
                    let lock = (!device.this_device && device.locked_at.is_none()).then(|| {
                        let (revision, error, device_id) = (revision.clone(), error.clone(), device.device_id.clone());
                        Callback::from(move |_| {
                            let request = LockDeviceRequest { device_id: device_id.clone() };
                            let (revision, error) = (revision.clone(), error.clone());
                            wasm_bindgen_futures::spawn_local(async move {
                                match ipc::call(&request).await {
                                    Ok(_) => revision.set(revision.wrapping_add(1)),
                                    Err(failure) => error.set(Some(failure)),
                                }
                            });
                        })
                    });
                    let state = match (device.this_device, device.locked_at) {
                        (true, _) => lang.text(Text::ThisDevice).to_owned(),
                        (false, Some(at)) => format!("{} {}", lang.text(Text::LockedOn), format::date_time(lang, at)),
                        (false, None) => format!("{} {}", lang.text(Text::AddedOn), format::date_time(lang, device.registered_at)),
                    };
                    html! {
                        <li class="device" data-test="device" data-device-name={device.device_name.clone()}>
                            <span class="device-text">
                                <span class="device-name">{ &device.device_name }</span>
                                <span class="muted">{ state }</span>
                            </span>
                            if let Some(onclick) = lock {
                                <button class="secondary danger" {onclick} data-test="lock-device">{ lang.text(Text::LockDevice) }</button>
                            }
                        </li>
                    }
                }) }
            </ul>
        },
    };
    html! {
        <section class="panel" data-test="devices">
            <h2 class="section-title">{ lang.text(Text::DevicesTitle) }</h2>
            <p class="muted">{ lang.text(Text::DevicesBody) }</p>
            { list }
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} />
            }
        </section>
    }
}

/// Locking the app behind the PIN, and removing the wallet from this device.
#[function_component(Security)]
fn security() -> Html {
    let app = use_app();
    let lang = app.lang;
    let status_call = |forget: bool| {
        let app = app.clone();
        Callback::from(move |_| {
            let app = app.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let status = if forget {
                    ipc::call(&ForgetRequest {}).await
                } else {
                    ipc::call(&UnlockRequest { pin: None }).await
                };
                if let Ok(status) = status {
                    app.dispatch(Action::Status(status));
                }
            });
        })
    };
    html! {
        <section class="panel">
            <h2 class="section-title">{ lang.text(Text::SecurityTitle) }</h2>
            <div class="form-actions start">
                <button class="secondary" onclick={status_call(false)} data-test="lock-app">{ lang.text(Text::LockApp) }</button>
                <button class="secondary danger" onclick={status_call(true)} data-test="forget-wallet">{ lang.text(Text::ForgetWallet) }</button>
            </div>
            <p class="muted">{ lang.text(Text::ForgetWalletBody) }</p>
        </section>
    }
}

/// The shell's own account of itself: proves the UI <-> shell round trip.
#[function_component(About)]
fn about() -> Html {
    let lang = use_app().lang;
    let info = use_state(|| None::<Result<AppInfo, IpcError>>);
    {
        let info = info.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                info.set(Some(ipc::call(&AppInfoRequest {}).await));
            });
        });
    }
    let body = match &*info {
        None => html! { <p class="muted">{ lang.text(Text::Loading) }</p> },
        Some(Err(error)) => html! {
            <ErrorNote error={error.clone()} {lang} />
        },
        Some(Ok(info)) => html! {
            <dl class="facts">
                <div><dt>{ lang.text(Text::AboutAppVersion) }</dt><dd>{ &info.app_version }</dd></div>
                <div><dt>{ lang.text(Text::AboutCoreVersion) }</dt><dd>{ &info.core_version }</dd></div>
                <div><dt>{ lang.text(Text::AboutPlatform) }</dt><dd>{ platform_name(&info.os) }</dd></div>
            </dl>
        },
    };
    html! {
        <section class="panel" data-test="about">
            <h2 class="section-title">{ lang.text(Text::AboutTitle) }</h2>
            { body }
        </section>
    }
}

/// The platform as its maker names it, from the shell's identifier ("linux", "macos").
fn platform_name(os: &str) -> &str {
    match os {
        "linux" => "Linux",
        "windows" => "Windows",
        "macos" => "macOS",
        "android" => "Android",
        "ios" => "iOS",
        other => other,
    }
}
