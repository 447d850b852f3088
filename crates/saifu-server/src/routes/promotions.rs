//! Promotions the wallet can use, at a shop, in a city or anywhere; and its coupons, claimed
//! here and used up by the payment they discount.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Query, State};
use saifu_api::{
    ClaimCoupon, Coupon, CouponList, ErrorCode, ErrorResponse, FundingKind, Promotion,
    PromotionList, PromotionWindow, Reward, WalletEvent,
};
use serde::Deserialize;

use super::money::home_currency;
use super::random_token;
use crate::AppState;
use crate::error::{ApiError, is_unique_violation};
use crate::ledger;
use crate::promotions::{self, COUPON_SECONDS, CouponRow, Standing};
use crate::signed::SignedRequest;

/// Minutes in a day: a window without hours runs until the next midnight.
const MINUTES_PER_DAY: u16 = 1_440;

#[derive(Debug, Deserialize)]
pub(super) struct PromotionQuery {
    merchant_id: Option<String>,
    city: Option<String>,
}

fn promotion_view(standing: &Standing, merchant_ids: Vec<String>, coupon_held: bool) -> Promotion {
    let campaign = &standing.row.campaign;
    let rules = &campaign.eligibility;
    Promotion {
        campaign_id: campaign.id.clone(),
        name: campaign.name.clone(),
        funder: campaign.funder.into(),
        reward: Reward::new(&campaign.reward, campaign.currency),
        currency: campaign.currency,
        stacking: campaign.stacking.into(),
        window: PromotionWindow {
            days: rules.window.days.clone(),
            from_minute: rules.window.from_minute.unwrap_or(0),
            until_minute: rules.window.until_minute.unwrap_or(MINUTES_PER_DAY),
            starts_at: rules.window.starts_at,
            ends_at: rules.window.ends_at,
        },
        merchant_ids,
        brands: rules.brands.clone(),
        funding: rules.funding.map(FundingKind::from),
        issuer_cards_only: !rules.bins.is_empty(),
        coupon: campaign.coupon,
        coupon_held,
        uses_left: campaign
            .per_user_limit
            .map(|limit| limit.saturating_sub(standing.used_by_wallet)),
    }
}

/// Running campaigns the wallet can still use at one of the shops asked about: the one
/// named, those of the city, or every shop.
#[utoipa::path(get, path = "/v1/promotions", params(("merchant_id" = Option<String>, Query, description = "Only this shop's"), ("city" = Option<String>, Query, description = "Only those of this city's shops")), responses((status = 200, body = PromotionList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list_promotions(
    State(state): State<AppState>,
    Query(query): Query<PromotionQuery>,
    request: SignedRequest,
) -> Result<Json<PromotionList>, ApiError> {
    let wallet_id = &request.device.wallet_id;
    let home = home_currency(ledger::wallet_currency(&state.db, wallet_id).await?)?;
    let merchants =
        match &query.merchant_id {
            Some(merchant_id) => vec![state.db.merchant(merchant_id).await?.ok_or_else(|| {
                ApiError::new(ErrorCode::UnknownMerchant, "There is no such shop.")
            })?],
            None => state.db.merchants().await?,
        };
    let merchants: Vec<_> = merchants
        .into_iter()
        .filter(|merchant| {
            query
                .city
                .as_ref()
                .is_none_or(|city| merchant.city.to_lowercase() == city.trim().to_lowercase())
        })
        .collect();
    let now = state.now();
    let held: BTreeSet<String> = promotions::wallet_coupons(&state.db, wallet_id)
        .await?
        .into_iter()
        .filter(|coupon| coupon.used_by_payment.is_none() && now < coupon.expires_at)
        .map(|coupon| coupon.campaign.id)
        .collect();
    let mut list = Vec::new();
    for standing in promotions::standings(&state.db, wallet_id, None).await? {
        if !(standing.running(now) && standing.available() && standing.open_to(home)) {
            continue;
        }
        let campaign = &standing.row.campaign;
        let merchant_ids: Vec<String> = merchants
            .iter()
            .filter(|merchant| promotions::applies_at(campaign, merchant))
            .map(|merchant| merchant.merchant_id.clone())
            .collect();
        if !merchant_ids.is_empty() {
            let coupon_held = held.contains(&campaign.id);
            list.push(promotion_view(&standing, merchant_ids, coupon_held));
        }
    }
    Ok(Json(PromotionList { promotions: list }))
}

