use yew::prelude::*;

use crate::i18n::Text;
use crate::icons::{Icon, IconView};
use crate::state::use_app;

#[derive(Properties, PartialEq)]
pub struct EmptyStateProps {
    pub icon: Icon,
    pub title: Text,
    pub body: Text,
}

/// What a screen shows before it has anything: an icon, what will be here, and why.
#[function_component(EmptyState)]
pub fn empty_state(props: &EmptyStateProps) -> Html {
    let lang = use_app().lang;
    html! {
        <section class="empty-state">
            <IconView icon={props.icon} class="empty-icon" />
            <h2>{ lang.text(props.title) }</h2>
            <p>{ lang.text(props.body) }</p>
        </section>
    }
}
