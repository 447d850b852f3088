//! Scan and pay: a code from an image or pasted (one chosen when a picture holds several),
//! the amount when the code has none, the price with its rate, the funding choice, the PIN,
//! progress, and the receipt.

use std::rc::Rc;

use base64::Engine;
use saifu_core::money::{Currency, Money};
use saifu_core::qr;
use saifu_ipc::{
    AppInfoRequest, CAMERA_EVENTS_ARG, CameraEvent, CameraProblem, CameraStartRequest,
    CameraStopRequest, Code, IpcError, OfferView, PayRequest, QuoteRequest, QuoteView, ReceiptView,
    ScanImageRequest,
};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::{ErrorNote, Field, TypedAmount, use_wide};
use crate::format;
use crate::i18n::{Lang, Text};
use crate::icons::{Icon, IconView};
use crate::ipc::{self, use_load};
use crate::state::{Action, Screen, use_app};

/// Where the payment stands.
#[derive(Clone, PartialEq)]
enum Step {
    Capture,
    /// A picture held several codes: the payer picks one.
    Choose(Rc<[String]>),
    /// The code has no amount: the payer enters it, in the merchant's currency.
    Amount {
        payload: Rc<str>,
        merchant: Option<qr::Merchant>,
        currency: Option<String>,
    },
    Quoting,
    Confirm(Rc<QuoteView>),
    Paying(Rc<QuoteView>),
    Done(Rc<ReceiptView>),
}

