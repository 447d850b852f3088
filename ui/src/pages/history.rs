//! Every payment and top-up, newest first, a page at a time.

use saifu_ipc::{ActivityView, HistoryRequest, IpcError};
use yew::prelude::*;

use crate::components::{EmptyState, ErrorNote, activity_row};
use crate::i18n::Text;
use crate::icons::Icon;
use crate::ipc::{self, use_load};
use crate::state::use_app;

#[function_component(History)]
pub fn history() -> Html {
    let app = use_app();
    let lang = app.lang;
    let first = use_load(HistoryRequest { cursor: None }, app.revision);
    let more = use_state(Vec::<ActivityView>::new);
    let next = use_state(|| None::<Option<String>>);
    let error = use_state(|| None::<IpcError>);

    let (entries, cursor) = match &*first {
        None => return html! { <section class="panel skeleton tall" aria-busy="true"></section> },
        Some(Err(failure)) => {
            return html! { <section class="panel"><ErrorNote error={failure.clone()} {lang} /></section> };
        }
        Some(Ok(page)) => (
            page.entries
                .iter()
                .chain(more.iter())
                .cloned()
                .collect::<Vec<_>>(),
            next.as_ref()
                .cloned()
                .unwrap_or_else(|| page.next_cursor.clone()),
        ),
    };
    if entries.is_empty() {
        return html! { <EmptyState icon={Icon::History} title={Text::HistoryEmptyTitle} body={Text::HistoryEmptyBody} /> };
    }
    let load_more = cursor.map(|cursor| {
        let (more, next, error) = (more.clone(), next.clone(), error.clone());
        Callback::from(move |_| {
            let request = HistoryRequest {
                cursor: Some(cursor.clone()),
            };
            let (more, next, error) = (more.clone(), next.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&request).await {
                    Ok(page) => {
                        let mut all = (*more).clone();
                        all.extend(page.entries);
                        more.set(all);
                        next.set(Some(page.next_cursor));
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    });
    html! {
        <section class="panel">
            <ul class="activities" data-test="history">
                { for entries.iter().map(|activity| activity_row(lang, activity)) }
            </ul>
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} />
            }
            if let Some(onclick) = load_more {
                <button class="secondary" {onclick} data-test="history-more">{ lang.text(Text::LoadMore) }</button>
            }
        </section>
    }
}
