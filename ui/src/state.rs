//! The app's state: one reducer, changed only through [`Action`]s.

use std::rc::Rc;

use saifu_ipc::{AppStatus, Pushed, Stage};
use yew::prelude::*;

use crate::i18n::{Lang, Text};
use crate::icons::Icon;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Home,
    Cards,
    Scan,
    Promotions,
    History,
    Settings,
    /// The wallet's own pay code, one tap from Home; not in the navigation.
    PayCode,
}

impl Screen {
    /// Screens in navigation order; Settings sits last, apart from the others.
    pub const ALL: [Screen; 6] = [
        Screen::Home,
        Screen::Cards,
        Screen::Scan,
        Screen::Promotions,
        Screen::History,
        Screen::Settings,
    ];

    pub fn label(self) -> Text {
        match self {
            Screen::Home => Text::NavHome,
            Screen::Cards => Text::NavCards,
            Screen::Scan => Text::NavScan,
            Screen::Promotions => Text::NavPromotions,
            Screen::History => Text::NavHistory,
            Screen::Settings => Text::NavSettings,
            Screen::PayCode => Text::PayCodeTitle,
        }
    }

    /// The screen's CSS class, for layouts of its own on wide windows.
    pub fn class(self) -> &'static str {
        match self {
            Screen::Home => "screen-home",
            Screen::Cards => "screen-cards",
            Screen::Scan => "screen-scan",
            Screen::Promotions => "screen-promotions",
            Screen::History => "screen-history",
            Screen::Settings => "screen-settings",
            Screen::PayCode => "screen-pay-code",
        }
    }

    pub fn icon(self) -> Icon {
        match self {
            Screen::Home => Icon::Home,
            Screen::Cards => Icon::Cards,
            Screen::Scan => Icon::Scan,
            Screen::Promotions => Icon::Promotions,
            Screen::History => Icon::History,
            Screen::Settings => Icon::Settings,
            Screen::PayCode => Icon::Scan,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppState {
    pub screen: Screen,
    pub lang: Lang,
    /// Where the wallet stands; `None` until the shell has answered.
    pub status: Option<AppStatus>,
    /// Bumped whenever money moved or cards changed: screens that show them reload.
    pub revision: u32,
    /// An image of a code the scanner is to read when it opens (a demo shop's, from Home).
    pub code_image: Option<&'static str>,
    /// A till's charge of the pay code waiting for the user's answer: a
    /// `Pushed::PayCodeConfirm`.
    pub charge: Option<Pushed>,
    /// The last payment made while the app was open: the pay code screen shows it.
    pub paid: Option<Pushed>,
}

impl AppState {
    pub fn new(lang: Lang) -> Self {
        Self {
            screen: Screen::Home,
            lang,
            status: None,
            revision: 0,
            code_image: None,
            charge: None,
            paid: None,
        }
    }
}

pub enum Action {
    Navigate(Screen),
    SetLanguage(Lang),
    /// The shell's answer about the wallet's stage (after start, onboarding, unlock, lock).
    Status(AppStatus),
    /// Balance, cards or history changed.
    Changed,
    /// Open the scanner on the code in this image (a URL of the app's own).
    ScanImage(&'static str),
    /// The scanner took the image it was given.
    ImageTaken,
    /// The service pushed this: a charge to confirm, one ended, a payment made.
    Pushed(Pushed),
    /// The user answered the charge to confirm.
    ChargeAnswered,
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Navigate(screen) => next.screen = screen,
            Action::SetLanguage(lang) => next.lang = lang,
            Action::Status(status) => {
                if status.stage != Stage::Ready {
                    next.screen = Screen::Home;
                }
                next.status = Some(status);
            }
            Action::Changed => next.revision = next.revision.wrapping_add(1),
            Action::ScanImage(url) => {
                next.screen = Screen::Scan;
                next.code_image = Some(url);
            }
            Action::ImageTaken => next.code_image = None,
            Action::Pushed(pushed) => match &pushed {
                Pushed::PayCodeConfirm { .. } => next.charge = Some(pushed),
                Pushed::PayCodeChargeEnded { charge_id } => {
                    if matches!(&next.charge, Some(Pushed::PayCodeConfirm { charge_id: waiting, .. }) if waiting == charge_id)
                    {
                        next.charge = None;
                    }
                }
                Pushed::PaymentSucceeded { .. } => next.paid = Some(pushed),
                _ => {}
            },
            Action::ChargeAnswered => next.charge = None,
        }
        Rc::new(next)
    }
}

pub type AppContext = UseReducerHandle<AppState>;

/// The app state from the nearest provider; every page sits under the one in `App`.
#[hook]
pub fn use_app() -> AppContext {
    use_context::<AppContext>().expect("pages render inside App's state provider")
}
