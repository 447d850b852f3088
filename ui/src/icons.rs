//! The app's line icons: inline SVG from assets/icons, drawn in the current text colour.

use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    Home,
    Cards,
    Scan,
    Promotions,
    History,
    Settings,
    Wallet,
}

impl Icon {
    fn svg(self) -> &'static str {
        match self {
            Icon::Home => include_str!("../../assets/icons/home.svg"),
            Icon::Cards => include_str!("../../assets/icons/cards.svg"),
            Icon::Scan => include_str!("../../assets/icons/scan.svg"),
            Icon::Promotions => include_str!("../../assets/icons/promotions.svg"),
            Icon::History => include_str!("../../assets/icons/history.svg"),
            Icon::Settings => include_str!("../../assets/icons/settings.svg"),
            Icon::Wallet => include_str!("../../assets/icons/wallet.svg"),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct IconProps {
    pub icon: Icon,
    #[prop_or_default]
    pub class: Classes,
}

#[function_component(IconView)]
pub fn icon_view(props: &IconProps) -> Html {
    html! {
        <span class={classes!("icon", props.class.clone())} aria-hidden="true">
            { Html::from_html_unchecked(AttrValue::Static(props.icon.svg())) }
        </span>
    }
}
