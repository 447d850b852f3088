//! Campaigns and who funds them, each wallet's use of them, and its coupons. A payment
//! consumes budget, use and coupon with guarded updates in its own transaction: the database
//! serialises the updates of a row and checks the guard against its latest version, so
//! concurrent payments never together spend more than a budget or a limit allows.

use saifu_core::money::Currency;
use saifu_core::promo::{Campaign, Funder, Usage};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Store, StoreError, WriteTx};

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
    pub fn columns(&self) -> (&'static str, &str) {
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
    /// How long a claimed coupon lasts, never past the campaign's end; `None` is the
    /// service's default. Coupon campaigns only.
    pub coupon_valid_seconds: Option<i64>,
    /// Only for wallets whose home currency is not the campaign's: visitors from abroad.
    pub visitors_only: bool,
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
        self.row.campaign.eligibility.window.in_dates(now)
    }

    pub fn usage(&self) -> Usage {
        Usage {
            campaign_id: self.row.campaign.id.clone(),
            used_by_user: self.used_by_wallet,
            budget_spent_minor: self.budget_spent_minor,
        }
    }
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

fn campaign_row(row: &AnyRow) -> Result<CampaignRow, StoreError> {
    let definition: String = row.try_get("definition")?;
    let funder: String = row.try_get("funder")?;
    let funded_by = FundedBy::from_columns(&funder, row.try_get("funder_ref")?)
        .ok_or_else(|| StoreError::corrupt("campaign funder", funder))?;
    let visitors_only: i32 = row.try_get("visitors_only")?;
    Ok(CampaignRow {
        campaign: serde_json::from_str(&definition)
            .map_err(|error| StoreError::corrupt("campaign", error))?,
        funded_by,
        coupon_valid_seconds: row.try_get("coupon_valid_seconds")?,
        visitors_only: visitors_only != 0,
    })
}

fn standing(row: &AnyRow) -> Result<Standing, StoreError> {
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

impl Store {
    /// The campaigns in `currency`, or all of them, with the uses of `wallet_id`.
    pub async fn standings(
        &self,
        wallet_id: &str,
        currency: Option<Currency>,
    ) -> Result<Vec<Standing>, StoreError> {
        let rows = match currency {
            Some(currency) => {
                sqlx::query(select_standings!(
                    "WHERE c.currency = $2 ORDER BY c.campaign_id"
                ))
                .bind(wallet_id)
                .bind(currency.code())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(select_standings!("ORDER BY c.campaign_id"))
                    .bind(wallet_id)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        Ok(rows.iter().filter_map(decoded).collect())
    }

    /// One campaign with the uses of `wallet_id`.
    pub async fn standing_of(
        &self,
        wallet_id: &str,
        campaign_id: &str,
    ) -> Result<Option<Standing>, StoreError> {
        let row = sqlx::query(select_standings!("WHERE c.campaign_id = $2"))
            .bind(wallet_id)
            .bind(campaign_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().and_then(decoded))
    }

    /// The wallet's coupons, used and expired ones too, newest first.
    pub async fn wallet_coupons(&self, wallet_id: &str) -> Result<Vec<CouponRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT k.coupon_id, k.claimed_at, k.expires_at, k.used_by_payment, c.definition
             FROM coupons k JOIN campaigns c ON c.campaign_id = k.campaign_id
             WHERE k.wallet_id = $1 ORDER BY k.claimed_at DESC, k.coupon_id",
        )
        .bind(wallet_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let definition: String = row.try_get("definition")?;
                Ok(CouponRow {
                    coupon_id: row.try_get("coupon_id")?,
                    campaign: serde_json::from_str(&definition)
                        .map_err(|error| StoreError::corrupt("campaign", error))?,
                    claimed_at: row.try_get("claimed_at")?,
                    expires_at: row.try_get("expires_at")?,
                    used_by_payment: row.try_get("used_by_payment")?,
                })
            })
            .collect()
    }
}

