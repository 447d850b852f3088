//! One module per screen, plus the gate before the app proper.

mod cards;
pub mod gate;
mod history;
mod home;
mod scan;
mod settings;

use yew::prelude::*;

use crate::components::EmptyState;
use crate::i18n::Text;
use crate::icons::Icon;
use crate::state::Screen;

pub fn render(screen: Screen) -> Html {
    match screen {
        Screen::Home => html! { <home::Home /> },
        Screen::Cards => html! { <cards::Cards /> },
        Screen::Scan => html! { <scan::Scan /> },
        Screen::Promotions => html! {
            <EmptyState icon={Icon::Promotions} title={Text::PromotionsEmptyTitle} body={Text::PromotionsEmptyBody} />
        },
        Screen::History => html! { <history::History /> },
        Screen::Settings => html! { <settings::Settings /> },
    }
}