#[function_component(Scan)]
pub fn scan() -> Html {
    let app = use_app();
    let lang = app.lang;
    let step = use_state(|| Step::Capture);
    let error = use_state(|| None::<IpcError>);
    let wide = use_wide();

    // What the price was last asked for, to ask again when it went stale before paying.
    let asked = use_mut_ref(|| None::<(Rc<str>, Option<String>)>);
    let renewed = use_state(|| false);
    // Asks for a price; a code without an amount asks the payer first.
    let quote = {
        let (step, error, asked) = (step.clone(), error.clone(), asked.clone());
        Callback::from(move |(payload, amount): (Rc<str>, Option<String>)| {
            let (step, error) = (step.clone(), error.clone());
            *asked.borrow_mut() = Some((payload.clone(), amount.clone()));
            step.set(Step::Quoting);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let request = QuoteRequest {
                    payload: payload.to_string(),
                    amount,
                };
                match ipc::call(&request).await {
                    Ok(quote) => step.set(Step::Confirm(Rc::new(quote))),
                    Err(failure) if failure.code == Code::AmountRequired => {
                        step.set(amount_step(payload));
                    }
                    Err(failure) => {
                        error.set(Some(failure));
                        step.set(Step::Capture);
                    }
                }
            });
        })
    };
    // A code the camera finds while a payment is under way waits for the next scan.
    let paying = use_mut_ref(|| false);
    *paying.borrow_mut() = matches!(&*step, Step::Paying(_));
    // The price expired or an offer in it ran out: the current price is asked for and
    // shown, with a word that it changed; nothing is paid until the payer confirms it.
    let requote = {
        let (quote, asked, renewed) = (quote.clone(), asked.clone(), renewed.clone());
        Callback::from(move |()| {
            // Cloned out first: asking again records the request, which borrows it anew.
            let request = asked.borrow().clone();
            if let Some(request) = request {
                quote.emit(request);
                renewed.set(true);
            }
        })
    };
    let scanned = {
        let (quote, step, error, renewed, paying) = (
            quote.clone(),
            step.clone(),
            error.clone(),
            renewed.clone(),
            paying.clone(),
        );
        Callback::from(move |payload: String| {
            if *paying.borrow() {
                return;
            }
            renewed.set(false);
            let payload: Rc<str> = payload.trim().into();
            match qr::parse(&payload) {
                Err(problem) => {
                    error.set(Some(IpcError::new(
                        Code::InvalidPaymentCode,
                        problem.to_string(),
                    )));
                }
                Ok(code) if code.summary().amount.is_none() && code.format() == "emv-mpm" => {
                    error.set(None);
                    step.set(amount_step(payload));
                }
                Ok(_) => quote.emit((payload, None)),
            }
        })
    };
    // The codes of one picture: one goes straight on, several are offered to choose from.
    let found = {
        let (scanned, step, error) = (scanned.clone(), step.clone(), error.clone());
        Callback::from(move |payloads: Vec<String>| {
            if *paying.borrow() {
                return;
            }
            match <[String; 1]>::try_from(payloads) {
                Ok([payload]) => scanned.emit(payload),
                Err(payloads) if payloads.is_empty() => {}
                Err(payloads) => {
                    error.set(None);
                    step.set(Step::Choose(payloads.into()));
                }
            }
        })
    };
    // A code image handed over from elsewhere (Home's demo shops) is read as a picked one.
    {
        let (app, found, error) = (app.clone(), found.clone(), error.clone());
        use_effect_with(app.code_image, move |image| {
            if let Some(image) = *image {
                app.dispatch(Action::ImageTaken);
                wasm_bindgen_futures::spawn_local(async move {
                    match read_image_at(image).await {
                        Ok(payloads) => found.emit(payloads),
                        Err(failure) => error.set(Some(failure)),
                    }
                });
            }
        });
    }
    let restart = {
        let (step, error, renewed) = (step.clone(), error.clone(), renewed.clone());
        Callback::from(move |_| {
            step.set(Step::Capture);
            error.set(None);
            renewed.set(false);
        })
    };

    let capture = html! { <Capture onscanned={found} error={error.setter()} /> };
    let sheet = match &*step {
        Step::Capture => None,
        Step::Choose(payloads) => Some(html! {
            <ChooseCode payloads={payloads.clone()} onchoose={scanned} oncancel={restart.clone()} />
        }),
        Step::Amount {
            payload,
            merchant,
            currency,
        } => Some(html! {
            <AmountEntry payload={payload.clone()} merchant={merchant.clone()} currency={currency.clone()}
                         onquote={quote.clone()} oncancel={restart.clone()} />
        }),
        Step::Quoting => Some(
            html! { <section class="panel skeleton tall" aria-busy="true" data-test="quoting"></section> },
        ),
        Step::Confirm(quote_view) | Step::Paying(quote_view) => Some(html! {
            <>
                // Said over the new price only, never over the stale one being left.
                if *renewed && matches!(&*step, Step::Confirm(_)) {
                    <p class="panel notice" role="status" data-test="price-renewed">{ lang.text(Text::PriceRenewed) }</p>
                }
                <Confirm quote={quote_view.clone()} paying={matches!(&*step, Step::Paying(_))}
                         step={step.setter()} oncancel={restart.clone()} onstale={requote.clone()} />
            </>
        }),
        Step::Done(receipt) => Some(html! { <Receipt receipt={receipt.clone()} /> }),
    };
    let error = error.as_ref().map(|failure| {
        html! { <section class="panel"><ErrorNote error={failure.clone()} {lang} test="scan-error" /></section> }
    });
    // Wide windows keep the scanner beside the pay sheet; narrow ones show one at a time.
    if wide {
        let sheet = sheet.unwrap_or_else(|| {
            html! { <section class="panel pane-placeholder" data-test="pay-sheet-placeholder"><p>{ lang.text(Text::ScanSheetPlaceholder) }</p></section> }
        });
        html! {
            <div class="two-pane">
                <div class="pane" data-test="scan-pane">{ error }{ capture }</div>
                <div class="pane" data-test="sheet-pane">{ sheet }</div>
            </div>
        }
    } else {
        html! { <>{ error }{ sheet.unwrap_or(capture) }</> }
    }
}

fn amount_step(payload: Rc<str>) -> Step {
    let summary = qr::parse(&payload).ok().map(|code| code.summary());
    Step::Amount {
        merchant: summary.as_ref().and_then(|s| s.merchant.clone()),
        currency: summary
            .as_ref()
            .and_then(|s| s.currency)
            .map(|c| c.code().to_owned()),
        payload,
    }
}

