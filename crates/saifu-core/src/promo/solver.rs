//! The solver: for each funding option, the promotions that make the payment cheapest.
//!
//! Totals of savings are summed in i128: each saving fits an i64, so no count of them that
//! fits in memory can overflow it.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::campaign::{Campaign, Funder, Stacking, validate};
use super::context::{Coupon, FundingId, PaymentContext};
use crate::money::Money;

/// One promotion in an offer and what it saves; the ledger posts `saving` to `funder`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub campaign_id: String,
    /// The coupon redeemed for it, which the service marks used with the payment.
    pub coupon_id: Option<String>,
    /// The campaign's name, to show next to the saving, in English and by language tag.
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, String>,
    pub funder: Funder,
    pub saving: Money,
}

/// What the user pays with one funding option, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub funding: FundingId,
    pub price: Money,
    /// In the order they are applied; see the module docs.
    pub applied: Vec<Applied>,
    /// `price` less the applied savings, never below zero.
    pub pay: Money,
}

impl Offer {
    /// The total saving, `price - pay`; for an offer from [`offers`] also exactly the sum of
    /// the applied savings.
    pub fn saving(&self) -> Money {
        Money::from_minor(
            self.price.minor().saturating_sub(self.pay.minor()),
            self.price.currency(),
        )
    }
}

/// The best offer for each funding option, best first: lowest pay, then the balance before
/// cards and cards by id, then fewer promotions, then the smallest sorted campaign ids.
pub fn offers(ctx: &PaymentContext) -> Vec<Offer> {
    let candidates = candidates(ctx);
    let mut offers: Vec<Offer> = ctx
        .fundings
        .iter()
        .map(|funding| {
            let usable = candidates
                .iter()
                .filter(|c| c.campaign.eligibility.admits_funding(funding))
                .collect();
            settle(ctx, &funding.id, choose(ctx.price.minor(), usable))
        })
        .collect();
    offers.sort_by(|a, b| rank(a).cmp(&rank(b)));
    offers
}

/// The cheapest way to pay, or `None` when the user has no funding option.
pub fn best(ctx: &PaymentContext) -> Option<Offer> {
    offers(ctx).into_iter().next()
}

/// A campaign that passes every rule except the card rules, which depend on the funding
/// option, with the coupon it needs.
pub(super) struct Candidate<'a> {
    pub(super) campaign: &'a Campaign,
    coupon: Option<&'a Coupon>,
    /// Positive, and at most the price and the campaign's remaining budget.
    pub(super) saving: i64,
}

/// Every campaign that passes the payment's own rules (all but the card rules), sorted by id.
pub(super) fn candidates(ctx: &PaymentContext) -> Vec<Candidate<'_>> {
    if ctx.price.minor() <= 0 {
        return Vec::new();
    }
    let coupons = unique_by_id(&ctx.coupons, |coupon| &coupon.id);
    unique_by_id(&ctx.campaigns, |campaign| &campaign.id)
        .into_iter()
        .filter_map(|campaign| candidate(ctx, campaign, &coupons))
        .collect()
}

fn candidate<'a>(
    ctx: &'a PaymentContext,
    campaign: &'a Campaign,
    coupons: &[&'a Coupon],
) -> Option<Candidate<'a>> {
    let currency = ctx.price.currency();
    let eligible = validate(campaign).is_ok()
        && campaign.currency == currency
        && campaign
            .eligibility
            .admits_payment(&ctx.merchant, currency, ctx.now);
    if !eligible {
        return None;
    }
    let (used, spent) = usage(ctx, &campaign.id);
    if campaign.per_user_limit.is_some_and(|limit| used >= limit) {
        return None;
    }
    let budget_left = match campaign.budget_minor {
        Some(budget) => budget.checked_sub(spent)?,
        None => i64::MAX,
    };
    let coupon = if campaign.coupon {
        let redeemable = coupons
            .iter()
            .filter(|coupon| coupon.campaign_id == campaign.id && coupon.is_redeemable(ctx.now));
        // The one expiring first; ids are unique, so this is one coupon whatever the order.
        Some(*redeemable.min_by_key(|coupon| (coupon.expires_at, &coupon.id))?)
    } else {
        None
    };
    let saving = campaign
        .reward
        .saving(&campaign.id, ctx)?
        .min(ctx.price.minor())
        .min(budget_left);
    (saving > 0).then_some(Candidate {
        campaign,
        coupon,
        saving,
    })
}

