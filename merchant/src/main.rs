//! The shop's console: a browser becomes a till with an invite, shows a code for the amount
//! the customer owes, hears the payment arrive (and says it aloud), lists the day's payments
//! and refunds, gives money back, and downloads the day's statement.

mod till;
mod words;

use std::collections::HashSet;
use std::rc::Rc;

use saifu_api::{Feed, FeedEntry, FeedFunding, Funder, RefundRequest, Summary, TillRole, paths};
use saifu_core::code::Code;
use saifu_core::money::Money;
use saifu_core::qr::emv::{EmvMpm, Shop};
use saifu_core::time::WallClock;
use till::{Problem, Till};
use wasm_bindgen::JsValue;
use web_sys::HtmlInputElement;
use words::{Lang, Text};
use yew::prelude::*;

/// How often the feed and the day's totals are asked for besides the shop's events.
const CATCH_UP_MILLIS: u32 = 5_000;
/// The pause before listening to the shop's events again after the stream broke.
const RECONNECT_MILLIS: u32 = 1_000;
/// How often an owner's list of tills is asked for again.
const TILLS_POLL_MILLIS: u32 = 3_000;
const LANGUAGE_KEY: &str = "saifu-console-language";
const SPEAK_KEY: &str = "saifu-console-speak";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn initial_lang() -> Lang {
    let stored = storage().and_then(|storage| storage.get_item(LANGUAGE_KEY).ok()?);
    let browser = web_sys::window().and_then(|window| window.navigator().language());
    stored
        .or(browser)
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En)
}

fn input_value(event: &InputEvent) -> String {
    event.target_unchecked_into::<HtmlInputElement>().value()
}

fn main() {
    yew::Renderer::<App>::new().render();
}

#[function_component]
fn App() -> Html {
    let lang = use_state(initial_lang);
    let till = use_state(|| None::<Till>);
    let loaded = use_state(|| false);
    let problem = use_state(|| None::<Problem>);
    {
        let (till, loaded, problem) = (till.clone(), loaded.clone(), problem.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match Till::load().await {
                    Ok(found) => till.set(found),
                    Err(error) => problem.set(Some(error)),
                }
                loaded.set(true);
            });
        });
    }
    {
        let tag = lang.tag();
        use_effect_with(tag, move |tag| {
            if let Some(root) = web_sys::window()
                .and_then(|window| window.document())
                .and_then(|document| document.document_element())
            {
                let _ = root.set_attribute("lang", tag);
            }
        });
    }
    let choose = {
        let lang = lang.clone();
        Callback::from(move |event: Event| {
            let tag = event
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Some(chosen) = Lang::from_tag(&tag) {
                if let Some(storage) = storage() {
                    let _ = storage.set_item(LANGUAGE_KEY, chosen.tag());
                }
                lang.set(chosen);
            }
        })
    };
    let on_enrolled = {
        let till = till.clone();
        Callback::from(move |enrolled: Till| till.set(Some(enrolled)))
    };
    let on_left = {
        let till = till.clone();
        Callback::from(move |()| till.set(None))
    };
    let lang = *lang;
    let body = match (&*till, *loaded) {
        (_, false) => html! {},
        (Some(till), true) => html! { <Console {lang} till={till.clone()} {on_left} /> },
        (None, true) => html! { <Enrol {lang} {on_enrolled} /> },
    };
    html! {
        <>
            <header class="top">
                <h1>{ lang.text(Text::Title) }</h1>
                <label class="language">
                    <span>{ lang.text(Text::Language) }</span>
                    <select onchange={choose} data-test="language">
                        { for Lang::ALL.iter().map(|option| html! {
                            <option value={option.tag()} selected={*option == lang}>{ option.native_name() }</option>
                        }) }
                    </select>
                </label>
            </header>
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ lang.problem(problem.0) }</p>
            }
            <main>{ body }</main>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct EnrolProps {
    lang: Lang,
    on_enrolled: Callback<Till>,
}

#[function_component]
fn Enrol(props: &EnrolProps) -> Html {
    let lang = props.lang;
    let code = use_state(String::new);
    let name = use_state(|| lang.text(Text::DefaultTillName).to_owned());
    let working = use_state(|| false);
    let problem = use_state(|| None::<Problem>);
    let submit = {
        let (code, name, working, problem) =
            (code.clone(), name.clone(), working.clone(), problem.clone());
        let on_enrolled = props.on_enrolled.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (code, name, working, problem) = (
                (*code).clone(),
                (*name).clone(),
                working.clone(),
                problem.clone(),
            );
            let on_enrolled = on_enrolled.clone();
            working.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match Till::enrol(&code, &name).await {
                    Ok(till) => on_enrolled.emit(till),
                    Err(error) => problem.set(Some(error)),
                }
                working.set(false);
            });
        })
    };
    html! {
        <form class="card enrol" onsubmit={submit} data-test="enrol">
            <h2>{ lang.text(Text::EnrolTitle) }</h2>
            <p class="muted">{ lang.text(Text::EnrolIntro) }</p>
            <label>
                <span>{ lang.text(Text::InviteCode) }</span>
                <input value={(*code).clone()} autocomplete="off" autocapitalize="characters" spellcheck="false"
                       oninput={let code = code.clone(); move |event: InputEvent| code.set(input_value(&event))}
                       data-test="invite-code" required=true />
            </label>
            <label>
                <span>{ lang.text(Text::TillName) }</span>
                <input value={(*name).clone()} maxlength="64"
                       oninput={let name = name.clone(); move |event: InputEvent| name.set(input_value(&event))}
                       data-test="till-name" required=true />
            </label>
            if let Some(problem) = &*problem {
                <p class="error" role="alert" data-test="enrol-error">{ lang.problem(problem.0) }</p>
            }
            <button type="submit" class="primary" disabled={*working} data-test="enrol-submit">
                { lang.text(if *working { Text::Working } else { Text::Enrol }) }
            </button>
        </form>
    }
}

