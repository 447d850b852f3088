//! Pieces several screens share.

mod empty_state;
mod field;

pub use empty_state::EmptyState;
pub use field::{ErrorNote, Field};

use saifu_core::card::Brand;
use saifu_ipc::{ActivityKind, ActivityView, CardView};
use yew::prelude::*;

use crate::format;
use crate::i18n::Lang;

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
    let out = activity.kind == ActivityKind::Payment;
    html! {
        <li class="activity" data-test="activity">
            <span class="activity-text">
                <span class="activity-title">{ lang.activity_title(activity) }</span>
                <span class="activity-time">{ format::date_time(lang, activity.created_at) }</span>
            </span>
            <span class={classes!("activity-amount", (!out).then_some("in"))}>
                { format::signed_money(lang, activity.amount) }
            </span>
        </li>
    }
}
