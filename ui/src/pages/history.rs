//! Every payment and top-up, newest first, a page at a time.

use saifu_ipc::{ActivityKind, ActivityView, HistoryRequest, IpcError};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::{EmptyState, ErrorNote, activity_content, use_wide};
use crate::format;
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
    let selected = use_state(|| None::<String>);
    let wide = use_wide();

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
    let shown = selected
        .as_ref()
        .and_then(|id| entries.iter().find(|activity| &activity.activity_id == id))
        .cloned();
    // Closing the entry hands the keyboard back to the line it was opened from.
    let close = {
        let selected = selected.clone();
        Callback::from(move |_| {
            if let Some(id) = selected.as_ref() {
                focus(&format!("[data-activity='{id}']"));
            }
            selected.set(None);
        })
    };
    let detail = shown.map(|activity| html! { <ActivityDetail {activity} onclose={close} /> });
    let list = html! {
        <section class="panel">
            if !wide { { detail.clone() } }
            <ul class="activities" data-test="history">
                { for entries.iter().map(|activity| {
                    let onclick = {
                        let (selected, id) = (selected.clone(), activity.activity_id.clone());
                        Callback::from(move |_| selected.set(Some(id.clone())))
                    };
                    let current = selected.as_deref() == Some(activity.activity_id.as_str());
                    html! {
                        <li>
                            <button class="activity activity-button" {onclick} aria-current={current.then_some("true")}
                                    data-activity={activity.activity_id.clone()} data-test="history-entry">
                                { activity_content(lang, activity) }
                            </button>
                        </li>
                    }
                }) }
            </ul>
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} />
            }
            if let Some(onclick) = load_more {
                <button class="secondary" {onclick} data-test="history-more">{ lang.text(Text::LoadMore) }</button>
            }
        </section>
    };
    if !wide {
        return list;
    }
    // Wide windows keep the list beside the entry chosen from it.
    let detail = detail.unwrap_or_else(|| {
        html! { <section class="panel pane-placeholder"><p>{ lang.text(Text::HistoryPickEntry) }</p></section> }
    });
    html! {
        <div class="two-pane history-panes">
            <div class="pane">{ list }</div>
            <div class="pane">{ detail }</div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct DetailProps {
    activity: ActivityView,
    onclose: Callback<MouseEvent>,
}

/// One entry in full: what, how much, when, and the reference to quote to support.
#[function_component(ActivityDetail)]
fn activity_detail(props: &DetailProps) -> Html {
    let lang = use_app().lang;
    let activity = &props.activity;
    // Opening an entry takes the keyboard there, as a dialog does.
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with(activity.activity_id.clone(), move |_| {
            if let Some(element) = dialog.cast::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
        });
    }
    let kind = match activity.kind {
        ActivityKind::Payment => Text::ActivityPayment,
        ActivityKind::TopUp => Text::ActivityTopUp,
        ActivityKind::Refund => Text::ActivityRefund,
    };
    html! {
        <section class="activity-detail" data-test="activity-detail" role="dialog" aria-labelledby="activity-detail-title"
                 ref={dialog} tabindex="-1">
            <h2 id="activity-detail-title">{ lang.activity_title(activity) }</h2>
            <dl class="facts">
                <div><dt>{ lang.text(Text::ActivityAmount) }</dt><dd>{ format::signed_money(lang, activity.amount) }</dd></div>
                <div><dt>{ lang.text(Text::ActivityKindLabel) }</dt><dd>{ lang.text(kind) }</dd></div>
                <div><dt>{ lang.text(Text::ReceiptTime) }</dt><dd>{ format::date_time(lang, activity.created_at) }</dd></div>
                <div><dt>{ lang.text(Text::ActivityReference) }</dt><dd class="mono" data-test="activity-reference">{ activity_reference(activity) }</dd></div>
                if let Some(payment_id) = &activity.payment_id {
                    <div><dt>{ lang.text(Text::ActivityRefundOf) }</dt><dd class="mono" data-test="activity-refund-of">{ payment_id }</dd></div>
                }
            </dl>
            <button class="secondary" onclick={props.onclose.clone()} data-test="activity-detail-close">{ lang.text(Text::Close) }</button>
        </section>
    }
}

/// The payment or top-up a line records, as its receipt names it; the line's own id for
/// lines written before they kept one.
fn activity_reference(activity: &ActivityView) -> &str {
    if activity.reference.is_empty() {
        &activity.activity_id
    } else {
        &activity.reference
    }
}

/// Moves the keyboard focus to the element `selector` finds, if any.
fn focus(selector: &str) {
    let found = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.query_selector(selector).ok().flatten())
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = found {
        let _ = element.focus();
    }
}
