//! What the service knows about one payment: the merchant, how the user can pay, the campaigns
//! on offer, the user's history with them and the coupons the user holds.

use serde::{Deserialize, Serialize};

use super::campaign::Campaign;
use super::eligibility::FundingKind;
use crate::card::Brand;
use crate::money::Money;

/// The merchant being paid, as eligibility rules see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantFacts {
    pub id: String,
    pub group: Option<String>,
    /// ISO 18245 merchant category code, four digits ("5814").
    pub mcc: String,
    /// ISO 3166 two-letter code in capitals ("JP").
    pub country: String,
    /// The merchant's offset from UTC at the time of payment: weekday and hours rules follow
    /// the merchant's wall clock, not the user's.
    pub utc_offset_minutes: i32,
}

/// One way the user can pay.
///
/// Serialized as `"balance"` or `{"card":"<card id>"}`. The derived order, the balance first
/// and then cards by id, is the tie-break between equally cheap offers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingId {
    Balance,
    /// A card saved in the wallet, by its wallet id.
    Card(String),
}

impl FundingId {
    pub fn kind(&self) -> FundingKind {
        match self {
            FundingId::Balance => FundingKind::Balance,
            FundingId::Card(_) => FundingKind::Card,
        }
    }
}

/// A funding option with what card rules need to know about it; both `None` for the balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingOption {
    pub id: FundingId,
    pub brand: Option<Brand>,
    /// The card's leading digits: 8 when known, else 6. Never the whole number.
    pub bin: Option<String>,
}

/// The user's history with one campaign, and the campaign's spending so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub campaign_id: String,
    /// Payments this user has already used the campaign for.
    pub used_by_user: u32,
    /// What the campaign has paid out so far, across all users.
    pub budget_spent_minor: i64,
}

/// A coupon the user claimed into the wallet: it unlocks its campaign for one payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coupon {
    pub id: String,
    pub campaign_id: String,
    /// Unix seconds; the coupon works strictly before this instant.
    pub expires_at: i64,
    pub used: bool,
}

impl Coupon {
    /// Whether the coupon can still be used at `now` (unix seconds).
    pub fn is_redeemable(&self, now: i64) -> bool {
        !self.used && now < self.expires_at
    }
}

/// Everything the solver needs for one payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentContext {
    pub price: Money,
    pub merchant: MerchantFacts,
    /// Unix seconds.
    pub now: i64,
    /// The user has never paid this merchant before.
    pub first_payment_at_merchant: bool,
    pub fundings: Vec<FundingOption>,
    pub campaigns: Vec<Campaign>,
    /// One record per campaign the user or the budget has touched; a missing record is no use.
    /// If a campaign has several, the highest figures count.
    pub usage: Vec<Usage>,
    pub coupons: Vec<Coupon>,
    /// Drawn once by the service and stored with the quote; see [`draw`](super::draw).
    pub seed: u64,
}