/// `items` by id, one per id. An id shared by different items is left out altogether: which
/// one the service meant cannot be known, so none applies. Exact repeats count once.
fn unique_by_id<T: PartialEq>(items: &[T], id: impl Fn(&T) -> &String) -> Vec<&T> {
    let mut by_id: BTreeMap<&String, Vec<&T>> = BTreeMap::new();
    for item in items {
        by_id.entry(id(item)).or_default().push(item);
    }
    by_id
        .into_values()
        .filter_map(|same| {
            let first = same[0];
            same.iter().all(|item| *item == first).then_some(first)
        })
        .collect()
}

/// The user's uses of a campaign and what its budget has spent; the highest figures when
/// several records are given, zero when none is.
fn usage(ctx: &PaymentContext, campaign_id: &str) -> (u32, i64) {
    ctx.usage
        .iter()
        .filter(|usage| usage.campaign_id == campaign_id)
        .fold((0, 0), |(used, spent), usage| {
            (
                used.max(usage.used_by_user),
                spent.max(usage.budget_spent_minor),
            )
        })
}

/// The promotions that make `price` cheapest: each exclusive candidate alone, or the best
/// combination of the others, whichever ranks first by [`selection_rank`].
fn choose<'c, 'a>(price: i64, usable: Vec<&'c Candidate<'a>>) -> Vec<&'c Candidate<'a>> {
    let (exclusive, combinable): (Vec<_>, Vec<_>) = usable
        .into_iter()
        .partition(|c| c.campaign.stacking == Stacking::Exclusive);
    exclusive
        .into_iter()
        .map(|c| vec![c])
        .chain([combine(price, combinable)])
        .min_by_key(|selection| selection_rank(price, selection))
        .unwrap_or_default()
}

/// What to pay, how many promotions, and their ids sorted: the smallest wins.
fn selection_rank<'a>(price: i64, selection: &[&Candidate<'a>]) -> (i128, usize, Vec<&'a str>) {
    let pay = (i128::from(price) - total(selection)).max(0);
    let mut ids: Vec<&str> = selection.iter().map(|c| c.campaign.id.as_str()).collect();
    ids.sort_unstable();
    (pay, selection.len(), ids)
}

/// The best combination of stackable and one-per-funder candidates.
///
/// When they cannot cover the price, that is all of them that can go together: every
/// stackable and each funder's best one-per-funder. When they can, every combination that
/// covers it pays nothing, so the fewest promotions that do win, then the smallest ids.
fn combine<'c, 'a>(price: i64, mut items: Vec<&'c Candidate<'a>>) -> Vec<&'c Candidate<'a>> {
    let widest = joinable(&[], &items);
    let Some(count) = fewest_to_cover(price, &widest) else {
        return widest;
    };
    items.sort_by(|a, b| a.campaign.id.cmp(&b.campaign.id));
    smallest_ids_covering(price, &items, count)
}

