//! Linked cards: link one (brand, check digit and expiry checked as the user types), top
//! up the balance from one, unlink one.

use saifu_core::card::{Brand, Expiry, Pan, luhn_valid};
use saifu_core::money::Currency;
use saifu_ipc::{
    CardView, IpcError, LinkCardRequest, OverviewRequest, TopUpRequest, UnlinkCardRequest,
};
use yew::prelude::*;

use crate::components::{EmptyState, ErrorNote, Field, TypedAmount, card_tile};
use crate::format;
use crate::i18n::{Lang, Text};
use crate::icons::Icon;
use crate::ipc::{self, use_load};
use crate::state::{Action, use_app};

#[function_component(Cards)]
pub fn cards() -> Html {
    let app = use_app();
    let lang = app.lang;
    let overview = use_load(OverviewRequest {}, app.revision);
    let adding = use_state(|| false);
    let open_form = {
        let adding = adding.clone();
        Callback::from(move |_| adding.set(true))
    };
    let close_form = {
        let adding = adding.clone();
        Callback::from(move |()| adding.set(false))
    };
    let list = match &*overview {
        None => html! { <div class="card-tile skeleton" aria-busy="true"></div> },
        Some(Err(error)) => html! { <ErrorNote error={error.clone()} {lang} /> },
        Some(Ok(overview)) if overview.cards.is_empty() && !*adding => html! {
            <EmptyState icon={Icon::Cards} title={Text::CardsEmptyTitle} body={Text::CardsEmptyBody} />
        },
        Some(Ok(overview)) => html! {
            <>{ for overview.cards.iter().map(|card| html! {
                <LinkedCard key={card.card_id.clone()} card={card.clone()} currency={overview.balance.map(|balance| balance.currency())} />
            }) }</>
        },
    };
    html! {
        <>
            { list }
            if *adding {
                <AddCard done={close_form} />
            } else {
                <button class="primary" onclick={open_form} data-test="add-card">{ lang.text(Text::AddCard) }</button>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct LinkedCardProps {
    card: CardView,
    /// The wallet's currency, which top-ups are in; unknown while offline with no cache.
    currency: Option<Currency>,
}

/// One card, with top-up and unlink.
#[function_component(LinkedCard)]
fn linked_card(props: &LinkedCardProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let amount = use_state(String::new);
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Result<String, IpcError>>);
    let card_id = props.card.card_id.clone();
    let typed = TypedAmount::read(lang, &amount, props.currency);
    let ready = typed.ready() && !*busy;
    let to_send = typed.to_send;
    let ontopup = {
        let (app, amount, busy, outcome, card_id) = (
            app.clone(),
            amount.clone(),
            busy.clone(),
            outcome.clone(),
            card_id.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = TopUpRequest {
                card_id: card_id.clone(),
                amount: to_send.clone(),
            };
            let (app, amount, busy, outcome) =
                (app.clone(), amount.clone(), busy.clone(), outcome.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&request).await {
                    Ok(done) => {
                        let lang = app.lang;
                        outcome.set(Some(Ok(format!(
                            "{} {} · {} {}",
                            lang.text(Text::ToppedUp),
                            format::money(lang, done.amount),
                            lang.text(Text::HomeBalance),
                            format::money(lang, done.balance),
                        ))));
                        amount.set(String::new());
                        app.dispatch(Action::Changed);
                    }
                    Err(error) => outcome.set(Some(Err(error))),
                }
                busy.set(false);
            });
        })
    };
    let onunlink = {
        let (app, outcome) = (app.clone(), outcome.clone());
        Callback::from(move |_| {
            let request = UnlinkCardRequest {
                card_id: card_id.clone(),
            };
            let (app, outcome) = (app.clone(), outcome.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::call(&request).await {
                    Ok(_) => app.dispatch(Action::Changed),
                    Err(error) => outcome.set(Some(Err(error))),
                }
            });
        })
    };
    let set_amount = {
        let amount = amount.clone();
        Callback::from(move |value: String| amount.set(value))
    };
    html! {
        <section class="panel linked-card">
            { card_tile(&props.card) }
            <form class="inline-form" onsubmit={ontopup}>
                <Field label={lang.text(Text::TopUpAmount)} value={(*amount).clone()} oninput={set_amount}
                       test="top-up-amount" inputmode={typed.keypad}
                       invalid={typed.note.is_some()} note={typed.note} />
                <button class="primary" type="submit" disabled={!ready} data-test="top-up">
                    { lang.text(Text::TopUp) }
                </button>
            </form>
            { match &*outcome {
                Some(Ok(text)) => html! { <p class="success" role="status" data-test="top-up-done">{ text }</p> },
                Some(Err(error)) => html! { <ErrorNote error={error.clone()} {lang} /> },
                None => html! {},
            } }
            <button class="link danger" onclick={onunlink} data-test="unlink-card">{ lang.text(Text::UnlinkCard) }</button>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct AddCardProps {
    done: Callback<()>,
}

/// What is wrong with the number so far, if the user should hear it now.
fn number_note(lang: Lang, digits: &str) -> (Option<Brand>, Option<&'static str>, bool) {
    let brand = Brand::detect(digits);
    if digits.len() < 12 {
        return (brand, None, false);
    }
    match Pan::parse(digits) {
        Ok(pan) => (Some(pan.brand()), None, true),
        Err(_) if digits.len() >= 16 && !luhn_valid(digits) => {
            (brand, Some(lang.text(Text::CardNumberCheck)), false)
        }
        Err(_) if digits.len() >= 19 => (brand, Some(lang.text(Text::CardNumberInvalid)), false),
        Err(_) => (brand, None, false),
    }
}

#[function_component(AddCard)]
fn add_card(props: &AddCardProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let number = use_state(String::new);
    let expiry = use_state(String::new);
    let security_code = use_state(String::new);
    let holder = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<IpcError>);

    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let (brand, number_problem, number_ok) = number_note(lang, &digits);
    let parsed_expiry = Expiry::parse(expiry.trim());
    let today = js_sys::Date::new_0();
    // get_month counts from 0.
    let expired = parsed_expiry.as_ref().is_ok_and(|parsed| {
        !parsed.is_valid_on(today.get_full_year() as u16, today.get_month() as u8 + 1)
    });
    let expiry_ok = parsed_expiry.is_ok() && !expired;
    let expiry_problem = if expired {
        Some(lang.text(Text::CardExpired))
    } else {
        (expiry.len() >= 5 && parsed_expiry.is_err()).then(|| lang.text(Text::CardExpiryInvalid))
    };
    let code_ok = (3..=4).contains(&security_code.len());
    let ready = number_ok && expiry_ok && code_ok && !holder.trim().is_empty() && !*busy;

    // Groups of four as the card shows them.
    let set_number = {
        let number = number.clone();
        Callback::from(move |value: String| {
            let digits: String = value
                .chars()
                .filter(char::is_ascii_digit)
                .take(19)
                .collect();
            let grouped = digits
                .as_bytes()
                .chunks(4)
                .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            number.set(grouped);
        })
    };
    let set = |handle: &UseStateHandle<String>| {
        let handle = handle.clone();
        Callback::from(move |value: String| handle.set(value))
    };
    let set_code = {
        let security_code = security_code.clone();
        Callback::from(move |value: String| {
            security_code.set(value.chars().filter(char::is_ascii_digit).take(4).collect())
        })
    };
    let onsubmit = {
        let (app, number, expiry, security_code, holder, busy, error, done) = (
            app.clone(),
            number.clone(),
            expiry.clone(),
            security_code.clone(),
            holder.clone(),
            busy.clone(),
            error.clone(),
            props.done.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = LinkCardRequest {
                number: (*number).clone(),
                expiry: expiry.trim().to_owned(),
                security_code: (*security_code).clone(),
                holder: holder.trim().to_owned(),
            };
            let (app, number, security_code, busy, error, done) = (
                app.clone(),
                number.clone(),
                security_code.clone(),
                busy.clone(),
                error.clone(),
                done.clone(),
            );
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = ipc::call(&request).await;
                // The number and code leave the form whatever the answer: nothing lingers.
                number.set(String::new());
                security_code.set(String::new());
                busy.set(false);
                match outcome {
                    Ok(_) => {
                        app.dispatch(Action::Changed);
                        done.emit(());
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let cancel = {
        let done = props.done.clone();
        Callback::from(move |_| done.emit(()))
    };
    html! {
        <form class="panel add-card" data-test="add-card-form" {onsubmit}>
            <h2 class="section-title">{ lang.text(Text::AddCard) }</h2>
            <p class="muted">{ lang.text(Text::AddCardPrivacy) }</p>
            <Field label={lang.text(Text::CardNumber)} value={(*number).clone()} oninput={set_number} test="card-number"
                   inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242"
                   invalid={number_problem.is_some()}
                   note={number_problem.map(AttrValue::from).or_else(|| brand.map(|brand| AttrValue::from(brand.name())))} />
            <div class="field-row">
                <Field label={lang.text(Text::CardExpiry)} value={(*expiry).clone()} oninput={set(&expiry)} test="card-expiry"
                       inputmode="numeric" autocomplete="cc-exp" placeholder={lang.text(Text::CardExpiryPlaceholder)} maxlength="7"
                       invalid={expiry_problem.is_some()} note={expiry_problem.map(AttrValue::from)} />
                <Field label={lang.text(Text::CardSecurityCode)} value={(*security_code).clone()} oninput={set_code} test="card-cvv"
                       kind="password" inputmode="numeric" autocomplete="cc-csc" maxlength="4" />
            </div>
            <Field label={lang.text(Text::CardHolder)} value={(*holder).clone()} oninput={set(&holder)} test="card-holder" autocomplete="cc-name" />
            if let Some(failure) = &*error {
                <ErrorNote error={failure.clone()} {lang} test="card-error" />
            }
            <div class="form-actions">
                <button type="button" class="secondary" onclick={cancel}>{ lang.text(Text::Cancel) }</button>
                <button class="primary" type="submit" disabled={!ready} data-test="link-card">
                    { lang.text(if *busy { Text::Linking } else { Text::LinkCard }) }
                </button>
            </div>
        </form>
    }
}
