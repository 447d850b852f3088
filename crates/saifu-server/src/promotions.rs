//! Promotions in the database: campaigns and who funds them, each wallet's use of them, and
//! its coupons. A quote is priced with the [`context`] read here; its payment consumes what
//! the offer it names promised with [`redeem`], inside the payment's own transaction.

use saifu_api::AppliedPromotion;
use saifu_core::money::{Currency, Money};
use saifu_core::promo::{
    self, Campaign, Funder, FundingOption, MerchantFacts, PaymentContext, PromoError, Reward, Usage,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use crate::db::{Db, MerchantRow};

/// How long a claimed coupon lasts when its campaign does not say.
pub const COUPON_SECONDS: i64 = 30 * 86_400;

/// Who pays for a campaign's savings: the kind of funder and the party itself. The ledger
/// posts the savings to this party's promotion account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FundedBy {
    /// A merchant, by id.
    Merchant(String),
    /// A card issuer, by name.
    Issuer(String),
    /// The wallet operator, Saifu.
    Operator,
}

impl FundedBy {
    pub fn funder(&self) -> Funder {
        match self {
            FundedBy::Merchant(_) => Funder::Merchant,
            FundedBy::Issuer(_) => Funder::Issuer,
            FundedBy::Operator => Funder::Operator,
        }
    }

    /// The `funder` and `funder_ref` columns.
    fn columns(&self) -> (&'static str, &str) {
        match self {
            FundedBy::Merchant(merchant_id) => ("merchant", merchant_id),
            FundedBy::Issuer(issuer) => ("issuer", issuer),
            FundedBy::Operator => ("operator", "operator"),
        }
    }

    fn from_columns(funder: &str, funder_ref: String) -> Option<FundedBy> {
        match funder {
            "merchant" => Some(FundedBy::Merchant(funder_ref)),
            "issuer" => Some(FundedBy::Issuer(funder_ref)),
            "operator" => Some(FundedBy::Operator),
            _ => None,
        }
    }
}

/// A campaign as the service keeps it: saifu-core's rules plus what only the service knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignRow {
    pub campaign: Campaign,
    pub funded_by: FundedBy,
    /// How long a claimed coupon lasts, never past the campaign's end; `None` is
    /// [`COUPON_SECONDS`]. Coupon campaigns only.
    pub coupon_valid_seconds: Option<i64>,
    /// Only for wallets whose home currency is not the campaign's: visitors from abroad.
    pub visitors_only: bool,
}

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
    Database(#[from] sqlx::Error),
}

/// Adds a campaign or replaces its definition, checked first with [`promo::validate`]. What
/// it has spent and what each wallet has used of it stay.
pub async fn upsert_campaign(db: &Db, row: &CampaignRow, now: i64) -> Result<(), CampaignError> {
    let campaign = &row.campaign;
    promo::validate(campaign).map_err(|error| CampaignError::Invalid {
        id: campaign.id.clone(),
        error,
    })?;
    let (funder, funder_ref) = row.funded_by.columns();
    if row.funded_by.funder() != campaign.funder || funder_ref.trim().is_empty() {
        return Err(CampaignError::Funder(campaign.id.clone()));
    }
    if row.coupon_valid_seconds.is_some_and(|seconds| seconds <= 0) {
        return Err(CampaignError::CouponValidity(campaign.id.clone()));
    }
    let definition =
        serde_json::to_string(campaign).map_err(|error| sqlx::Error::Encode(error.into()))?;
    sqlx::query(
        "INSERT INTO campaigns (campaign_id, name, definition, currency, funder, funder_ref, budget_minor, per_user_limit, coupon_valid_seconds, visitors_only, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (campaign_id) DO UPDATE SET name = $2, definition = $3, currency = $4, funder = $5, funder_ref = $6,
             budget_minor = $7, per_user_limit = $8, coupon_valid_seconds = $9, visitors_only = $10, updated_at = $11",
    )
    .bind(&campaign.id)
    .bind(&campaign.name)
    .bind(definition)
    .bind(campaign.currency.code())
    .bind(funder)
    .bind(funder_ref)
    .bind(campaign.budget_minor)
    .bind(campaign.per_user_limit.map(i64::from))
    .bind(row.coupon_valid_seconds)
    .bind(i32::from(row.visitors_only))
    .bind(now)
    .execute(&db.writer)
    .await?;
    Ok(())
}

/// A campaign with what it has spent so far and how often one wallet has used it.
#[derive(Clone, Debug)]
pub struct Standing {
    pub row: CampaignRow,
    pub budget_spent_minor: i64,
    pub used_by_wallet: u32,
}

