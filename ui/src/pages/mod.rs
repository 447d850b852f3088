//! One module per screen.

mod settings;

use yew::prelude::*;

use crate::components::EmptyState;
use crate::i18n::Text;
use crate::icons::Icon;
use crate::state::{Screen, use_app};

pub fn render(screen: Screen) -> Html {
    match screen {
        Screen::Home => html! { <Home /> },
        Screen::Cards => html! {
            <EmptyState icon={Icon::Cards} title={Text::CardsEmptyTitle} body={Text::CardsEmptyBody} />
        },
        Screen::Scan => html! {
            <EmptyState icon={Icon::Scan} title={Text::ScanEmptyTitle} body={Text::ScanEmptyBody} />
        },
        Screen::Promotions => html! {
            <EmptyState icon={Icon::Promotions} title={Text::PromotionsEmptyTitle} body={Text::PromotionsEmptyBody} />
        },
        Screen::History => html! {
            <EmptyState icon={Icon::History} title={Text::HistoryEmptyTitle} body={Text::HistoryEmptyBody} />
        },
        Screen::Settings => html! { <settings::Settings /> },
    }
}

#[function_component(Home)]
fn home() -> Html {
    let lang = use_app().lang;
    html! {
        <>
            <section class="wallet-hero">
                <p class="wallet-hero-label">{ lang.text(Text::HomeWallet) }</p>
                <h2>{ lang.text(Text::HomeEmptyTitle) }</h2>
                <p>{ lang.text(Text::HomeEmptyBody) }</p>
            </section>
            <section class="panel">
                <h2 class="section-title">{ lang.text(Text::HomeRecent) }</h2>
                <p class="muted">{ lang.text(Text::HomeRecentEmpty) }</p>
            </section>
        </>
    }
}
