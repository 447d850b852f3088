//! Promotions: campaigns checked by saifu-core's rules, the context a quote is priced in,
//! the promotions a wallet can use at a shop, in a city or anywhere, its coupons, and the
//! redemption a payment makes of what its quote promised.

use std::collections::BTreeSet;

use saifu_api::{
    AppliedPromotion, ClaimCoupon, Coupon, CouponList, FundingKind, Promotion, PromotionList,
    PromotionWindow, Reward, WalletEvent,
};
use saifu_core::money::{Currency, Money};
use saifu_core::promo::{self, FundingOption, MerchantFacts, PaymentContext, PromoError};

use super::{Service, ServiceError, SignedRequest, random_token};
use crate::ledger::Saving;
use crate::store::{CampaignRow, CouponRow, MerchantRow, Standing, Store, StoreError, WriteTx};

/// How long a claimed coupon lasts when its campaign does not say.
pub const COUPON_SECONDS: i64 = 30 * 86_400;

/// Minutes in a day: a window without hours runs until the next midnight.
const MINUTES_PER_DAY: u16 = 1_440;

/// Why a campaign cannot be stored.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("campaign {id}: {error}")]
    Invalid {
        id: String,
        #[source]
        error: PromoError,
    },
    #[error("campaign {0}: its funder is not the kind the campaign names, or names nobody")]
    Funder(String),
    #[error("campaign {0}: a coupon must be valid for a positive time")]
    CouponValidity(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adds a campaign or replaces its definition, checked first with [`promo::validate`]. What
/// it has spent and what each wallet has used of it stay.
pub async fn upsert_campaign(
    store: &Store,
    row: CampaignRow,
    now: i64,
) -> Result<(), CampaignError> {
    let campaign = &row.campaign;
    promo::validate(campaign).map_err(|error| CampaignError::Invalid {
        id: campaign.id.clone(),
        error,
    })?;
    let (_, funder_ref) = row.funded_by.columns();
    if row.funded_by.funder() != campaign.funder || funder_ref.trim().is_empty() {
        return Err(CampaignError::Funder(campaign.id.clone()));
    }
    if row.coupon_valid_seconds.is_some_and(|seconds| seconds <= 0) {
        return Err(CampaignError::CouponValidity(campaign.id.clone()));
    }
    store
        .write(move |mut tx| Box::pin(async move { tx.upsert_campaign(&row, now).await }))
        .await
        .map_err(CampaignError::from)
}

/// The merchant as eligibility rules see it.
fn merchant_facts(merchant: &MerchantRow) -> MerchantFacts {
    MerchantFacts {
        id: merchant.merchant_id.clone(),
        group: merchant.group.clone(),
        mcc: merchant.mcc.clone(),
        country: merchant.country.clone(),
        utc_offset_minutes: merchant.utc_offset_minutes,
    }
}

fn promotion_view(standing: &Standing, merchant_ids: Vec<String>, coupon_held: bool) -> Promotion {
    let campaign = &standing.row.campaign;
    let rules = &campaign.eligibility;
    Promotion {
        campaign_id: campaign.id.clone(),
        name: campaign.name.clone(),
        names: campaign.names.clone(),
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

impl Service {
    /// Everything the solver needs to price `price` at `merchant` for the wallet at `now`,
    /// with the seed of its random discounts.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn promotion_context(
        &self,
        wallet_id: &str,
        home: Currency,
        fundings: Vec<FundingOption>,
        merchant: &MerchantRow,
        price: Money,
        now: i64,
        seed: u64,
    ) -> Result<PaymentContext, ServiceError> {
        let standings: Vec<Standing> = self
            .store
            .standings(wallet_id, Some(price.currency()))
            .await?
            .into_iter()
            .filter(|standing| standing.open_to(home))
            .collect();
        let coupons = self
            .store
            .wallet_coupons(wallet_id)
            .await?
            .into_iter()
            .filter(|coupon| coupon.used_by_payment.is_none())
            .map(|coupon| promo::Coupon {
                id: coupon.coupon_id,
                campaign_id: coupon.campaign.id,
                expires_at: coupon.expires_at,
                used: false,
            })
            .collect();
        let first_payment_at_merchant = self
            .store
            .payments_at(wallet_id, &merchant.merchant_id)
            .await?
            == 0;
        Ok(PaymentContext {
            price,
            merchant: merchant_facts(merchant),
            now,
            first_payment_at_merchant,
            fundings,
            usage: standings.iter().map(Standing::usage).collect(),
            campaigns: standings
                .into_iter()
                .map(|standing| standing.row.campaign)
                .collect(),
            coupons,
            seed,
        })
    }

    /// Running campaigns the wallet can still use at one of the shops asked about: the one
    /// named, those of the city, or every shop.
    pub async fn list_promotions(
        &self,
        request: SignedRequest,
        merchant_id: Option<String>,
        city: Option<String>,
    ) -> Result<PromotionList, ServiceError> {
        let wallet_id = &request.device.wallet_id;
        let home = self.store.wallet_currency(wallet_id).await?;
        let merchants = match &merchant_id {
            Some(merchant_id) => vec![
                self.store
                    .merchant(merchant_id)
                    .await?
                    .ok_or(ServiceError::UnknownMerchant)?,
            ],
            None => self.store.merchants().await?,
        };
        let merchants: Vec<_> = merchants
            .into_iter()
            .filter(|merchant| {
                city.as_ref()
                    .is_none_or(|city| merchant.city.to_lowercase() == city.trim().to_lowercase())
            })
            .collect();
        let now = self.now();
        let held: BTreeSet<String> = self
            .store
            .wallet_coupons(wallet_id)
            .await?
            .into_iter()
            .filter(|coupon| coupon.used_by_payment.is_none() && now < coupon.expires_at)
            .map(|coupon| coupon.campaign.id)
            .collect();
        let mut list = Vec::new();
        for standing in self.store.standings(wallet_id, None).await? {
            if !(standing.running(now) && standing.available() && standing.open_to(home)) {
                continue;
            }
            let campaign = &standing.row.campaign;
            let merchant_ids: Vec<String> = merchants
                .iter()
                .filter(|merchant| {
                    campaign.applies_at(&merchant_facts(merchant), merchant.currency)
                })
                .map(|merchant| merchant.merchant_id.clone())
                .collect();
            if !merchant_ids.is_empty() {
                let coupon_held = held.contains(&campaign.id);
                list.push(promotion_view(&standing, merchant_ids, coupon_held));
            }
        }
        Ok(PromotionList { promotions: list })
    }

    /// Claims a coupon of a coupon campaign: one unused at a time, valid for the campaign's
    /// coupon period, never past its end.
    pub async fn claim_coupon(&self, request: SignedRequest) -> Result<Coupon, ServiceError> {
        let claim: ClaimCoupon = request.json()?;
        let wallet_id = request.device.wallet_id.clone();
        let home = self.store.wallet_currency(&wallet_id).await?;
        let standing = self
            .store
            .standing_of(&wallet_id, &claim.campaign_id)
            .await?
            .ok_or(ServiceError::NotFound("there is no such promotion"))?;
        let now = self.now();
        let campaign = &standing.row.campaign;
        if !campaign.coupon {
            return Err(ServiceError::CouponUnavailable(
                "it applies without a coupon",
            ));
        }
        if !standing.running(now) {
            return Err(ServiceError::CouponUnavailable("it is not running now"));
        }
        if !standing.open_to(home) {
            return Err(ServiceError::CouponUnavailable(
                "it is for visitors paying from abroad",
            ));
        }
        if !standing.available() {
            return Err(ServiceError::CouponUnavailable(
                "its budget is spent, or the wallet has used it as often as it allows",
            ));
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
        let (stored, owner) = (row.clone(), wallet_id.clone());
        self.store
            .write(move |mut tx| {
                Box::pin(async move {
                    tx.insert_coupon(&owner, &stored)
                        .await
                        .map_err(|error| match error {
                            StoreError::Duplicate => ServiceError::CouponAlreadyClaimed,
                            other => other.into(),
                        })
                })
            })
            .await?;
        tracing::info!(
            wallet_id,
            coupon_id = row.coupon_id,
            campaign_id = row.campaign.id,
            "coupon claimed"
        );
        let coupon = coupon_view(row);
        self.publish(
            &wallet_id,
            WalletEvent::CouponClaimed {
                coupon: coupon.clone(),
            },
        );
        Ok(coupon)
    }

    /// The wallet's coupons, used and expired ones too, newest first.
    pub async fn list_coupons(&self, request: SignedRequest) -> Result<CouponList, ServiceError> {
        let rows = self.store.wallet_coupons(&request.device.wallet_id).await?;
        Ok(CouponList {
            coupons: rows.into_iter().map(coupon_view).collect(),
        })
    }
}

/// A quoted promotion that is no longer there to have: the payer quotes again.
fn gone(campaign_id: &str, reason: &str) -> ServiceError {
    tracing::info!(
        campaign_id,
        reason,
        "a quoted promotion is no longer available"
    );
    ServiceError::OfferChanged
}

/// The stored campaigns of an offer's promotions, in order, read in the payment's
/// transaction: who funds each saving, and the rules [`redeem`] checks again.
pub(super) async fn applied_campaigns(
    tx: &mut WriteTx<'_>,
    applied: &[AppliedPromotion],
) -> Result<Vec<CampaignRow>, ServiceError> {
    let mut campaigns = Vec::with_capacity(applied.len());
    for promotion in applied {
        let campaign = tx.campaign(&promotion.campaign_id).await?;
        campaigns
            .push(campaign.ok_or_else(|| gone(&promotion.campaign_id, "the campaign is gone"))?);
    }
    Ok(campaigns)
}

/// What each promotion in `applied` saved, and who funds it (`campaigns`, in its order).
pub(super) fn savings(applied: &[AppliedPromotion], campaigns: &[CampaignRow]) -> Vec<Saving> {
    applied
        .iter()
        .zip(campaigns)
        .map(|(promotion, campaign)| Saving {
            funded_by: campaign.funded_by.clone(),
            amount: promotion.saving,
        })
        .collect()
}

/// Consumes what `applied` promised, in the transaction of payment `payment_id`, after the
/// payment's row: each campaign's budget, the wallet's use of it, and its coupon.
pub(super) async fn redeem(
    tx: &mut WriteTx<'_>,
    wallet_id: &str,
    merchant_id: &str,
    payment_id: &str,
    applied: &[AppliedPromotion],
    campaigns: &[CampaignRow],
    now: i64,
) -> Result<(), ServiceError> {
    for (promotion, stored) in applied.iter().zip(campaigns) {
        let campaign_id = promotion.campaign_id.as_str();
        // A second quote made before the first payment said "first payment" too.
        if matches!(
            stored.campaign.reward,
            promo::Reward::FirstPaymentBonus { .. }
        ) && tx.payments_at(wallet_id, merchant_id).await? > 1
        {
            return Err(gone(
                campaign_id,
                "the wallet has paid the shop since the quote",
            ));
        }
        if !tx
            .spend_budget(campaign_id, promotion.saving.minor())
            .await?
        {
            return Err(gone(campaign_id, "the budget is spent"));
        }
        if !tx
            .use_campaign(campaign_id, wallet_id, stored.campaign.per_user_limit)
            .await?
        {
            return Err(gone(
                campaign_id,
                "the wallet has used it as often as it allows",
            ));
        }
        if let Some(coupon_id) = &promotion.coupon_id
            && !tx
                .use_coupon(coupon_id, wallet_id, campaign_id, payment_id, now)
                .await?
        {
            return Err(gone(campaign_id, "the coupon is used or expired"));
        }
    }
    Ok(())
}