/// What the console shows, changed only through [`Action`]s.
#[derive(Clone, Debug, Default, PartialEq)]
struct State {
    /// Newest first, each once.
    entries: Vec<FeedEntry>,
    seen: HashSet<String>,
    /// False until the first page is in: what was there before is not announced.
    caught_up: bool,
    summary: Option<Summary>,
    /// The code on screen for the customer: its payload and amount.
    code: Option<(String, Money)>,
    /// A payment that arrived while the code was up.
    paid: Option<FeedEntry>,
    /// The newest payment that arrived while the console was open: said aloud.
    announce: Option<FeedEntry>,
    /// An open refund: the payment, the amount typed, and the key its retries share.
    refund: Option<(String, String, String)>,
    problem: Option<Problem>,
}

enum Action {
    Feed(Feed),
    Summary(Box<Summary>),
    ShowCode(String, Money),
    CloseCode,
    OpenRefund(String, Money),
    RefundAmount(String),
    CloseRefund,
    Problem(Option<Problem>),
}

fn entry_id(entry: &FeedEntry) -> &str {
    match entry {
        FeedEntry::Payment { payment_id, .. } => payment_id,
        FeedEntry::Refund { refund_id, .. } => refund_id,
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut state = (*self).clone();
        match action {
            Action::Feed(feed) => {
                let arrived: Vec<FeedEntry> = feed
                    .entries
                    .iter()
                    .filter(|entry| !state.seen.contains(entry_id(entry)))
                    .cloned()
                    .collect();
                // A payment's refunded total changes: the page's copy is the newer.
                for entry in &feed.entries {
                    if let Some(old) = state
                        .entries
                        .iter_mut()
                        .find(|old| entry_id(old) == entry_id(entry))
                    {
                        *old = entry.clone();
                    }
                }
                for entry in arrived.iter().rev() {
                    state.seen.insert(entry_id(entry).to_owned());
                    state.entries.insert(0, entry.clone());
                }
                state
                    .entries
                    .sort_by_key(|entry| std::cmp::Reverse(entry.created_at()));
                if state.caught_up
                    && let Some(payment) = arrived
                        .iter()
                        .find(|entry| matches!(entry, FeedEntry::Payment { .. }))
                {
                    state.announce = Some(payment.clone());
                }
                // The code's payment: one of its amount, arrived while it is up.
                if state.caught_up
                    && let Some((_, amount)) = &state.code
                    && let Some(payment) = arrived.iter().find(
                        |entry| matches!(entry, FeedEntry::Payment { price, .. } if price == amount),
                    )
                {
                    state.paid = Some(payment.clone());
                }
                state.caught_up = true;
            }
            Action::Summary(summary) => state.summary = Some(*summary),
            Action::ShowCode(payload, amount) => {
                state.code = Some((payload, amount));
                state.paid = None;
            }
            Action::CloseCode => {
                state.code = None;
                state.paid = None;
            }
            Action::OpenRefund(payment_id, left) => {
                state.refund = Some((payment_id, left.to_decimal_string(), till::random_token()));
            }
            Action::RefundAmount(amount) => {
                if let Some(refund) = &mut state.refund {
                    refund.1 = amount;
                }
            }
            Action::CloseRefund => state.refund = None,
            Action::Problem(problem) => state.problem = problem,
        }
        Rc::new(state)
    }
}

/// The feed's first page and the day's totals, asked for now.
async fn refresh(till: Till, dispatcher: UseReducerDispatcher<State>) {
    match till.get::<Feed>(paths::FEED).await {
        Ok(feed) => {
            dispatcher.dispatch(Action::Feed(feed));
            dispatcher.dispatch(Action::Problem(None));
        }
        Err(problem) => dispatcher.dispatch(Action::Problem(Some(problem))),
    }
    if let Ok(summary) = till.get::<Summary>(paths::SUMMARY).await {
        dispatcher.dispatch(Action::Summary(Box::new(summary)));
    }
}

#[derive(Properties, PartialEq)]
struct ConsoleProps {
    lang: Lang,
    till: Till,
    on_left: Callback<()>,
}