/// How few promotions from `pool`, largest first, cover `price`; `None` if all fall short.
fn fewest_to_cover(price: i64, pool: &[&Candidate<'_>]) -> Option<usize> {
    largest_first(pool)
        .into_iter()
        .scan(0_i128, |total, saving| {
            *total += i128::from(saving);
            Some(*total)
        })
        .position(|total| total >= i128::from(price))
        .map(|index| index + 1)
}

/// The `count` promotions whose sorted ids are lexicographically smallest among those that
/// cover `price`, from `items` sorted by id.
///
/// Each step takes the smallest id after the last one taken that can still be completed to
/// cover the price with larger ids; whether it can is the largest savings [`joinable`] allows
/// in the remaining slots. `count` is the fewest that cover the price, so every step finds
/// one, and the first `count` steps cover it. Quadratic in the candidates, which a payment
/// has few of, and only run when the price is covered.
fn smallest_ids_covering<'c, 'a>(
    price: i64,
    items: &[&'c Candidate<'a>],
    count: usize,
) -> Vec<&'c Candidate<'a>> {
    let mut chosen: Vec<&Candidate<'a>> = Vec::with_capacity(count);
    let mut rest = items;
    while chosen.len() < count {
        let slots_after = count - chosen.len() - 1;
        let short = i128::from(price) - total(&chosen);
        let next = rest.iter().enumerate().find(|&(at, item)| {
            if !fits(&chosen, item) {
                return false;
            }
            let with: Vec<&Candidate<'a>> = chosen.iter().copied().chain([*item]).collect();
            let best_completion = largest_first(&joinable(&with, &rest[at + 1..]))
                .into_iter()
                .take(slots_after)
                .map(i128::from)
                .sum::<i128>();
            i128::from(item.saving) + best_completion >= short
        });
        let Some((at, &item)) = next else { break };
        chosen.push(item);
        rest = &rest[at + 1..];
    }
    chosen
}

/// The candidates from `items` that can still join `chosen`, keeping only what matters for
/// the largest total: every stackable, and for each funder not yet taken by a one-per-funder
/// in `chosen`, its best one-per-funder (largest saving, then smallest id).
fn joinable<'c, 'a>(
    chosen: &[&Candidate<'a>],
    items: &[&'c Candidate<'a>],
) -> Vec<&'c Candidate<'a>> {
    let mut pool = Vec::new();
    let mut best_per_funder: BTreeMap<Funder, &Candidate<'a>> = BTreeMap::new();
    for &item in items.iter().filter(|item| fits(chosen, item)) {
        if item.campaign.stacking == Stacking::OnePerFunder {
            let best = best_per_funder.entry(item.campaign.funder).or_insert(item);
            if (Reverse(item.saving), &item.campaign.id) < (Reverse(best.saving), &best.campaign.id)
            {
                *best = item;
            }
        } else {
            pool.push(item);
        }
    }
    pool.extend(best_per_funder.into_values());
    pool
}

/// Whether `item` may join `chosen`, which holds no exclusive promotion.
fn fits(chosen: &[&Candidate<'_>], item: &Candidate<'_>) -> bool {
    match item.campaign.stacking {
        Stacking::Stackable => true,
        Stacking::OnePerFunder => !chosen.iter().any(|c| {
            c.campaign.stacking == Stacking::OnePerFunder
                && c.campaign.funder == item.campaign.funder
        }),
        Stacking::Exclusive => false,
    }
}

fn largest_first(pool: &[&Candidate<'_>]) -> Vec<i64> {
    let mut savings: Vec<i64> = pool.iter().map(|c| c.saving).collect();
    savings.sort_unstable_by_key(|&saving| Reverse(saving));
    savings
}

fn total(selection: &[&Candidate<'_>]) -> i128 {
    selection.iter().map(|c| i128::from(c.saving)).sum()
}

/// The offer for `chosen`, applied by funder then campaign id. Each promotion saves at most
/// what is still left to pay, so when the total would pass the price the last ones give way.
fn settle(ctx: &PaymentContext, funding: &FundingId, mut chosen: Vec<&Candidate<'_>>) -> Offer {
    chosen.sort_by(|a, b| {
        (a.campaign.funder, &a.campaign.id).cmp(&(b.campaign.funder, &b.campaign.id))
    });
    let currency = ctx.price.currency();
    let mut left = ctx.price.minor();
    let applied = chosen
        .into_iter()
        .map(|c| {
            let saving = c.saving.min(left);
            // Cannot overflow: 0 <= saving <= left.
            left -= saving;
            Applied {
                campaign_id: c.campaign.id.clone(),
                coupon_id: c.coupon.map(|coupon| coupon.id.clone()),
                name: c.campaign.name.clone(),
                names: c.campaign.names.clone(),
                funder: c.campaign.funder,
                saving: Money::from_minor(saving, currency),
            }
        })
        .collect();
    Offer {
        funding: funding.clone(),
        price: ctx.price,
        applied,
        pay: Money::from_minor(left, currency),
    }
}

/// The order of [`offers`]: what to pay, then funding (the balance, then cards by id), then
/// how many promotions, then their ids sorted.
fn rank(offer: &Offer) -> (i64, &FundingId, usize, Vec<&str>) {
    let mut ids: Vec<&str> = offer
        .applied
        .iter()
        .map(|a| a.campaign_id.as_str())
        .collect();
    ids.sort_unstable();
    (offer.pay.minor(), &offer.funding, offer.applied.len(), ids)
}