impl Standing {
    /// Whether it can still discount one of the wallet's payments: budget and uses are left.
    pub fn available(&self) -> bool {
        let campaign = &self.row.campaign;
        campaign
            .budget_minor
            .is_none_or(|budget| self.budget_spent_minor < budget)
            && campaign
                .per_user_limit
                .is_none_or(|limit| self.used_by_wallet < limit)
    }

    /// Whether a wallet keeping its money in `home` may use it.
    pub fn open_to(&self, home: Currency) -> bool {
        !self.row.visitors_only || home != self.row.campaign.currency
    }

    /// Whether `now` is between its start and its end; the weekdays and hours within are
    /// for the solver, at the shop's wall clock.
    pub fn running(&self, now: i64) -> bool {
        let window = &self.row.campaign.eligibility.window;
        window.starts_at.is_none_or(|starts| starts <= now)
            && window.ends_at.is_none_or(|ends| now < ends)
    }

    fn usage(&self) -> Usage {
        Usage {
            campaign_id: self.row.campaign.id.clone(),
            used_by_user: self.used_by_wallet,
            budget_spent_minor: self.budget_spent_minor,
        }
    }
}

/// A literal `SELECT` of campaigns with the uses of wallet `$1`, followed by `$rest`.
macro_rules! select_standings {
    ($rest:literal) => {
        concat!(
            "SELECT c.campaign_id, c.definition, c.funder, c.funder_ref, c.coupon_valid_seconds, c.visitors_only, c.budget_spent_minor, u.uses
             FROM campaigns c LEFT JOIN campaign_usage u ON u.campaign_id = c.campaign_id AND u.wallet_id = $1 ",
            $rest
        )
    };
}

fn decode_error(error: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(error))
}

#[derive(Debug, thiserror::Error)]
#[error("unknown funder {0:?}")]
struct UnknownFunder(String);

fn campaign_row(row: &AnyRow) -> Result<CampaignRow, sqlx::Error> {
    let definition: String = row.try_get("definition")?;
    let funder: String = row.try_get("funder")?;
    let funded_by = FundedBy::from_columns(&funder, row.try_get("funder_ref")?)
        .ok_or_else(|| decode_error(UnknownFunder(funder)))?;
    let visitors_only: i32 = row.try_get("visitors_only")?;
    Ok(CampaignRow {
        campaign: serde_json::from_str(&definition).map_err(decode_error)?,
        funded_by,
        coupon_valid_seconds: row.try_get("coupon_valid_seconds")?,
        visitors_only: visitors_only != 0,
    })
}

fn standing(row: &AnyRow) -> Result<Standing, sqlx::Error> {
    let uses: Option<i64> = row.try_get("uses")?;
    Ok(Standing {
        row: campaign_row(row)?,
        budget_spent_minor: row.try_get("budget_spent_minor")?,
        used_by_wallet: u32::try_from(uses.unwrap_or(0)).unwrap_or(u32::MAX),
    })
}

/// Leaves out, and logs, a stored campaign that no longer decodes: failing closed, it
/// discounts nothing, and every other campaign still works.
fn decoded(row: &AnyRow) -> Option<Standing> {
    standing(row)
        .map_err(|error| {
            let campaign_id: Option<String> = row.try_get("campaign_id").ok();
            tracing::error!(?campaign_id, %error, "a stored campaign does not decode");
        })
        .ok()
}

/// The campaigns in `currency`, or all of them, with the uses of `wallet_id`.
pub async fn standings(
    db: &Db,
    wallet_id: &str,
    currency: Option<Currency>,
) -> Result<Vec<Standing>, sqlx::Error> {
    let rows = match currency {
        Some(currency) => {
            sqlx::query(select_standings!(
                "WHERE c.currency = $2 ORDER BY c.campaign_id"
            ))
            .bind(wallet_id)
            .bind(currency.code())
            .fetch_all(&db.pool)
            .await?
        }
        None => {
            sqlx::query(select_standings!("ORDER BY c.campaign_id"))
                .bind(wallet_id)
                .fetch_all(&db.pool)
                .await?
        }
    };
    Ok(rows.iter().filter_map(decoded).collect())
}

/// One campaign with the uses of `wallet_id`.
pub async fn standing_of(
    db: &Db,
    wallet_id: &str,
    campaign_id: &str,
) -> Result<Option<Standing>, sqlx::Error> {
    let row = sqlx::query(select_standings!("WHERE c.campaign_id = $2"))
        .bind(wallet_id)
        .bind(campaign_id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.as_ref().and_then(decoded))
}

/// A coupon in a wallet, with its campaign.
#[derive(Clone, Debug)]
pub struct CouponRow {
    pub coupon_id: String,
    pub campaign: Campaign,
    pub claimed_at: i64,
    /// Unix seconds; the coupon works strictly before.
    pub expires_at: i64,
    pub used_by_payment: Option<String>,
}