#[function_component]
fn Console(props: &ConsoleProps) -> Html {
    let lang = props.lang;
    let till = props.till.clone();
    let state = use_reducer(State::default);
    let amount = use_state(String::new);
    let speak = use_state(|| {
        storage()
            .and_then(|storage| storage.get_item(SPEAK_KEY).ok()?)
            .is_none_or(|stored| stored != "off")
    });

    // The shop's events say when to ask for the feed and the day's totals again; asking
    // now and then besides catches up after a lost connection or a missed event. Entries
    // are kept by id, so none shows twice.
    {
        let (till, dispatcher) = (till.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            let running = Rc::new(std::cell::Cell::new(true));
            let (still, polling) = (running.clone(), (till.clone(), dispatcher.clone()));
            wasm_bindgen_futures::spawn_local(async move {
                while still.get() {
                    let heard = || {
                        let (till, dispatcher) = (till.clone(), dispatcher.clone());
                        wasm_bindgen_futures::spawn_local(refresh(till, dispatcher));
                    };
                    let _ = till.listen(heard).await;
                    gloo_timers::future::TimeoutFuture::new(RECONNECT_MILLIS).await;
                }
            });
            let still = running.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let (till, dispatcher) = polling;
                while still.get() {
                    refresh(till.clone(), dispatcher.clone()).await;
                    gloo_timers::future::TimeoutFuture::new(CATCH_UP_MILLIS).await;
                }
            });
            move || running.set(false)
        });
    }
    // Say each payment aloud as it arrives, in the console's language.
    {
        let (arrived, speak) = (state.announce.clone(), *speak);
        use_effect_with(arrived, move |arrived| {
            if let Some(FeedEntry::Payment { price, .. }) = arrived
                && speak
            {
                till::speak(&lang.spoken_payment(*price), lang.tag());
            }
        });
    }

    let shop = &till.shop.merchant;
    let currency = shop.currency;
    let show_code = {
        let (amount, dispatcher, shop) = (amount.clone(), state.dispatcher(), shop.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let typed = Money::parse_typed(amount.as_str(), currency)
                .ok()
                .filter(|money| money.minor() > 0)
                .and_then(|money| money.within_ceiling().ok());
            let Some(money) = typed else {
                dispatcher.dispatch(Action::Problem(Some(Problem(Code::AmountOutOfRange))));
                return;
            };
            match shop_code(&shop, Some(money)) {
                Ok(payload) => dispatcher.dispatch(Action::ShowCode(payload, money)),
                Err(_) => {
                    dispatcher.dispatch(Action::Problem(Some(Problem(Code::AmountOutOfRange))))
                }
            }
        })
    };
    let toggle_speak = {
        let speak = speak.clone();
        Callback::from(move |_| {
            let on = !*speak;
            if let Some(storage) = storage() {
                let _ = storage.set_item(SPEAK_KEY, if on { "on" } else { "off" });
            }
            speak.set(on);
        })
    };
    let sheet = use_state(|| false);
    let owner = till.shop.till.role == TillRole::Owner;
    let local = shop.local.as_ref().map(|local| local.name.clone());
    let role = lang.text(if owner { Text::Owner } else { Text::Staff });

    html! {
        <div class="console">
            <section class="shop">
                <h2 data-test="shop-name">{ &shop.name }
                    if let Some(local) = local { <span class="local">{ format!(" · {local}") }</span> }
                </h2>
                <p class="muted">{ format!("{} · {role}", till.shop.till.till_name) }</p>
                <label class="toggle">
                    <input type="checkbox" checked={*speak} onchange={toggle_speak} data-test="speak" />
                    <span>{ lang.text(Text::Speak) }</span>
                </label>
            </section>
            if let Some(problem) = &state.problem {
                <p class="error" role="alert" data-test="console-error">{ lang.problem(problem.0) }</p>
            }
            <form class="card take" onsubmit={show_code}>
                <h2>{ lang.text(Text::TakePayment) }</h2>
                <label>
                    <span>{ format!("{} ({})", lang.text(Text::Amount), currency) }</span>
                    <input inputmode={if currency.exponent() == 0 { "numeric" } else { "decimal" }} autocomplete="off"
                           value={(*amount).clone()} data-test="amount"
                           oninput={let amount = amount.clone(); move |event: InputEvent| amount.set(input_value(&event))} />
                </label>
                <button type="submit" class="primary" data-test="show-code">{ lang.text(Text::ShowCode) }</button>
            </form>
            <PayCodeCharge {lang} till={till.clone()} />
            { summary_view(lang, state.summary.as_ref()) }
            { feed_view(lang, owner, &state, &till, state.dispatcher()) }
            if owner {
                <Tills {lang} till={till.clone()} />
            }
            <div class="actions">
                <button class="secondary" data-test="print-sheet"
                        onclick={let sheet = sheet.clone(); move |_| sheet.set(true)}>{ lang.text(Text::PrintCode) }</button>
                if owner {
                    { statement_button(lang, &till, state.summary.as_ref(), state.dispatcher()) }
                }
            </div>
            <button class="link" onclick={
                let on_left = props.on_left.clone();
                move |_| {
                    let on_left = on_left.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if Till::forget().await.is_ok() {
                            on_left.emit(());
                        }
                    });
                }
            }>{ lang.text(Text::LeaveTill) }</button>
            if *sheet {
                { print_sheet(lang, shop, Callback::from({ let sheet = sheet.clone(); move |_| sheet.set(false) })) }
            }
            if let Some((payload, money)) = &state.code {
                { code_view(lang, shop, payload, *money, state.paid.as_ref(), state.dispatcher()) }
            }
        </div>
    }
}

