use saifu_ipc::{AppInfo, AppInfoRequest, IpcError};
use yew::prelude::*;

use crate::i18n::{Lang, Text};
use crate::ipc;
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
            <About />
        </>
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
            <p class="error" role="alert">{ lang.text(Text::for_error(error.code)) }</p>
        },
        Some(Ok(info)) => html! {
            <dl class="facts">
                <div><dt>{ lang.text(Text::AboutAppVersion) }</dt><dd>{ &info.app_version }</dd></div>
                <div><dt>{ lang.text(Text::AboutCoreVersion) }</dt><dd>{ &info.core_version }</dd></div>
                <div><dt>{ lang.text(Text::AboutPlatform) }</dt><dd>{ &info.os }</dd></div>
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
