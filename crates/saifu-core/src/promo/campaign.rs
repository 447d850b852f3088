//! Campaigns: what a promotion gives, who pays for it, and what it combines with.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::context::PaymentContext;
use super::draw::draw;
use super::eligibility::Eligibility;
use crate::money::Currency;

/// Who pays for a promotion: the ledger posts its saving to this party's account.
///
/// The order (merchant, issuer, operator) is the order savings are applied in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Funder {
    Merchant,
    Issuer,
    /// The wallet operator, Saifu itself.
    Operator,
}

/// What a promotion takes off the price. Amounts are minor units of the campaign's currency.
///
/// Serialized with a `kind` tag: `{"kind":"threshold_off","spend_minor":3000,"off_minor":500}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reward {
    /// A share of the price in basis points (1000 = 10%), rounded down so it never gives more
    /// than stated, and at most `cap` when there is one.
    PercentOff {
        basis_points: u32,
        cap: Option<i64>,
    },
    AmountOff {
        minor: i64,
    },
    /// `off_minor` when the price is at least `spend_minor` ("¥5 off ¥30").
    ThresholdOff {
        spend_minor: i64,
        off_minor: i64,
    },
    /// An amount from `min_minor` to `max_minor` inclusive, drawn by [`draw`] from the
    /// payment's seed so that the quote and the payment agree.
    RandomOff {
        min_minor: i64,
        max_minor: i64,
    },
    /// Only on the user's first payment at the merchant.
    FirstPaymentBonus {
        minor: i64,
    },
}

/// How a promotion combines with others in one payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stacking {
    /// At most one one-per-funder promotion per [`Funder`] in a payment, coupons included.
    OnePerFunder,
    /// Combines with anything except an exclusive promotion.
    Stackable,
    /// Must be the only promotion applied.
    Exclusive,
}

/// A promotion as the service stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    /// Unique: coupons, usage and tie-breaks refer to campaigns by id.
    pub id: String,
    /// Shown to the user next to the saving, in English.
    pub name: String,
    /// The name in other languages, by BCP 47 tag ("zh-CN", "ja"). Where a language has
    /// none, the app words the offer from its facts instead of showing the English one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, String>,
    pub funder: Funder,
    pub reward: Reward,
    /// The currency of the reward's amounts; the campaign applies only to prices in it.
    pub currency: Currency,
    #[serde(default)]
    pub eligibility: Eligibility,
    pub stacking: Stacking,
    /// Applies only through a claimed [`Coupon`](super::Coupon), never automatically.
    #[serde(default)]
    pub coupon: bool,
    /// How many payments one user may use it for; `None` is no limit.
    pub per_user_limit: Option<u32>,
    /// The total the funder will spend on it, in minor units; `None` is no limit.
    pub budget_minor: Option<i64>,
}

impl Campaign {
    /// Whether it can discount a price at `merchant`, charged in `currency`, at some time:
    /// the rules on the merchant, its group, category and country, and the currency, without
    /// the clock and the card rules.
    pub fn applies_at(&self, merchant: &super::MerchantFacts, currency: Currency) -> bool {
        self.currency == currency && self.eligibility.admits_merchant(merchant, currency)
    }
}

/// Why a campaign cannot be offered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PromoError {
    #[error("a campaign needs an id")]
    MissingId,
    #[error("{field} is {value}, but amounts cannot be negative")]
    NegativeAmount { field: &'static str, value: i64 },
    #[error("{0} basis points is more than 100% off; the most is 10000")]
    PercentOver100(u32),
    #[error("the random discount's minimum {min} is above its maximum {max}")]
    InvertedRandomRange { min: i64, max: i64 },
    #[error(
        "BIN range {low:?} to {high:?}: both ends need 6 or 8 digits, the same number, low first"
    )]
    BadBinRange { low: String, high: String },
    #[error("there is no weekday {0}; days run from 1 (Monday) to 7 (Sunday)")]
    BadWeekday(u8),
    #[error(
        "hours from minute {from} until minute {until}: minutes run from 0 to 1440 and the hours must not be empty or run past midnight"
    )]
    BadHours { from: u16, until: u16 },
    #[error("the campaign ends (at {ends}) before it starts (at {starts})")]
    BadDates { starts: i64, ends: i64 },
    #[error("the campaign pays in {campaign} but is restricted to prices in {eligible}")]
    CurrencyConflict {
        campaign: Currency,
        eligible: Currency,
    },
    #[error("merchant category code {0:?} is not four digits")]
    BadMcc(String),
    #[error("country {0:?} is not an ISO 3166 two-letter code in capitals")]
    BadCountry(String),
}

/// Checks a campaign before it is stored; the solver also skips campaigns that fail it, so a
/// bad one can never discount a payment.
pub fn validate(campaign: &Campaign) -> Result<(), PromoError> {
    if campaign.id.is_empty() {
        return Err(PromoError::MissingId);
    }
    let non_negative = |field: &'static str, value: i64| {
        if value < 0 {
            Err(PromoError::NegativeAmount { field, value })
        } else {
            Ok(())
        }
    };
    match campaign.reward {
        Reward::PercentOff { basis_points, cap } => {
            if basis_points > 10_000 {
                return Err(PromoError::PercentOver100(basis_points));
            }
            if let Some(cap) = cap {
                non_negative("cap", cap)?;
            }
        }
        Reward::AmountOff { minor } | Reward::FirstPaymentBonus { minor } => {
            non_negative("minor", minor)?;
        }
        Reward::ThresholdOff {
            spend_minor,
            off_minor,
        } => {
            non_negative("spend_minor", spend_minor)?;
            non_negative("off_minor", off_minor)?;
        }
        Reward::RandomOff {
            min_minor,
            max_minor,
        } => {
            non_negative("min_minor", min_minor)?;
            if min_minor > max_minor {
                return Err(PromoError::InvertedRandomRange {
                    min: min_minor,
                    max: max_minor,
                });
            }
        }
    }
    if let Some(budget) = campaign.budget_minor {
        non_negative("budget_minor", budget)?;
    }
    campaign.eligibility.check(campaign.currency)
}

impl Reward {
    /// What this reward takes off the payment's price, before the caps at the price and the
    /// budget; `None` when it does not apply to this payment.
    pub(super) fn saving(&self, campaign_id: &str, ctx: &PaymentContext) -> Option<i64> {
        let price = ctx.price.minor();
        match *self {
            Reward::PercentOff { basis_points, cap } => {
                // An i64 times a u32 fits an i128; dividing by the positive 10000 rounds down.
                let off = i128::from(price) * i128::from(basis_points) / 10_000;
                let off = i64::try_from(off).ok()?;
                Some(cap.map_or(off, |cap| off.min(cap)))
            }
            Reward::AmountOff { minor } => Some(minor),
            Reward::ThresholdOff {
                spend_minor,
                off_minor,
            } => (price >= spend_minor).then_some(off_minor),
            Reward::RandomOff {
                min_minor,
                max_minor,
            } => Some(draw(ctx.seed, campaign_id, min_minor, max_minor)),
            Reward::FirstPaymentBonus { minor } => ctx.first_payment_at_merchant.then_some(minor),
        }
    }
}