/// The wallet's coupons, used and expired ones too, newest first.
pub async fn wallet_coupons(db: &Db, wallet_id: &str) -> Result<Vec<CouponRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT k.coupon_id, k.claimed_at, k.expires_at, k.used_by_payment, c.definition
         FROM coupons k JOIN campaigns c ON c.campaign_id = k.campaign_id
         WHERE k.wallet_id = $1 ORDER BY k.claimed_at DESC, k.coupon_id",
    )
    .bind(wallet_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let definition: String = row.try_get("definition")?;
            Ok(CouponRow {
                coupon_id: row.try_get("coupon_id")?,
                campaign: serde_json::from_str(&definition).map_err(decode_error)?,
                claimed_at: row.try_get("claimed_at")?,
                expires_at: row.try_get("expires_at")?,
                used_by_payment: row.try_get("used_by_payment")?,
            })
        })
        .collect()
}

/// Stores a claimed coupon. The wallet's expired unused coupons of the campaign are dropped
/// first: they are worth nothing, and the one-unused-coupon index would refuse the claim. A
/// unique violation means the wallet holds a usable one already.
pub async fn insert_coupon(
    db: &Db,
    wallet_id: &str,
    coupon: &CouponRow,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "DELETE FROM coupons WHERE wallet_id = $1 AND campaign_id = $2 AND used_by_payment IS NULL AND expires_at <= $3",
    )
    .bind(wallet_id)
    .bind(&coupon.campaign.id)
    .bind(coupon.claimed_at)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO coupons (coupon_id, wallet_id, campaign_id, claimed_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&coupon.coupon_id)
    .bind(wallet_id)
    .bind(&coupon.campaign.id)
    .bind(coupon.claimed_at)
    .bind(coupon.expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// How many payments the wallet has made at the merchant, read through `executor`: in a
/// payment, its transaction, where the count includes the payment itself. Planned afresh
/// each time: PostgreSQL's cached generic plan of this join, made while the tables were
/// nearly empty, scans both of them, and takes a second once a wallet has made thousands
/// of payments (until the tables are next analysed).
async fn payments_at<'c>(
    executor: impl Executor<'c, Database = Any>,
    wallet_id: &str,
    merchant_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "SELECT COUNT(*) AS payments FROM payments p JOIN quotes q ON q.quote_id = p.quote_id
         WHERE p.wallet_id = $1 AND q.merchant_id = $2",
    )
    .persistent(false)
    .bind(wallet_id)
    .bind(merchant_id)
    .fetch_one(executor)
    .await?
    .try_get("payments")
}

/// The merchant as eligibility rules see it.
pub fn merchant_facts(merchant: &MerchantRow) -> MerchantFacts {
    MerchantFacts {
        id: merchant.merchant_id.clone(),
        group: merchant.group.clone(),
        mcc: merchant.mcc.clone(),
        country: merchant.country.clone(),
        utc_offset_minutes: merchant.utc_offset_minutes,
    }
}

/// Whether `campaign` can discount a price at `merchant` at some time: saifu-core's rules on
/// the merchant, its group, category, country and currency, without the clock and the card
/// rules, which a promotion's listing shows instead.
pub fn applies_at(campaign: &Campaign, merchant: &MerchantRow) -> bool {
    let rules = &campaign.eligibility;
    let at_merchant = (rules.merchants.is_empty() && rules.merchant_groups.is_empty())
        || rules.merchants.contains(&merchant.merchant_id)
        || merchant
            .group
            .as_ref()
            .is_some_and(|group| rules.merchant_groups.contains(group));
    // `validate` keeps an eligible currency equal to the campaign's.
    at_merchant
        && (rules.mccs.is_empty() || rules.mccs.contains(&merchant.mcc))
        && rules
            .country
            .as_ref()
            .is_none_or(|country| *country == merchant.country)
        && campaign.currency.code() == merchant.currency
}

/// Who is paying: the wallet, the currency it keeps its money in, and how it can pay.
#[derive(Clone, Debug)]
pub struct Payer {
    pub wallet_id: String,
    pub home: Currency,
    pub fundings: Vec<FundingOption>,
}

/// Everything the solver needs to price `price` at `merchant` for `payer` at `now`, with the
/// seed of its random discounts.
pub async fn context(
    db: &Db,
    payer: Payer,
    merchant: &MerchantRow,
    price: Money,
    now: i64,
    seed: u64,
) -> Result<PaymentContext, sqlx::Error> {
    let standings: Vec<Standing> = standings(db, &payer.wallet_id, Some(price.currency()))
        .await?
        .into_iter()
        .filter(|standing| standing.open_to(payer.home))
        .collect();
    let coupons = wallet_coupons(db, &payer.wallet_id)
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
    let first_payment_at_merchant =
        payments_at(&db.pool, &payer.wallet_id, &merchant.merchant_id).await? == 0;
    Ok(PaymentContext {
        price,
        merchant: merchant_facts(merchant),
        now,
        first_payment_at_merchant,
        fundings: payer.fundings,
        usage: standings.iter().map(Standing::usage).collect(),
        campaigns: standings
            .into_iter()
            .map(|standing| standing.row.campaign)
            .collect(),
        coupons,
        seed,
    })
}