fn code_view(
    lang: Lang,
    shop: &saifu_api::Merchant,
    payload: &str,
    amount: Money,
    paid: Option<&FeedEntry>,
    dispatcher: UseReducerDispatcher<State>,
) -> Html {
    let close = Callback::from(move |_| dispatcher.dispatch(Action::CloseCode));
    let body = match paid {
        Some(FeedEntry::Payment { price, funded, .. }) => html! {
            <div class="paid" role="status" data-test="paid">
                <p class="big">{ format!("{} {}", lang.text(Text::Paid), lang.money(*price)) }</p>
                { for funded.iter().filter(|share| share.amount.minor() > 0).map(|share| html! {
                    <p class="discount">{ format!("{} {} ({})", lang.text(Text::Discount), lang.money(share.amount), funder_words(lang, share.funder)) }</p>
                }) }
            </div>
        },
        _ => {
            let label = format!("{} {}", lang.text(Text::ScanToPay), lang.money(amount));
            let svg = saifu_core::draw::qr_svg(payload, &label).unwrap_or_default();
            html! {
                <>
                    <div class="qr" data-test="code" data-payload={payload.to_owned()}>
                        { Html::from_html_unchecked(AttrValue::from(svg)) }
                    </div>
                    <p class="big" data-test="code-amount">{ lang.money(amount) }</p>
                    <p>{ lang.text(Text::ScanToPay) }</p>
                    <p class="muted" role="status">{ lang.text(Text::Waiting) }</p>
                </>
            }
        }
    };
    html! {
        <div class="code-screen" role="dialog" aria-label={shop.name.clone()}>
            <p class="shop-on-code">{ &shop.name }</p>
            { body }
            <button class="secondary" onclick={close} data-test="close-code">{ lang.text(Text::Close) }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct PayCodeChargeProps {
    lang: Lang,
    till: Till,
}

/// Where a charge of a pay code stands.
#[derive(Clone, Debug, PartialEq)]
enum Charging {
    Idle,
    /// Sent; after a moment the customer may be confirming on their phone.
    Waiting,
    Paid(FeedEntry),
    Refused(Code),
}

/// Tries of a charge whose connection dropped, under its one idempotency key.
const CHARGE_TRIES: u32 = 3;
/// How often the camera's frame is read for a pay code.
const CAMERA_FRAME_MILLIS: u32 = 200;

/// The amount and code the cashier gave, and where the charge's state goes.
#[derive(Clone)]
struct ChargeForm {
    till: Till,
    amount: UseStateHandle<String>,
    code: UseStateHandle<String>,
    charging: UseStateHandle<Charging>,
}

impl ChargeForm {
    /// Charges `code` for the amount typed: checked here first (an amount above zero, the
    /// code's check digit), then sent, and retried under one idempotency key when the
    /// connection drops.
    fn charge(&self, code: &str) {
        let currency = self.till.shop.merchant.currency;
        let typed = Money::parse_typed(self.amount.as_str(), currency)
            .ok()
            .filter(|money| money.minor() > 0)
            .and_then(|money| money.within_ceiling().ok());
        let Some(money) = typed else {
            self.charging.set(Charging::Refused(Code::AmountOutOfRange));
            return;
        };
        if saifu_core::paycode::PayCode::parse(code).is_err() {
            self.charging.set(Charging::Refused(Code::PayCodeWrong));
            return;
        }
        let request = saifu_api::ChargePayCode {
            code: code.to_owned(),
            amount: money.to_decimal_string(),
        };
        let form = self.clone();
        form.charging.set(Charging::Waiting);
        wasm_bindgen_futures::spawn_local(async move {
            let key = till::random_token();
            let mut outcome = Err(Problem(Code::Unreachable));
            for _ in 0..CHARGE_TRIES {
                outcome = form
                    .till
                    .post::<FeedEntry>(paths::PAY_CODE_CHARGES, &request, Some(&key))
                    .await;
                if !matches!(outcome, Err(Problem(Code::Unreachable))) {
                    break;
                }
                gloo_timers::future::TimeoutFuture::new(1_000).await;
            }
            form.code.set(String::new());
            form.charging.set(match outcome {
                Ok(entry) => {
                    form.amount.set(String::new());
                    Charging::Paid(entry)
                }
                Err(problem) => Charging::Refused(problem.0),
            });
        });
    }
}

/// The customer's pay code, read by the browser's camera, by a handheld scanner (it types
/// the digits and Enter) or typed by hand, charged for the amount the cashier enters.
#[function_component]
fn PayCodeCharge(props: &PayCodeChargeProps) -> Html {
    let lang = props.lang;
    let form = ChargeForm {
        till: props.till.clone(),
        amount: use_state(String::new),
        code: use_state(String::new),
        charging: use_state(|| Charging::Idle),
    };
    let camera = use_state(|| false);
    let camera_failed = use_state(|| false);
    let video = use_node_ref();
    let currency = props.till.shop.merchant.currency;

    // While the camera is on, its frames are read until one holds a pay code: that code is
    // charged at once, as a scanner's beep would be.
    {
        let (form, camera, camera_failed, video) = (
            form.clone(),
            camera.clone(),
            camera_failed.clone(),
            video.clone(),
        );
        use_effect_with(*camera, move |on| {
            let running = Rc::new(std::cell::Cell::new(*on));
            let element: Option<JsValue> = video.get().map(JsValue::from);
            if let (true, Some(element)) = (*on, element.clone()) {
                let still = running.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if till::camera_start(&element).await.is_err() {
                        camera_failed.set(true);
                        camera.set(false);
                        return;
                    }
                    while still.get() {
                        if let Some(code) = till::pay_code_in_view(&element) {
                            camera.set(false);
                            form.code.set(code.clone());
                            form.charge(&code);
                            break;
                        }
                        gloo_timers::future::TimeoutFuture::new(CAMERA_FRAME_MILLIS).await;
                    }
                });
            }
            move || {
                running.set(false);
                if let Some(element) = element {
                    till::camera_stop(&element);
                }
            }
        });
    }

    let submit = {
        let form = form.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let code = (*form.code).clone();
            form.charge(&code);
        })
    };
    let toggle_camera = {
        let (camera, camera_failed) = (camera.clone(), camera_failed.clone());
        Callback::from(move |_| {
            camera_failed.set(false);
            camera.set(!*camera);
        })
    };
    let status = match &*form.charging {
        Charging::Idle => html! {},
        Charging::Waiting => html! {
            <p class="muted" role="status" data-test="charge-waiting">{ lang.text(Text::WaitingForCustomer) }</p>
        },
        Charging::Paid(FeedEntry::Payment { price, funded, .. }) => html! {
            <div class="paid" role="status" data-test="charge-paid">
                <p class="big">{ format!("{} {}", lang.text(Text::Paid), lang.money(*price)) }</p>
                { for funded.iter().filter(|share| share.amount.minor() > 0).map(|share| html! {
                    <p class="discount">{ format!("{} {} ({})", lang.text(Text::Discount), lang.money(share.amount), funder_words(lang, share.funder)) }</p>
                }) }
            </div>
        },
        Charging::Paid(_) => html! {},
        Charging::Refused(code) => html! {
            <p class="error" role="alert" data-test="charge-error">{ lang.problem(*code) }</p>
        },
    };
    let busy = *form.charging == Charging::Waiting;
    html! {
        <form class="card take" onsubmit={submit} data-test="pay-code-charge" aria-busy={busy.then_some("true")}>
            <h2>{ lang.text(Text::ChargePayCode) }</h2>
            <label>
                <span>{ format!("{} ({})", lang.text(Text::Amount), currency) }</span>
                <input inputmode={if currency.exponent() == 0 { "numeric" } else { "decimal" }} autocomplete="off"
                       value={(*form.amount).clone()} data-test="charge-amount"
                       oninput={let amount = form.amount.clone(); move |event: InputEvent| amount.set(input_value(&event))} />
            </label>
            <label>
                <span>{ lang.text(Text::PayCodeField) }</span>
                <input inputmode="numeric" autocomplete="off" maxlength="24" class="mono"
                       value={(*form.code).clone()} data-test="charge-code"
                       oninput={let code = form.code.clone(); move |event: InputEvent| code.set(input_value(&event))} />
            </label>
            <video ref={video} class={classes!("camera", (!*camera).then_some("hidden"))} data-test="charge-camera-view"
                   muted=true playsinline=true aria-label={lang.text(Text::ScanWithCamera)}></video>
            if *camera_failed {
                <p class="error" role="alert" data-test="camera-error">{ lang.text(Text::CameraUnavailable) }</p>
            }
            <div class="actions">
                <button type="button" class="secondary" onclick={toggle_camera} disabled={busy} data-test="charge-camera">
                    { lang.text(if *camera { Text::StopCamera } else { Text::ScanWithCamera }) }
                </button>
                <button type="submit" class="primary" disabled={busy} data-test="charge">
                    { lang.text(if busy { Text::Charging } else { Text::Charge }) }
                </button>
            </div>
            { status }
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct TillsProps {
    lang: Lang,
    till: Till,
}

/// An owner's view of the shop's tills: invite another, lock a lost one.
#[function_component]
fn Tills(props: &TillsProps) -> Html {
    let lang = props.lang;
    let tills = use_state(Vec::<saifu_api::Till>::new);
    let invite = use_state(|| None::<saifu_api::Invite>);
    let problem = use_state(|| None::<Problem>);
    let refresh = {
        let (till, tills, problem) = (props.till.clone(), tills.clone(), problem.clone());
        Callback::from(move |()| {
            let (till, tills, problem) = (till.clone(), tills.clone(), problem.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match till.get::<saifu_api::TillList>(paths::TILLS).await {
                    Ok(list) => {
                        tills.set(list.tills);
                        problem.set(None);
                    }
                    Err(error) => problem.set(Some(error)),
                }
            });
        })
    };
    // New tills enrol from other browsers: the list is asked for again now and then.
    {
        let refresh = refresh.clone();
        use_effect_with((), move |_| {
            let running = Rc::new(std::cell::Cell::new(true));
            let still = running.clone();
            wasm_bindgen_futures::spawn_local(async move {
                while still.get() {
                    refresh.emit(());
                    gloo_timers::future::TimeoutFuture::new(TILLS_POLL_MILLIS).await;
                }
            });
            move || running.set(false)
        });
    }
    let invite_staff = {
        let (till, invite, problem) = (props.till.clone(), invite.clone(), problem.clone());
        Callback::from(move |_| {
            let (till, invite, problem) = (till.clone(), invite.clone(), problem.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let asked = saifu_api::CreateInvite {
                    role: TillRole::Staff,
                };
                match till.post(paths::INVITES, &asked, None).await {
                    Ok(issued) => invite.set(Some(issued)),
                    Err(error) => problem.set(Some(error)),
                }
            });
        })
    };
    let lock = |till_id: String| {
        let (till, problem, refresh) = (props.till.clone(), problem.clone(), refresh.clone());
        Callback::from(move |_| {
            let (till, problem, refresh) = (till.clone(), problem.clone(), refresh.clone());
            let path = paths::till_lock(&till_id);
            wasm_bindgen_futures::spawn_local(async move {
                match till.post::<saifu_api::Till>(&path, &(), None).await {
                    Ok(_) => refresh.emit(()),
                    Err(error) => problem.set(Some(error)),
                }
            });
        })
    };
    html! {
        <section class="card tills" data-test="tills">
            <h2>{ lang.text(Text::Tills) }</h2>
            <ul>
                { for tills.iter().map(|each| html! {
                    <li class="entry" data-test="till" data-till-name={each.till_name.clone()}>
                        <span class="what">
                            <span>{ &each.till_name }</span>
                            <span class="muted">{ lang.text(match (each.this_till, each.locked_at, each.role) {
                                (true, _, _) => Text::ThisTill,
                                (_, Some(_), _) => Text::Locked,
                                (_, None, TillRole::Owner) => Text::Owner,
                                (_, None, TillRole::Staff) => Text::Staff,
                            }) }</span>
                        </span>
                        if !each.this_till && each.locked_at.is_none() {
                            <button class="secondary" data-test="lock-till" onclick={lock(each.till_id.clone())}>{ lang.text(Text::Lock) }</button>
                        }
                    </li>
                }) }
            </ul>
            <button class="secondary" data-test="invite-staff" onclick={invite_staff}>{ lang.text(Text::InviteStaff) }</button>
            if let Some(issued) = &*invite {
                <p role="status">{ lang.text(Text::InviteShown) }</p>
                <p class="invite-code" data-test="invite">{ &issued.code }</p>
            }
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ lang.problem(problem.0) }</p>
            }
        </section>
    }
}