impl WriteTx<'_> {
    /// Adds a campaign or replaces its definition; what it has spent and what each wallet
    /// has used of it stay.
    pub async fn upsert_campaign(&mut self, row: &CampaignRow, now: i64) -> Result<(), StoreError> {
        let campaign = &row.campaign;
        let (funder, funder_ref) = row.funded_by.columns();
        let definition = serde_json::to_string(campaign)
            .map_err(|error| StoreError::corrupt("campaign", error))?;
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
        .execute(&mut *self.connection)
        .await?;
        Ok(())
    }

    /// Stores a claimed coupon: [`StoreError::Duplicate`] when the wallet holds a usable one
    /// of the campaign already. Its expired unused ones are dropped first: they are worth
    /// nothing, and the one-unused-coupon index would refuse the claim.
    pub async fn insert_coupon(
        &mut self,
        wallet_id: &str,
        coupon: &CouponRow,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM coupons WHERE wallet_id = $1 AND campaign_id = $2 AND used_by_payment IS NULL AND expires_at <= $3",
        )
        .bind(wallet_id)
        .bind(&coupon.campaign.id)
        .bind(coupon.claimed_at)
        .execute(&mut *self.connection)
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO coupons (coupon_id, wallet_id, campaign_id, claimed_at, expires_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
        )
        .bind(&coupon.coupon_id)
        .bind(wallet_id)
        .bind(&coupon.campaign.id)
        .bind(coupon.claimed_at)
        .bind(coupon.expires_at)
        .execute(&mut *self.connection)
        .await?;
        StoreError::inserted(inserted.rows_affected())
    }

    /// A stored campaign, read in this transaction.
    pub async fn campaign(&mut self, campaign_id: &str) -> Result<Option<CampaignRow>, StoreError> {
        let row = sqlx::query(
            "SELECT definition, funder, funder_ref, coupon_valid_seconds, visitors_only FROM campaigns WHERE campaign_id = $1",
        )
        .bind(campaign_id)
        .fetch_optional(&mut *self.connection)
        .await?;
        row.as_ref().map(campaign_row).transpose()
    }

    /// Adds `saving_minor` to what the campaign has spent, unless that passes its budget:
    /// false then.
    pub async fn spend_budget(
        &mut self,
        campaign_id: &str,
        saving_minor: i64,
    ) -> Result<bool, StoreError> {
        let spent = sqlx::query(
            "UPDATE campaigns SET budget_spent_minor = budget_spent_minor + $1
             WHERE campaign_id = $2 AND (budget_minor IS NULL OR budget_spent_minor + $1 <= budget_minor)",
        )
        .bind(saving_minor)
        .bind(campaign_id)
        .execute(&mut *self.connection)
        .await?;
        Ok(spent.rows_affected() == 1)
    }

    /// Counts one more use of the campaign by the wallet, unless it has used it `limit`
    /// times (`None`: no limit): false then.
    pub async fn use_campaign(
        &mut self,
        campaign_id: &str,
        wallet_id: &str,
        limit: Option<u32>,
    ) -> Result<bool, StoreError> {
        sqlx::query(
            "INSERT INTO campaign_usage (campaign_id, wallet_id, uses) VALUES ($1, $2, 0)
             ON CONFLICT (campaign_id, wallet_id) DO NOTHING",
        )
        .bind(campaign_id)
        .bind(wallet_id)
        .execute(&mut *self.connection)
        .await?;
        let used = sqlx::query(
            "UPDATE campaign_usage SET uses = uses + 1 WHERE campaign_id = $1 AND wallet_id = $2 AND uses < $3",
        )
        .bind(campaign_id)
        .bind(wallet_id)
        .bind(limit.map_or(i64::MAX, i64::from))
        .execute(&mut *self.connection)
        .await?;
        Ok(used.rows_affected() == 1)
    }

    /// Marks the wallet's coupon used by `payment_id`, unless it is used or expired: false
    /// then.
    pub async fn use_coupon(
        &mut self,
        coupon_id: &str,
        wallet_id: &str,
        campaign_id: &str,
        payment_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let redeemed = sqlx::query(
            "UPDATE coupons SET used_by_payment = $1
             WHERE coupon_id = $2 AND wallet_id = $3 AND campaign_id = $4 AND used_by_payment IS NULL AND expires_at > $5",
        )
        .bind(payment_id)
        .bind(coupon_id)
        .bind(wallet_id)
        .bind(campaign_id)
        .bind(now)
        .execute(&mut *self.connection)
        .await?;
        Ok(redeemed.rows_affected() == 1)
    }
}
