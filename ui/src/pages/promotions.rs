//! Promotions running now: who gives them, what they give, and coupons to claim.

use saifu_ipc::{ClaimCouponRequest, IpcError, PromotionView, PromotionsRequest};
use yew::prelude::*;

use crate::components::{EmptyState, ErrorNote};
use crate::format;
use crate::i18n::Text;
use crate::icons::Icon;
use crate::ipc::{self, use_load};
use crate::state::{Action, use_app};

#[function_component(Promotions)]
pub fn promotions() -> Html {
    let app = use_app();
    let lang = app.lang;
    let promotions = use_load(PromotionsRequest {}, app.revision);
    match &*promotions {
        None => html! { <section class="panel skeleton tall" aria-busy="true"></section> },
        Some(Err(error)) => {
            html! { <section class="panel"><ErrorNote error={error.clone()} {lang} /></section> }
        }
        Some(Ok(list)) if list.is_empty() => html! {
            <EmptyState icon={Icon::Promotions} title={Text::PromotionsEmptyTitle} body={Text::PromotionsEmptyBody} />
        },
        Some(Ok(list)) => html! {
            <ul class="promotions" data-test="promotions">
                { for list.iter().map(|promotion| html! { <PromotionCard key={promotion.campaign_id.clone()} promotion={promotion.clone()} /> }) }
            </ul>
        },
    }
}

#[derive(Properties, PartialEq)]
pub struct PromotionProps {
    pub promotion: PromotionView,
}

/// One promotion: its reward in words, who funds it, and a claim button for coupons.
#[function_component(PromotionCard)]
pub fn promotion_card(props: &PromotionProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let promotion = &props.promotion;
    let outcome = use_state(|| None::<Result<(), IpcError>>);
    let claim = {
        let (app, outcome, campaign_id) =
            (app.clone(), outcome.clone(), promotion.campaign_id.clone());
        Callback::from(move |_| {
            let request = ClaimCouponRequest {
                campaign_id: campaign_id.clone(),
            };
            let (app, outcome) = (app.clone(), outcome.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let claimed = ipc::call(&request).await.map(|_| ());
                if claimed.is_ok() {
                    app.dispatch(Action::Changed);
                }
                outcome.set(Some(claimed));
            });
        })
    };
    let brands = (!promotion.brands.is_empty()).then(|| {
        let names: Vec<&str> = promotion.brands.iter().map(|brand| brand.name()).collect();
        format!("{} {}", lang.text(Text::ForCards), names.join(", "))
    });
    html! {
        <li class="panel promotion" data-test="promotion">
            <div class="promotion-head">
                <span class="promotion-reward">{ lang.reward(&promotion.reward) }</span>
                if promotion.coupon { <span class="badge">{ lang.text(Text::CouponLabel) }</span> }
            </div>
            if let Some(name) = lang.promotion_name(&promotion.name, &promotion.names) {
                <p class="promotion-name">{ name }</p>
            }
            <p class="muted">
                { lang.funder(promotion.funder) }
                if let Some(brands) = brands { { " · " }{ brands } }
                if let Some(ends) = promotion.ends_at { { " · " }{ lang.text(Text::Until) }{ " " }{ format::date_time(lang, ends) } }
            </p>
            if promotion.coupon {
                if promotion.coupon_held {
                    <p class="success" data-test="coupon-held">{ lang.text(Text::CouponHeld) }</p>
                } else {
                    <button class="secondary" onclick={claim} data-test="claim-coupon">{ lang.text(Text::ClaimCoupon) }</button>
                }
            }
            { match &*outcome {
                Some(Ok(())) => html! { <p class="success" role="status">{ lang.text(Text::CouponClaimedNote) }</p> },
                Some(Err(error)) => html! { <ErrorNote error={error.clone()} {lang} /> },
                None => html! {},
            } }
        </li>
    }
}