/// The EMV code the shop shows: dynamic for `amount`, static without.
fn shop_code(
    shop: &saifu_api::Merchant,
    amount: Option<Money>,
) -> Result<String, saifu_core::qr::QrError> {
    let facts = Shop {
        merchant_id: &shop.merchant_id,
        name: &shop.name,
        city: &shop.city,
        country: &shop.country,
        mcc: &shop.mcc,
        currency: shop.currency,
        local: shop.local.as_ref(),
    };
    EmvMpm::for_shop(&facts, amount).encode()
}

/// The shop's static code on a sheet to print and stand on the counter: its name, and how
/// to pay in every language the console speaks, whichever it speaks now.
fn print_sheet(lang: Lang, shop: &saifu_api::Merchant, close: Callback<MouseEvent>) -> Html {
    let svg = shop_code(shop, None)
        .ok()
        .and_then(|payload| saifu_core::draw::qr_svg(&payload, &shop.name))
        .unwrap_or_default();
    let print = Callback::from(|_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    });
    html! {
        <div class="sheet-screen" data-test="sheet">
            <article class="sheet">
                <h2 class="sheet-name">{ &shop.name }</h2>
                if let Some(local) = &shop.local {
                    <p class="sheet-local" lang={local.language.clone()}>{ &local.name }</p>
                }
                <div class="qr">{ Html::from_html_unchecked(AttrValue::from(svg)) }</div>
                <ul class="sheet-how">
                    { for Lang::ALL.iter().map(|each| html! {
                        <li lang={each.tag()}>{ each.text(Text::ScanToPay) }</li>
                    }) }
                </ul>
            </article>
            <div class="sheet-actions">
                <button class="primary" onclick={print}>{ lang.text(Text::Print) }</button>
                <button class="secondary" onclick={close} data-test="close-sheet">{ lang.text(Text::Close) }</button>
            </div>
        </div>
    }
}