fn coupon_view(row: CouponRow) -> Coupon {
    Coupon {
        coupon_id: row.coupon_id,
        reward: Reward::new(&row.campaign.reward, row.campaign.currency),
        campaign_id: row.campaign.id,
        name: row.campaign.name,
        claimed_at: row.claimed_at,
        expires_at: row.expires_at,
        used_by_payment: row.used_by_payment,
    }
}

/// Claims a coupon of a coupon campaign: one unused at a time, valid for the campaign's
/// coupon period, never past its end.
#[utoipa::path(post, path = "/v1/coupons", request_body = ClaimCoupon, responses((status = 200, body = Coupon), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn claim_coupon(
    State(state): State<AppState>,
    request: SignedRequest,
) -> Result<Json<Coupon>, ApiError> {
    let claim: ClaimCoupon = request.json()?;
    let wallet_id = request.device.wallet_id.clone();
    let home = home_currency(ledger::wallet_currency(&state.db, &wallet_id).await?)?;
    let standing = promotions::standing_of(&state.db, &wallet_id, &claim.campaign_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "There is no such promotion."))?;
    let now = state.now();
    let unavailable = |message: &str| Err(ApiError::new(ErrorCode::CouponUnavailable, message));
    let campaign = &standing.row.campaign;
    if !campaign.coupon {
        return unavailable("This promotion applies by itself: there is no coupon to claim.");
    }
    if !standing.running(now) {
        return unavailable("This promotion is not running now.");
    }
    if !standing.open_to(home) {
        return unavailable("This promotion is for visitors paying from abroad.");
    }
    if !standing.available() {
        return unavailable(
            "This promotion is used up: its budget is spent, or you have used it as often as it allows.",
        );
    }
    let valid_until =
        now.saturating_add(standing.row.coupon_valid_seconds.unwrap_or(COUPON_SECONDS));
    let row = CouponRow {
        coupon_id: format!("cpn_{}", random_token(12)?),
        campaign: campaign.clone(),
        claimed_at: now,
        expires_at: campaign
            .eligibility
            .window
            .ends_at
            .map_or(valid_until, |ends| ends.min(valid_until)),
        used_by_payment: None,
    };
    promotions::insert_coupon(&state.db, &wallet_id, &row)
        .await
        .map_err(|error| {
            if is_unique_violation(&error) {
                ApiError::new(
                    ErrorCode::CouponAlreadyClaimed,
                    "You have this coupon already; it is used with your next payment it applies to.",
                )
            } else {
                error.into()
            }
        })?;
    tracing::info!(
        wallet_id,
        coupon_id = row.coupon_id,
        campaign_id = row.campaign.id,
        "coupon claimed"
    );
    let coupon = coupon_view(row);
    state.publish(
        &wallet_id,
        WalletEvent::CouponClaimed {
            coupon: coupon.clone(),
        },
    );
    Ok(Json(coupon))
}

/// The wallet's coupons, used and expired ones too, newest first.
#[utoipa::path(get, path = "/v1/coupons", responses((status = 200, body = CouponList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list_coupons(
    State(state): State<AppState>,
    request: SignedRequest,
) -> Result<Json<CouponList>, ApiError> {
    let rows = promotions::wallet_coupons(&state.db, &request.device.wallet_id).await?;
    Ok(Json(CouponList {
        coupons: rows.into_iter().map(coupon_view).collect(),
    }))
}
