//! Promotions: which campaigns and coupons apply to a payment, and which funding option and
//! combination of them make the user pay least.
//!
//! Pure like the rest of the crate: the service passes the clock (`now`), the user's usage
//! and coupons, and the seed of the random instant discount in a [`PaymentContext`], so a
//! quote and the payment that follows it compute the same [`Offer`].
//!
//! # Rules
//!
//! - Amounts are integer minor units of the campaign's currency, and a campaign applies only to
//!   prices in that currency. A price of zero or less gets no promotion.
//! - Every saving is computed against the original price, never a price already discounted,
//!   and is capped at the price and at what is left of the campaign's budget. A campaign
//!   whose budget is spent or whose per-user limit is reached is not eligible.
//! - A campaign marked `coupon` applies only through a claimed [`Coupon`] that is unused and
//!   not expired (`now < expires_at`); when the user holds several, the one expiring first
//!   (then the smallest id) is used. Other campaigns apply automatically.
//! - Stacking ([`Stacking`]): an exclusive promotion is applied alone; otherwise at most one
//!   one-per-funder promotion per [`Funder`] (coupons included), with any number of stackable
//!   ones.
//! - Fail closed: a campaign that fails [`validate`], or an id listed twice with different
//!   contents (campaign or coupon), never applies. Exact repeats count once.
//!
//! # Choosing
//!
//! For each funding option the solver compares every exclusive promotion alone with the best
//! combination of the rest (every stackable and each funder's best one-per-funder). Among
//! choices it prefers, in order:
//!
//! 1. the lowest amount to pay;
//! 2. the balance before cards, and cards by id (this only ranks [`offers`]);
//! 3. fewer promotions applied;
//! 4. the lexicographically smallest list of campaign ids, sorted.
//!
//! Nothing depends on the order campaigns, coupons, usage or funding options are listed in.
//!
//! # Settling
//!
//! The applied promotions are listed merchant-funded first, then issuer-funded, then
//! operator-funded, each group by campaign id. When together they would save more than the
//! price, the last ones give way: each saves at most what is still left to pay, so the
//! operator's saving shrinks first and the merchant's last. The savings then add up exactly
//! to `price - pay`, so the ledger can post each to its funder.

mod campaign;
mod context;
mod draw;
mod eligibility;
mod solver;
#[cfg(test)]
mod tests;

pub use campaign::{Campaign, Funder, PromoError, Reward, Stacking, validate};
pub use context::{Coupon, FundingId, FundingOption, MerchantFacts, PaymentContext, Usage};
pub use draw::draw;
pub use eligibility::{BinRange, Eligibility, FundingKind, TimeWindow};
pub use solver::{Applied, Offer, best, offers};