/// Who gave a discount, in words.
fn funder_words(lang: Lang, funder: Funder) -> &'static str {
    lang.text(match funder {
        Funder::Merchant => Text::ByShop,
        Funder::Issuer => Text::ByIssuer,
        Funder::Operator => Text::ByOperator,
    })
}

fn summary_view(lang: Lang, summary: Option<&Summary>) -> Html {
    let Some(summary) = summary else {
        return html! {};
    };
    let periods = [
        (Text::Today, &summary.today, "today"),
        (Text::ThisWeek, &summary.week, "week"),
        (Text::ThisMonth, &summary.month, "month"),
    ];
    let row = |label: String, test: &str, value: &dyn Fn(&saifu_api::Totals) -> String| {
        html! {
            <tr>
                <th scope="row">{ label }</th>
                { for periods.iter().map(|(_, totals, period)| html! {
                    <td data-test={format!("{period}-{test}")}>{ value(totals) }</td>
                }) }
            </tr>
        }
    };
    let funders = [Funder::Merchant, Funder::Issuer, Funder::Operator];
    let discount = |funder: Funder| {
        move |totals: &saifu_api::Totals| {
            let amount = totals
                .discounts
                .iter()
                .find(|share| share.funder == funder)
                .map_or(Money::zero(totals.sales.currency()), |share| share.amount);
            lang.money(amount)
        }
    };
    let best = summary
        .today_by_hour
        .iter()
        .map(|money| money.minor())
        .max()
        .unwrap_or(0)
        .max(1);
    html! {
        <section class="card takings" data-test="today">
            <h2>{ lang.text(Text::Takings) }</h2>
            // Focusable, so a keyboard can scroll it where it is narrower than the table.
            <div class="scroll-x" tabindex="0" role="region" aria-label={lang.text(Text::Takings)}>
            <table class="totals">
                <thead>
                    <tr><td></td>{ for periods.iter().map(|(label, ..)| html! { <th scope="col">{ lang.text(*label) }</th> }) }</tr>
                </thead>
                <tbody>
                    { row(lang.text(Text::Payments).to_owned(), "payments", &|totals| totals.payments.to_string()) }
                    { row(lang.text(Text::Sales).to_owned(), "sales", &|totals| lang.money(totals.sales)) }
                    { row(lang.text(Text::Refunds).to_owned(), "refunded", &|totals| lang.money(totals.refunded)) }
                    { for funders.iter().map(|funder| row(
                        format!("{} ({})", lang.text(Text::Discounts), funder_words(lang, *funder)),
                        "discount",
                        &discount(*funder),
                    )) }
                    { row(lang.text(Text::PromotedSales).to_owned(), "promoted", &|totals| lang.money(totals.promoted_sales)) }
                    <tr class="net">
                        <th scope="row">{ lang.text(Text::Net) }</th>
                        { for periods.iter().map(|(_, totals, period)| html! {
                            <td data-test={format!("{period}-net")}>{ lang.money(totals.net) }</td>
                        }) }
                    </tr>
                </tbody>
            </table>
            </div>
            <h3>{ lang.text(Text::ByHour) }</h3>
            <ol class="hours" data-test="by-hour">
                { for summary.today_by_hour.iter().enumerate().map(|(hour, sales)| {
                    let height = sales.minor() * 100 / best;
                    html! {
                        <li title={format!("{hour:02}:00 {}", lang.money(*sales))}
                            aria-label={format!("{hour:02}:00 {}", lang.money(*sales))}>
                            <span class="bar" style={format!("height: {height}%")}></span>
                            if hour % 6 == 0 { <span class="hour">{ format!("{hour:02}") }</span> }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

fn feed_view(
    lang: Lang,
    owner: bool,
    state: &State,
    till: &Till,
    dispatcher: UseReducerDispatcher<State>,
) -> Html {
    // On the shop's clock, as its statement and its hours are, whatever the browser's is.
    let clock = WallClock::new(
        state
            .summary
            .as_ref()
            .map_or(0, |summary| summary.utc_offset_minutes),
    );
    let time = |at: i64| {
        format!(
            "{} {:02}:{:02}",
            clock.date(at),
            clock.hour(at),
            clock.minute(at)
        )
    };
    let line = |entry: &FeedEntry| match entry {
        FeedEntry::Payment {
            payment_id,
            price,
            discount,
            funding,
            refunded,
            created_at,
            ..
        } => {
            let how = lang.text(match funding {
                FeedFunding::Balance => Text::ByBalance,
                FeedFunding::Card => Text::ByCard,
            });
            let left = price.checked_sub(*refunded).unwrap_or(*price);
            let open = state.refund.as_ref().filter(|(id, ..)| id == payment_id);
            let dispatcher = dispatcher.clone();
            html! {
                <li class="entry" data-test="feed-payment" data-payment={payment_id.clone()}>
                    <span class="what">
                        <span>{ format!("{} · {how}", lang.text(Text::PaymentLine)) }</span>
                        <span class="muted">{ time(*created_at) }</span>
                    </span>
                    <span class="amounts">
                        <span class="in">{ lang.money(*price) }</span>
                        if discount.minor() > 0 {
                            <span class="discount">{ format!("{} {}", lang.text(Text::Discount), lang.money(*discount)) }</span>
                        }
                        if refunded.minor() > 0 {
                            <span class="muted">{ format!("{} {}", lang.text(Text::Refunded), lang.money(*refunded)) }</span>
                        }
                    </span>
                    if owner && left.minor() > 0 && open.is_none() {
                        <button class="secondary" data-test="refund" onclick={
                            let (payment_id, dispatcher) = (payment_id.clone(), dispatcher.clone());
                            move |_| dispatcher.dispatch(Action::OpenRefund(payment_id.clone(), left))
                        }>{ lang.text(Text::Refund) }</button>
                    }
                    if let Some((payment_id, typed, key)) = open {
                        { refund_form(lang, till, payment_id, typed, key, price.currency(), dispatcher) }
                    }
                </li>
            }
        }
        FeedEntry::Refund {
            amount, created_at, ..
        } => html! {
            <li class="entry refund" data-test="feed-refund">
                <span class="what">
                    <span>{ lang.text(Text::RefundLine) }</span>
                    <span class="muted">{ time(*created_at) }</span>
                </span>
                <span class="amounts"><span class="out">{ format!("\u{2212}{}", lang.money(*amount)) }</span></span>
            </li>
        },
    };
    html! {
        <section class="card feed">
            <h2>{ lang.text(Text::Feed) }</h2>
            if state.entries.is_empty() {
                <p class="muted">{ lang.text(Text::FeedEmpty) }</p>
            } else {
                <ul data-test="feed">{ for state.entries.iter().map(line) }</ul>
            }
        </section>
    }
}

fn refund_form(
    lang: Lang,
    till: &Till,
    payment_id: &str,
    typed: &str,
    key: &str,
    currency: saifu_core::money::Currency,
    dispatcher: UseReducerDispatcher<State>,
) -> Html {
    let submit = {
        let (till, payment_id, typed, key, dispatcher) = (
            till.clone(),
            payment_id.to_owned(),
            typed.to_owned(),
            key.to_owned(),
            dispatcher.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let amount = match Money::parse_typed(&typed, currency) {
                Ok(amount) => amount.to_decimal_string(),
                Err(_) => {
                    dispatcher.dispatch(Action::Problem(Some(Problem(Code::AmountOutOfRange))));
                    return;
                }
            };
            let request = RefundRequest {
                payment_id: payment_id.clone(),
                amount,
            };
            let (till, key, dispatcher) = (till.clone(), key.clone(), dispatcher.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match till
                    .post::<saifu_api::Refund>(paths::REFUNDS, &request, Some(&key))
                    .await
                {
                    Ok(_) => {
                        dispatcher.dispatch(Action::CloseRefund);
                        refresh(till, dispatcher).await;
                    }
                    Err(problem) => dispatcher.dispatch(Action::Problem(Some(problem))),
                }
            });
        })
    };
    let cancel = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::CloseRefund))
    };
    let input = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: InputEvent| {
            dispatcher.dispatch(Action::RefundAmount(input_value(&event)))
        })
    };
    html! {
        <form class="refund-form" onsubmit={submit} data-test="refund-form">
            <label>
                <span>{ lang.text(Text::RefundAmount) }</span>
                <input value={typed.to_owned()} oninput={input} data-test="refund-amount" inputmode="decimal" />
            </label>
            <button type="submit" class="primary" data-test="refund-confirm">{ lang.text(Text::ConfirmRefund) }</button>
            <button type="button" class="secondary" onclick={cancel}>{ lang.text(Text::Cancel) }</button>
        </form>
    }
}

fn statement_button(
    lang: Lang,
    till: &Till,
    summary: Option<&Summary>,
    dispatcher: UseReducerDispatcher<State>,
) -> Html {
    let Some(offset) = summary.map(|summary| summary.utc_offset_minutes) else {
        return html! {};
    };
    let till = till.clone();
    let download = Callback::from(move |_| {
        let (till, dispatcher) = (till.clone(), dispatcher.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let now = (js_sys::Date::now() / 1000.0) as i64;
            let day = WallClock::new(offset).date(now);
            let path = format!("{}?day={day}", paths::STATEMENT);
            match till.get_text(&path).await {
                Ok(csv) => {
                    let name = format!("{}-{day}.csv", till.shop.merchant.merchant_id);
                    till::save_file(&name, "text/csv", &csv);
                }
                Err(problem) => dispatcher.dispatch(Action::Problem(Some(problem))),
            }
        });
    });
    html! {
        <button class="secondary" onclick={download} data-test="statement">{ lang.text(Text::Statement) }</button>
    }
}