/// What the desktop camera shows.
#[derive(Clone, PartialEq)]
enum CameraView {
    Starting,
    /// The latest preview frame, a `data:` URL.
    Live(String),
    Unavailable(CameraProblem),
}

#[derive(Properties, PartialEq)]
struct CaptureProps {
    /// The codes of one picture, or the one pasted.
    onscanned: Callback<Vec<String>>,
    error: UseStateSetter<Option<IpcError>>,
}

/// The ways a code comes in: the camera (none in this build), an image, or pasted text.
#[function_component(Capture)]
fn capture(props: &CaptureProps) -> Html {
    let lang = use_app().lang;
    let pasted = use_state(String::new);
    let reading = use_state(|| false);
    let onfile = {
        let (onscanned, error, reading) = (
            props.onscanned.clone(),
            props.error.clone(),
            reading.clone(),
        );
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            let (onscanned, error, reading) = (onscanned.clone(), error.clone(), reading.clone());
            reading.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = read_image(file.array_buffer()).await;
                reading.set(false);
                match outcome {
                    Ok(payloads) => onscanned.emit(payloads),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let onpaste = {
        let pasted = pasted.clone();
        Callback::from(move |event: InputEvent| {
            pasted.set(event.target_unchecked_into::<HtmlTextAreaElement>().value());
        })
    };
    let onsubmit = {
        let (pasted, onscanned) = (pasted.clone(), props.onscanned.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            onscanned.emit(vec![(*pasted).clone()]);
        })
    };
    // Phones read codes with the system's camera screen; desktops stream their camera here.
    let info = use_load(AppInfoRequest {}, 0);
    let on_phone = matches!(&*info, Some(Ok(info)) if info.os == "android" || info.os == "ios");
    let camera = use_state(|| CameraView::Starting);
    {
        let (camera, onscanned) = (camera.clone(), props.onscanned.clone());
        use_effect_with(on_phone, move |&on_phone| {
            if !on_phone {
                wasm_bindgen_futures::spawn_local(async move {
                    let shown = camera.clone();
                    let started = ipc::call_with_channel(
                        &CameraStartRequest {},
                        CAMERA_EVENTS_ARG,
                        move |event: CameraEvent| match event {
                            CameraEvent::Preview { data_url } => {
                                shown.set(CameraView::Live(data_url))
                            }
                            CameraEvent::Found { payloads } => onscanned.emit(payloads),
                            // The shell logs the camera's own words; the screen words the problem.
                            CameraEvent::Unavailable { problem, .. } => {
                                shown.set(CameraView::Unavailable(problem));
                            }
                        },
                    )
                    .await;
                    if started.is_err() {
                        camera.set(CameraView::Unavailable(CameraProblem::Failed));
                    }
                });
            }
            // Leaving the scan screen releases the camera.
            move || {
                if !on_phone {
                    wasm_bindgen_futures::spawn_local(async {
                        let _ = ipc::call(&CameraStopRequest {}).await;
                    });
                }
            }
        });
    }
    let onphonecamera = {
        let (onscanned, error) = (props.onscanned.clone(), props.error.clone());
        Callback::from(move |_| {
            let (onscanned, error) = (onscanned.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::scan_with_phone_camera().await {
                    Ok(payload) => onscanned.emit(vec![payload]),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let (title, body) = match &*camera {
        CameraView::Unavailable(CameraProblem::NoCamera) => (
            Text::NoCameraTitle,
            lang.text(Text::NoCameraBody).to_owned(),
        ),
        CameraView::Unavailable(CameraProblem::PermissionDenied) => (
            Text::CameraDeniedTitle,
            lang.text(Text::CameraDeniedBody).to_owned(),
        ),
        CameraView::Unavailable(CameraProblem::Busy) => (
            Text::CameraBusyTitle,
            lang.text(Text::CameraBusyBody).to_owned(),
        ),
        CameraView::Unavailable(CameraProblem::Failed) => (
            Text::CameraFailedTitle,
            lang.text(Text::CameraFailedBody).to_owned(),
        ),
        CameraView::Starting | CameraView::Live(_) => (Text::CameraStarting, String::new()),
    };
    html! {
        <>
            if on_phone {
                <section class="camera-off">
                    <IconView icon={Icon::Scan} class="empty-icon" />
                    <button class="primary" onclick={onphonecamera} data-test="scan-camera">{ lang.text(Text::ScanWithCamera) }</button>
                </section>
            } else if let CameraView::Live(frame) = &*camera {
                <section class="viewfinder" data-test="viewfinder">
                    <img src={frame.clone()} alt={lang.text(Text::CameraViewfinder)} />
                    <p>{ lang.text(Text::CameraAim) }</p>
                </section>
            }
            <section class={classes!("camera-off", (on_phone || matches!(&*camera, CameraView::Live(_))).then_some("hidden"))}
                     data-test={if matches!(&*camera, CameraView::Unavailable(CameraProblem::NoCamera)) { "no-camera" } else { "camera-state" }}>
                <IconView icon={Icon::Scan} class="empty-icon" />
                <h2>{ lang.text(title) }</h2>
                <p>{ body }</p>
                <label class="primary file-button">
                    { lang.text(if *reading { Text::ReadingImage } else { Text::ScanFromImage }) }
                    <input type="file" accept="image/png,image/jpeg,image/webp" onchange={onfile} data-test="scan-file" />
                </label>
            </section>
            <form class="panel" {onsubmit}>
                <label class="section-title" for="pasted-code">{ lang.text(Text::PasteCode) }</label>
                <textarea id="pasted-code" rows="3" value={(*pasted).clone()} oninput={onpaste} data-test="scan-paste"
                          placeholder="000201…" spellcheck="false" />
                <button class="secondary" type="submit" disabled={pasted.trim().is_empty()} data-test="scan-submit">
                    { lang.text(Text::Continue) }
                </button>
            </form>
        </>
    }
}

/// The codes the shell reads in the image at `url`, one of the app's own.
async fn read_image_at(url: &str) -> Result<Vec<String>, IpcError> {
    let unreadable = |_| IpcError::new(Code::NotAnImage, "the image could not be fetched");
    let window = web_sys::window().ok_or_else(|| unreadable(wasm_bindgen::JsValue::NULL))?;
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
            .await
            .map_err(unreadable)?
            .unchecked_into();
    read_image(response.array_buffer().map_err(unreadable)?).await
}

/// Every code the shell reads in the image whose bytes `buffer` will hold, at least one.
async fn read_image(buffer: js_sys::Promise) -> Result<Vec<String>, IpcError> {
    let unreadable = |_| IpcError::new(Code::NotAnImage, "the file could not be read");
    let buffer = wasm_bindgen_futures::JsFuture::from(buffer)
        .await
        .map_err(unreadable)?;
    let bytes = js_sys::Uint8Array::new(buffer.unchecked_ref()).to_vec();
    let request = ScanImageRequest {
        image_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    };
    let scanned = ipc::call(&request).await?;
    if scanned.payloads.is_empty() {
        return Err(IpcError::new(Code::NoCode, "no code in the image"));
    }
    Ok(scanned.payloads)
}

#[derive(Properties, PartialEq)]
struct ChooseProps {
    payloads: Rc<[String]>,
    onchoose: Callback<String>,
    oncancel: Callback<MouseEvent>,
}

/// One picture, several codes (a counter with two shops' codes, a poster of many): each is
/// offered by the shop it names, or by its start when it names none.
#[function_component(ChooseCode)]
fn choose_code(props: &ChooseProps) -> Html {
    let lang = use_app().lang;
    let choices = props.payloads.iter().map(|payload| {
        let summary = qr::parse(payload).ok().map(|code| code.summary());
        let shop = summary.as_ref().and_then(|summary| {
            let merchant = summary.merchant.as_ref()?;
            Some(lang.shop_name(merchant.name.as_deref()?, merchant.local.as_ref()).to_owned())
        });
        let label = shop.unwrap_or_else(|| {
            let start: String = payload.chars().take(32).collect();
            if start.len() < payload.len() { format!("{start}…") } else { start }
        });
        let amount = summary.and_then(|summary| {
            let amount = Money::parse(summary.amount.as_deref()?, summary.currency?).ok()?;
            Some(format::money(lang, amount))
        });
        let onclick = {
            let (payload, onchoose) = (payload.clone(), props.onchoose.clone());
            Callback::from(move |_| onchoose.emit(payload.clone()))
        };
        html! {
            <li>
                <button type="button" class="secondary code-choice" {onclick} data-test="code-choice">
                    <span>{ label }</span>
                    if let Some(amount) = amount {
                        <span class="amount">{ amount }</span>
                    }
                </button>
            </li>
        }
    });
    html! {
        <section class="panel pay-sheet" data-test="choose-code">
            <h2 class="section-title">{ lang.text(Text::ChooseCode) }</h2>
            <ul class="code-choices">{ for choices }</ul>
            <div class="form-actions">
                <button type="button" class="secondary" onclick={props.oncancel.clone()}>{ lang.text(Text::Cancel) }</button>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct AmountProps {
    payload: Rc<str>,
    merchant: Option<qr::Merchant>,
    currency: Option<String>,
    onquote: Callback<(Rc<str>, Option<String>)>,
    oncancel: Callback<MouseEvent>,
}

#[function_component(AmountEntry)]
fn amount_entry(props: &AmountProps) -> Html {
    let lang = use_app().lang;
    let amount = use_state(String::new);
    let oninput = {
        let amount = amount.clone();
        Callback::from(move |value: String| amount.set(value))
    };
    // Checked as typed where the code names its currency; the service checks it again.
    let currency = props
        .currency
        .as_deref()
        .and_then(|code| Currency::from_code(code).ok());
    let typed = TypedAmount::read(lang, &amount, currency);
    let ready = typed.ready();
    let onsubmit = {
        let to_send = typed.to_send;
        let (payload, onquote) = (props.payload.clone(), props.onquote.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            onquote.emit((payload.clone(), Some(to_send.clone())));
        })
    };
    let label = match &props.currency {
        Some(code) => format!("{} ({code})", lang.text(Text::PayAmount)),
        None => lang.text(Text::PayAmount).to_owned(),
    };
    html! {
        <form class="panel pay-sheet" data-test="amount-entry" {onsubmit}>
            if let Some(merchant) = &props.merchant {
                <p class="pay-merchant">{ lang.shop_name(merchant.name.as_deref().unwrap_or_default(), merchant.local.as_ref()) }</p>
            }
            <Field {label} value={(*amount).clone()} {oninput} test="pay-amount" inputmode={typed.keypad}
                   invalid={typed.note.is_some()} note={typed.note} />
            <div class="form-actions">
                <button type="button" class="secondary" onclick={props.oncancel.clone()}>{ lang.text(Text::Cancel) }</button>
                <button class="primary" type="submit" disabled={!ready} data-test="amount-continue">
                    { lang.text(Text::Continue) }
                </button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct ConfirmProps {
    quote: Rc<QuoteView>,
    paying: bool,
    step: UseStateSetter<Step>,
    oncancel: Callback<MouseEvent>,
    /// The price can no longer be paid as shown: ask for the current one.
    onstale: Callback<()>,
}

/// The moment of paying: who, how much, at what rate, which promotions, from where; the
/// PIN confirms. The cheapest way of paying is picked; the user may pick another.
#[function_component(Confirm)]
fn confirm(props: &ConfirmProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let chosen = use_state(|| 0_usize);
    let pin = use_state(String::new);
    let error = use_state(|| None::<IpcError>);
    let quote = &props.quote;
    let Some(offer) = quote.offers.get(*chosen).or(quote.offers.first()) else {
        return html! { <section class="panel"><p class="error">{ lang.text(Text::ErrorInternal) }</p></section> };
    };

    let onpin = {
        let pin = pin.clone();
        Callback::from(move |value: String| {
            pin.set(value.chars().filter(char::is_ascii_digit).take(6).collect())
        })
    };
    let onsubmit = {
        let (app, quote, funding, pin, error, step, onstale) = (
            app.clone(),
            quote.clone(),
            offer.funding.clone(),
            pin.clone(),
            error.clone(),
            props.step.clone(),
            props.onstale.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = PayRequest {
                quote_id: quote.quote_id.clone(),
                funding: funding.clone(),
                pin: (*pin).clone(),
            };
            let (app, quote, pin, error, step, onstale) = (
                app.clone(),
                quote.clone(),
                pin.clone(),
                error.clone(),
                step.clone(),
                onstale.clone(),
            );
            step.set(Step::Paying(quote.clone()));
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&request).await {
                    Ok(receipt) => {
                        app.dispatch(Action::Changed);
                        step.set(Step::Done(Rc::new(receipt)));
                    }
                    Err(failure)
                        if matches!(
                            failure.code,
                            Code::QuoteExpired | Code::OfferChanged | Code::FundingNotQuoted
                        ) =>
                    {
                        onstale.emit(());
                    }
                    Err(failure) => {
                        pin.set(String::new());
                        error.set(Some(failure));
                        step.set(Step::Confirm(quote));
                    }
                }
            });
        })
    };

    // A card's last four digits stay on one line with their dots.
    let label = |option: &OfferView| match &option.card {
        Some(card) => html! {
            <>{ card.brand.name() }{ " " }<span class="nowrap">{ format!("•••• {}", card.last4) }</span></>
        },
        None => html! { lang.text(Text::FundingBalance) },
    };
    let test_of = |option: &OfferView| match &option.card {
        Some(card) => format!("funding-card-{}", card.last4),
        None => "funding-balance".to_owned(),
    };
    let choices = quote.offers.iter().enumerate().map(|(index, option)| {
        let selected = index == *chosen;
        let onchange = {
            let chosen = chosen.clone();
            Callback::from(move |_| chosen.set(index))
        };
        html! {
            <label class={classes!("funding", selected.then_some("selected"))}>
                <input type="radio" name="funding" checked={selected} {onchange} data-test={test_of(option)} />
                <span class="funding-name">{ label(option) }</span>
                <span class="funding-price">
                    if index == 0 && quote.offers.len() > 1 { <span class="badge">{ lang.text(Text::BestPrice) }</span> }
                    { format::money(lang, option.pay) }
                </span>
            </label>
        }
    });
    let discounted = offer.discount.minor() > 0;
    html! {
        <form class="panel pay-sheet" data-test="pay-sheet" {onsubmit} aria-busy={props.paying.then_some("true")}>
            <p class="pay-merchant" data-test="pay-merchant">{ lang.shop_name(&quote.merchant_name, quote.merchant_local.as_ref()) }</p>
            <p class="muted">{ format!("{} · {}", lang.shop_city(&quote.merchant_city, quote.merchant_local.as_ref()), quote.merchant_country) }</p>
            <dl class="facts">
                <div><dt>{ lang.text(Text::PayPrice) }</dt>
                    <dd data-test="pay-price" class={classes!(discounted.then_some("struck"))}>
                        // A strike-through is not read out: say what the number is.
                        if discounted { <span class="visually-hidden">{ lang.text(Text::PriceBeforeDiscount) }{ " " }</span> }
                        { format::money(lang, quote.price) }
                    </dd></div>
                { for offer.applied.iter().map(|applied| html! {
                    <div class="saving" data-test="pay-promotion">
                        // Unnamed in this language, the offer goes by who gives it.
                        if let Some(name) = lang.promotion_name(&applied.name, &applied.names) {
                            <dt>{ name }<span class="funder">{ lang.funder(applied.funder) }</span></dt>
                        } else {
                            <dt>{ lang.funder(applied.funder) }</dt>
                        }
                        <dd>{ format!("\u{2212}{}", format::money(lang, applied.saving)) }</dd>
                    </div>
                }) }
                if let Some(rate) = &quote.rate {
                    <div><dt>{ lang.text(Text::PayRate) }</dt><dd data-test="pay-rate">{ lang.rate(rate) }</dd></div>
                }
            </dl>
            <p class="pay-total"><span>{ lang.text(Text::PayTotal) }</span><strong data-test="pay-total">{ format::money(lang, offer.pay) }</strong></p>
            if discounted {
                <p class="saving-note" data-test="pay-saving">{ format!("{} {}", lang.text(Text::PayYouSave), format::money(lang, offer.discount)) }</p>
            }
            <fieldset class="fundings">
                <legend>{ lang.text(Text::PayFrom) }</legend>
                { for choices }
            </fieldset>
            <Field label={lang.text(Text::PayPin)} value={(*pin).clone()} oninput={onpin} test="pay-pin" kind="password"
                   inputmode="numeric" autocomplete="current-password" maxlength="6" />
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} test="pay-error" />
            }
            if props.paying {
                <div class="progress" role="progressbar" aria-label={lang.text(Text::Paying)}></div>
            }
            <div class="form-actions">
                <button type="button" class="secondary" onclick={props.oncancel.clone()} disabled={props.paying}>{ lang.text(Text::Cancel) }</button>
                <button class="primary" type="submit" disabled={pin.len() != 6 || props.paying} data-test="pay-confirm">
                    { if props.paying { lang.text(Text::Paying).to_owned() } else { format!("{} {}", lang.text(Text::Pay), format::money(lang, offer.pay)) } }
                </button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct ReceiptProps {
    receipt: Rc<ReceiptView>,
}

#[function_component(Receipt)]
fn receipt(props: &ReceiptProps) -> Html {
    let app = use_app();
    let lang: Lang = app.lang;
    let receipt = &props.receipt;
    let done = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Navigate(Screen::Home)))
    };
    html! {
        <section class="panel receipt" data-test="receipt" role="status">
            <div class="receipt-mark">{ "✓" }</div>
            <h2>{ lang.text(Text::PaymentDone) }</h2>
            <p class="pay-total"><strong data-test="receipt-paid">{ format::money(lang, receipt.paid) }</strong></p>
            if receipt.discount.minor() > 0 {
                <p class="saving-note" data-test="receipt-saving">{ format!("{} {}", lang.text(Text::PayYouSave), format::money(lang, receipt.discount)) }</p>
            }
            <p class="pay-merchant" data-test="receipt-merchant">{ lang.shop_name(&receipt.merchant_name, receipt.merchant_local.as_ref()) }</p>
            <dl class="facts">
                <div><dt>{ lang.text(Text::PayPrice) }</dt><dd>{ format::money(lang, receipt.price) }</dd></div>
                { for receipt.applied.iter().map(|applied| html! {
                    <div class="saving"><dt>{ lang.promotion_name(&applied.name, &applied.names).unwrap_or(lang.funder(applied.funder)) }</dt><dd>{ format!("\u{2212}{}", format::money(lang, applied.saving)) }</dd></div>
                }) }
                if let Some(rate) = &receipt.rate {
                    <div><dt>{ lang.text(Text::PayRate) }</dt><dd>{ lang.rate(rate) }</dd></div>
                }
                <div><dt>{ lang.text(Text::ReceiptTime) }</dt><dd>{ format::date_time(lang, receipt.created_at) }</dd></div>
                <div><dt>{ lang.text(Text::ReceiptNumber) }</dt><dd class="mono">{ &receipt.payment_id }</dd></div>
            </dl>
            <button class="primary" onclick={done} data-test="receipt-done">{ lang.text(Text::Done) }</button>
        </section>
    }
}