/// Why a payment cannot have a promotion its quote promised.
#[derive(Debug, thiserror::Error)]
pub enum RedeemError {
    #[error("campaign {campaign_id}: {reason}")]
    Gone {
        campaign_id: String,
        reason: &'static str,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The stored campaigns of an offer's promotions, in order, read in the payment's
/// transaction `tx`: who funds each saving, and the rules [`redeem`] checks again.
pub async fn applied_campaigns(
    connection: &mut AnyConnection,
    applied: &[AppliedPromotion],
) -> Result<Vec<CampaignRow>, RedeemError> {
    let mut campaigns = Vec::with_capacity(applied.len());
    for promotion in applied {
        let row = sqlx::query(
            "SELECT definition, funder, funder_ref, coupon_valid_seconds, visitors_only FROM campaigns WHERE campaign_id = $1",
        )
        .bind(&promotion.campaign_id)
        .fetch_optional(&mut *connection)
        .await?
        .ok_or_else(|| RedeemError::Gone {
            campaign_id: promotion.campaign_id.clone(),
            reason: "the campaign is gone",
        })?;
        campaigns.push(campaign_row(&row)?);
    }
    Ok(campaigns)
}

/// Consumes what `applied` promised, in the transaction `tx` of payment `payment_id`, after
/// the payment's row: each campaign's budget, the wallet's use of it, and its coupon.
/// `campaigns` are theirs, from [`applied_campaigns`]. Each is one guarded statement whose
/// row count says whether the guard held; the database serialises the updates of a row and
/// checks the guard against its latest version, so concurrent payments never together spend
/// more than a budget or a limit allows.
pub async fn redeem(
    connection: &mut AnyConnection,
    wallet_id: &str,
    merchant_id: &str,
    payment_id: &str,
    applied: &[AppliedPromotion],
    campaigns: &[CampaignRow],
    now: i64,
) -> Result<(), RedeemError> {
    for (promotion, stored) in applied.iter().zip(campaigns) {
        let campaign_id = promotion.campaign_id.as_str();
        let gone = |reason| RedeemError::Gone {
            campaign_id: campaign_id.to_owned(),
            reason,
        };
        // A second quote made before the first payment said "first payment" too.
        if matches!(stored.campaign.reward, Reward::FirstPaymentBonus { .. })
            && payments_at(&mut *connection, wallet_id, merchant_id).await? > 1
        {
            return Err(gone("the wallet has paid the shop since the quote"));
        }
        let spent = sqlx::query(
            "UPDATE campaigns SET budget_spent_minor = budget_spent_minor + $1
             WHERE campaign_id = $2 AND (budget_minor IS NULL OR budget_spent_minor + $1 <= budget_minor)",
        )
        .bind(promotion.saving.minor())
        .bind(campaign_id)
        .execute(&mut *connection)
        .await?;
        if spent.rows_affected() != 1 {
            return Err(gone("the budget is spent"));
        }
        sqlx::query(
            "INSERT INTO campaign_usage (campaign_id, wallet_id, uses) VALUES ($1, $2, 0)
             ON CONFLICT (campaign_id, wallet_id) DO NOTHING",
        )
        .bind(campaign_id)
        .bind(wallet_id)
        .execute(&mut *connection)
        .await?;
        let used = sqlx::query(
            "UPDATE campaign_usage SET uses = uses + 1 WHERE campaign_id = $1 AND wallet_id = $2 AND uses < $3",
        )
        .bind(campaign_id)
        .bind(wallet_id)
        .bind(stored.campaign.per_user_limit.map_or(i64::MAX, i64::from))
        .execute(&mut *connection)
        .await?;
        if used.rows_affected() != 1 {
            return Err(gone("the wallet has used it as often as it allows"));
        }
        if let Some(coupon_id) = &promotion.coupon_id {
            let redeemed = sqlx::query(
                "UPDATE coupons SET used_by_payment = $1
                 WHERE coupon_id = $2 AND wallet_id = $3 AND campaign_id = $4 AND used_by_payment IS NULL AND expires_at > $5",
            )
            .bind(payment_id)
            .bind(coupon_id)
            .bind(wallet_id)
            .bind(campaign_id)
            .bind(now)
            .execute(&mut *connection)
            .await?;
            if redeemed.rows_affected() != 1 {
                return Err(gone("the coupon is used or expired"));
            }
        }
    }
    Ok(())
}
