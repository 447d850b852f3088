//! Home: the balance, linked cards, recent activity, and whether this is live or saved.

use saifu_ipc::{OverviewRequest, PromotionsRequest};
use yew::prelude::*;

use crate::components::{ErrorNote, activity_row, card_tile};
use crate::format;
use crate::i18n::Text;
use crate::ipc::use_load;
use crate::state::{Action, Screen, use_app};

#[function_component(Home)]
pub fn home() -> Html {
    let app = use_app();
    let lang = app.lang;
    let overview = use_load(OverviewRequest {}, app.revision);
    let promotions = use_load(PromotionsRequest {}, app.revision);
    let go = |screen: Screen| {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Navigate(screen)))
    };
    let Some(loaded) = &*overview else {
        return html! { <section class="wallet-hero skeleton" aria-busy="true"></section> };
    };
    let overview = match loaded {
        Ok(overview) => overview,
        Err(error) => {
            return html! { <section class="panel"><ErrorNote error={error.clone()} {lang} /></section> };
        }
    };
    let balance = overview
        .balance
        .map(|balance| format::money(lang, balance))
        .unwrap_or_else(|| "—".to_owned());
    html! {
        <>
            if !overview.fresh {
                <p class="offline" role="status" data-test="offline">
                    { lang.text(Text::OfflineNote) }{ " " }{ format::date_time(lang, overview.as_of) }
                </p>
            }
            <section class="wallet-hero">
                <p class="wallet-hero-label">{ lang.text(Text::HomeBalance) }</p>
                <p class="wallet-hero-balance" data-test="balance">{ balance }</p>
                <div class="hero-actions">
                    <button class="hero-button" onclick={go(Screen::Scan)} data-test="home-scan">{ lang.text(Text::NavScan) }</button>
                    <button class="hero-button" onclick={go(Screen::Cards)} data-test="home-top-up">{ lang.text(Text::TopUp) }</button>
                </div>
            </section>
            <section class="panel">
                <h2 class="section-title">{ lang.text(Text::CardsTitle) }</h2>
                if overview.cards.is_empty() {
                    <p class="muted">{ lang.text(Text::HomeNoCards) }</p>
                    <button class="link" onclick={go(Screen::Cards)} data-test="home-add-card">{ lang.text(Text::AddCard) }</button>
                } else {
                    <div class="card-strip">{ for overview.cards.iter().map(card_tile) }</div>
                }
            </section>
            if let Some(Ok(promotions)) = &*promotions {
                if !promotions.is_empty() {
                    <section class="panel" data-test="offers-for-you">
                        <h2 class="section-title">{ lang.text(Text::PromotionsForYou) }</h2>
                        <ul class="offers">
                            { for promotions.iter().take(3).map(|promotion| html! {
                                <li>
                                    <span class="promotion-reward">{ lang.reward(&promotion.reward) }</span>
                                    <span class="muted">{ &promotion.name }</span>
                                </li>
                            }) }
                        </ul>
                        <button class="link" onclick={go(Screen::Promotions)}>{ lang.text(Text::SeeAll) }</button>
                    </section>
                }
            }
            <section class="panel">
                <h2 class="section-title">{ lang.text(Text::HomeRecent) }</h2>
                if overview.recent.is_empty() {
                    <p class="muted">{ lang.text(Text::HomeRecentEmpty) }</p>
                } else {
                    <ul class="activities" data-test="recent">
                        { for overview.recent.iter().take(5).map(|activity| activity_row(lang, activity)) }
                    </ul>
                }
            </section>
        </>
    }
}
