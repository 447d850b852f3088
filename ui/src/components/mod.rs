//! Pieces several screens share.

mod empty_state;
mod field;

pub use empty_state::EmptyState;
pub use field::{ErrorNote, Field};

use saifu_core::card::Brand;
use saifu_core::money::{Currency, Money, MoneyError};
use saifu_ipc::{ActivityView, CardView};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

use crate::format;
use crate::i18n::{Lang, Text};

/// A linked card as a card-shaped tile in its brand's colours: brand, issuer, last 4.
pub fn card_tile(card: &CardView) -> Html {
    let brand = serde_brand(card);
    html! {
        <div class={classes!("card-tile", format!("brand-{brand}"))} data-test="card-tile">
            <span class="card-tile-issuer">{ &card.issuer }</span>
            <span class="card-tile-number">{ format!("•••• {}", card.last4) }</span>
            <span class="card-tile-foot">
                <span class="card-tile-brand">{ card.brand.name() }</span>
                <span>{ card.expiry.to_string() }</span>
            </span>
        </div>
    }
}

/// The brand's CSS class name, which picks the tile's gradient.
fn serde_brand(card: &CardView) -> &'static str {
    match card.brand {
        Brand::Visa => "visa",
        Brand::Mastercard => "mastercard",
        Brand::UnionPay => "unionpay",
        Brand::Jcb => "jcb",
        Brand::Amex => "amex",
        Brand::Discover => "discover",
        Brand::DinersClub => "diners",
        Brand::Maestro => "maestro",
        Brand::Mir => "mir",
        Brand::RuPay => "rupay",
    }
}

pub fn activity_row(lang: Lang, activity: &ActivityView) -> Html {
    html! {
        <li class="activity" data-test="activity">{ activity_content(lang, activity) }</li>
    }
}

/// What a line of activity says: what, when, how much.
pub fn activity_content(lang: Lang, activity: &ActivityView) -> Html {
    let out = activity.amount.minor() < 0;
    html! {
        <>
            <span class="activity-text">
                <span class="activity-title">{ lang.activity_title(activity) }</span>
                <span class="activity-time">{ format::date_time(lang, activity.created_at) }</span>
            </span>
            <span class={classes!("activity-amount", (!out).then_some("in"))}>
                { format::signed_money(lang, activity.amount) }
            </span>
        </>
    }
}

/// The width from which screens put two panes side by side; app.css uses the same.
const WIDE: &str = "(min-width: 1024px)";

/// Whether the window is wide enough for two panes, following the window as it resizes.
#[hook]
pub fn use_wide() -> bool {
    let query = || {
        web_sys::window()
            .and_then(|window| window.match_media(WIDE).ok())
            .flatten()
    };
    let wide = use_state(|| query().is_some_and(|list| list.matches()));
    {
        let wide = wide.clone();
        use_effect_with((), move |_| {
            let list = query();
            let listener = list.as_ref().map(|list| {
                let watched = list.clone();
                let listener = Closure::<dyn Fn()>::new(move || wide.set(watched.matches()));
                list.set_onchange(Some(listener.as_ref().unchecked_ref()));
                listener
            });
            move || {
                if let Some(list) = &list {
                    list.set_onchange(None);
                }
                drop(listener);
            }
        });
    }
    *wide
}

/// An amount field's text, read for its currency where that is known (full-width digits
/// and grouping commas welcome): what to say under the field, and what to send.
pub struct TypedAmount {
    /// What to fix, once something is typed.
    pub note: Option<AttrValue>,
    /// The amount as the service reads it; the text as typed where the currency is
    /// unknown, for the service to judge.
    pub to_send: String,
    /// The keypad: no decimal point where the currency has no decimals.
    pub keypad: AttrValue,
}

impl TypedAmount {
    pub fn read(lang: Lang, text: &str, currency: Option<Currency>) -> TypedAmount {
        let typed = text.trim();
        let checked = currency.map(|currency| check_amount(typed, currency));
        let note = match &checked {
            Some(Err(words)) if !typed.is_empty() => Some(AttrValue::from(lang.text(*words))),
            _ => None,
        };
        let to_send = match &checked {
            Some(Ok(amount)) => amount.to_decimal_string(),
            _ => typed.to_owned(),
        };
        let whole = currency.is_some_and(|currency| currency.exponent() == 0);
        TypedAmount {
            note,
            to_send,
            keypad: AttrValue::Static(if whole { "numeric" } else { "decimal" }),
        }
    }

    /// Something is typed and nothing in it needs fixing.
    pub fn ready(&self) -> bool {
        !self.to_send.is_empty() && self.note.is_none()
    }
}

/// An amount typed for `currency`, or the words that say what to fix.
fn check_amount(text: &str, currency: Currency) -> Result<Money, Text> {
    match Money::parse_typed(text, currency) {
        Ok(amount) if amount.minor() <= 0 => Err(Text::AmountZero),
        Ok(amount) => amount
            .within_ceiling()
            .map_err(|_| Text::ErrorAmountOutOfRange),
        Err(MoneyError::TooManyDecimals { exponent: 0, .. }) => Err(Text::AmountNoDecimals),
        Err(MoneyError::TooManyDecimals { .. }) => Err(Text::AmountFewerDecimals),
        Err(MoneyError::Malformed(_)) if currency.exponent() == 0 => Err(Text::AmountWhole),
        Err(MoneyError::Malformed(_)) => Err(Text::AmountDecimal),
        Err(_) => Err(Text::ErrorAmountOutOfRange),
    }
}
