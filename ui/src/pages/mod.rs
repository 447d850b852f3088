//! One module per screen, plus the gate before the app proper.

mod cards;
pub mod gate;
mod history;
mod home;
pub mod pay_code;
mod promotions;
mod scan;
mod settings;

use yew::prelude::*;

use crate::state::Screen;

pub fn render(screen: Screen) -> Html {
    match screen {
        Screen::Home => html! { <home::Home /> },
        Screen::Cards => html! { <cards::Cards /> },
        Screen::Scan => html! { <scan::Scan /> },
        Screen::Promotions => html! { <promotions::Promotions /> },
        Screen::History => html! { <history::History /> },
        Screen::Settings => html! { <settings::Settings /> },
        Screen::PayCode => html! { <pay_code::PayCodeScreen /> },
    }
}
