//! The shop's side of its money: the feed of payments and refunds, takings by day, week,
//! month and hour on the shop's clock, and statements as CSV that add up to its books.

use std::fmt::Write as _;

use saifu_api::{
    Feed, FeedEntry, FeedFunding, Funder, FunderShare, Funding, Receipt, Refund, Summary, Totals,
};
use saifu_core::money::{Currency, Money};
use saifu_core::time::{Date, WallClock};

use super::money::{replay, stored_receipt};
use super::{Service, ServiceError, SignedTillRequest};
use crate::store::{FeedPosition, FeedRow};

const FEED_PAGE: i64 = 50;

/// The funders in the order the console and the statement list them.
const FUNDERS: [Funder; 3] = [Funder::Merchant, Funder::Issuer, Funder::Operator];

/// `shares` summed per funder, every funder listed; in `currency`.
pub(super) fn by_funder(
    currency: Currency,
    shares: impl IntoIterator<Item = (Funder, Money)>,
) -> Vec<FunderShare> {
    let mut sums = FUNDERS.map(|funder| (funder, 0_i64));
    for (funder, amount) in shares {
        if let Some((_, sum)) = sums.iter_mut().find(|(listed, _)| *listed == funder) {
            *sum += amount.minor();
        }
    }
    sums.into_iter()
        .map(|(funder, minor)| FunderShare {
            funder,
            amount: Money::from_minor(minor, currency),
        })
        .collect()
}

pub(super) fn payment_entry(receipt: &Receipt, refunded_minor: i64) -> FeedEntry {
    let currency = receipt.price.currency();
    FeedEntry::Payment {
        payment_id: receipt.payment_id.clone(),
        price: receipt.price,
        discount: receipt.discount,
        funded: by_funder(
            currency,
            receipt
                .applied
                .iter()
                .map(|applied| (applied.funder, applied.saving)),
        ),
        paid: receipt.paid,
        funding: match receipt.funding {
            Funding::Balance => FeedFunding::Balance,
            Funding::Card { .. } => FeedFunding::Card,
        },
        refunded: Money::from_minor(refunded_minor, currency),
        created_at: receipt.created_at,
    }
}

pub(super) fn refund_entry(refund: &Refund) -> FeedEntry {
    FeedEntry::Refund {
        refund_id: refund.refund_id.clone(),
        payment_id: refund.payment_id.clone(),
        amount: refund.amount,
        funded: refund.funded.clone(),
        returned: refund.returned,
        created_at: refund.created_at,
    }
}

fn entry(row: &FeedRow) -> Result<FeedEntry, ServiceError> {
    match row.kind.as_str() {
        "payment" => Ok(payment_entry(
            &stored_receipt(&row.body)?,
            row.refunded_minor,
        )),
        "refund" => Ok(refund_entry(&replay::<Refund>(&row.body)?)),
        other => Err(ServiceError::internal(
            "shop feed",
            format!("unknown kind {other:?}"),
        )),
    }
}

/// Money in and out over some entries, in `currency`.
#[derive(Clone, Copy)]
struct Tally {
    currency: Currency,
    payments: u64,
    sales: i64,
    refunded: i64,
    /// Merchant, issuer, operator: given less taken back.
    discounts: [i64; 3],
    /// Sales with a discount the shop funded, less refunds of them.
    promoted_sales: i64,
}

impl Tally {
    fn new(currency: Currency) -> Tally {
        Tally {
            currency,
            payments: 0,
            sales: 0,
            refunded: 0,
            discounts: [0; 3],
            promoted_sales: 0,
        }
    }

    fn add(&mut self, entry: &FeedEntry) {
        let (funded, sign, amount) = match entry {
            FeedEntry::Payment { price, funded, .. } => {
                self.payments += 1;
                self.sales += price.minor();
                (funded, 1, price.minor())
            }
            FeedEntry::Refund { amount, funded, .. } => {
                self.refunded += amount.minor();
                (funded, -1, amount.minor())
            }
        };
        let shop_funded = funded
            .iter()
            .any(|share| share.funder == Funder::Merchant && share.amount.minor() != 0);
        if shop_funded {
            self.promoted_sales += sign * amount;
        }
        for share in funded {
            if let Some(index) = FUNDERS.iter().position(|funder| *funder == share.funder) {
                self.discounts[index] += sign * share.amount.minor();
            }
        }
    }

    /// What the shop is owed: sales less refunds less the discounts it funded itself. The
    /// shop's two accounts in the ledger (`merchant:…` and `promo:merchant:…`) hold the same.
    fn net(&self) -> i64 {
        self.sales - self.refunded - self.discounts[0]
    }

    fn totals(&self) -> Totals {
        let money = |minor| Money::from_minor(minor, self.currency);
        Totals {
            payments: self.payments,
            sales: money(self.sales),
            refunded: money(self.refunded),
            discounts: FUNDERS
                .iter()
                .zip(self.discounts)
                .map(|(funder, minor)| FunderShare {
                    funder: *funder,
                    amount: money(minor),
                })
                .collect(),
            net: money(self.net()),
            promoted_sales: money(self.promoted_sales),
        }
    }
}

/// The period a statement covers: `day=YYYY-MM-DD` or `month=YYYY-MM`.
#[derive(Clone, Copy, Debug)]
pub enum Period {
    Day(Date),
    Month { year: i32, month: u32 },
}

impl Period {
    pub fn parse(day: Option<&str>, month: Option<&str>) -> Result<Period, ServiceError> {
        let invalid =
            || ServiceError::BadRequest("give day=YYYY-MM-DD or month=YYYY-MM, not both".into());
        match (day, month) {
            (Some(day), None) => Date::parse(day).map(Period::Day).ok_or_else(invalid),
            (None, Some(month)) => Date::parse(&format!("{month}-01"))
                .filter(|_| month.len() == 7)
                .map(|first| Period::Month {
                    year: first.year,
                    month: first.month,
                })
                .ok_or_else(invalid),
            _ => Err(invalid()),
        }
    }

    /// Its first and its last day.
    fn days(self) -> (Date, Date) {
        match self {
            Period::Day(day) => (day, day),
            Period::Month { year, month } => {
                let first = Date {
                    year,
                    month,
                    day: 1,
                };
                let (next_year, next_month) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                let next = Date {
                    year: next_year,
                    month: next_month,
                    day: 1,
                };
                (first, Date::from_days(next.days() - 1))
            }
        }
    }
}

/// A feed cursor, `second.microsecond.id`, as [`Service::feed`] writes it.
fn parse_position(cursor: &str) -> Result<FeedPosition, ServiceError> {
    let invalid = || ServiceError::BadRequest("invalid feed cursor".into());
    let mut parts = cursor.splitn(3, '.');
    let mut number = || -> Result<i64, ServiceError> {
        parts
            .next()
            .ok_or_else(invalid)?
            .parse()
            .map_err(|_| invalid())
    };
    let (time, recorded) = (number()?, number()?);
    let id = parts.next().ok_or_else(invalid)?.to_owned();
    Ok((time, recorded, id))
}

impl Service {
    /// A page of the shop's payments and refunds, newest first.
    pub async fn feed(
        &self,
        request: SignedTillRequest,
        cursor: Option<String>,
    ) -> Result<Feed, ServiceError> {
        let before = cursor.as_deref().map(parse_position).transpose()?;
        let rows = self
            .store
            .feed(&request.till.merchant_id, i64::MIN, before, FEED_PAGE + 1)
            .await?;
        let more = rows.len() > FEED_PAGE as usize;
        let page = &rows[..rows.len().min(FEED_PAGE as usize)];
        let entries = page.iter().map(entry).collect::<Result<Vec<_>, _>>()?;
        let next_cursor = more
            .then(|| {
                page.last()
                    .map(|last| format!("{}.{}.{}", last.created_at, last.recorded_us, last.id))
            })
            .flatten();
        Ok(Feed {
            entries,
            next_cursor,
        })
    }

    /// Today's, this week's and this month's takings on the shop's clock, and today's by hour.
    pub async fn summary(&self, request: SignedTillRequest) -> Result<Summary, ServiceError> {
        let merchant = self
            .store
            .merchant(&request.till.merchant_id)
            .await?
            .ok_or(ServiceError::UnknownMerchant)?;
        let clock = WallClock::new(merchant.utc_offset_minutes);
        let now = self.now();
        let (day, week, month) = clock.day_week_month_starts(now);
        let rows = self
            .store
            .feed(&merchant.merchant_id, week.min(month), None, i64::MAX)
            .await?;
        let currency = merchant.currency;
        let (mut today, mut this_week, mut this_month) = (
            Tally::new(currency),
            Tally::new(currency),
            Tally::new(currency),
        );
        let mut by_hour = [0_i64; 24];
        for row in &rows {
            let entry = entry(row)?;
            let at = entry.created_at();
            for (tally, start) in [
                (&mut today, day),
                (&mut this_week, week),
                (&mut this_month, month),
            ] {
                if at >= start {
                    tally.add(&entry);
                }
            }
            if let FeedEntry::Payment { price, .. } = &entry
                && at >= day
            {
                by_hour[clock.hour(at) as usize] += price.minor();
            }
        }
        Ok(Summary {
            today: today.totals(),
            week: this_week.totals(),
            month: this_month.totals(),
            today_by_hour: by_hour
                .iter()
                .map(|minor| Money::from_minor(*minor, currency))
                .collect(),
            utc_offset_minutes: merchant.utc_offset_minutes,
        })
    }

    /// The shop's statement for `period` as CSV: every payment and refund, the discount by
    /// funder, and what each leaves the shop, oldest first, then the totals. An owner's.
    pub async fn statement(
        &self,
        request: SignedTillRequest,
        period: Period,
    ) -> Result<String, ServiceError> {
        let owner = request.owner()?;
        let merchant = self
            .store
            .merchant(&owner.merchant_id)
            .await?
            .ok_or(ServiceError::UnknownMerchant)?;
        let clock = WallClock::new(merchant.utc_offset_minutes);
        let (first, last) = period.days();
        let (from, to) = (
            clock.start_of(first),
            clock.start_of(Date::from_days(last.days() + 1)),
        );
        let mut rows = self
            .store
            .feed(
                &merchant.merchant_id,
                from,
                Some((to, i64::MIN, String::new())),
                i64::MAX,
            )
            .await?;
        rows.reverse();
        let currency = merchant.currency;
        let decimal = |minor: i64| Money::from_minor(minor, currency).to_decimal_string();
        let mut csv = String::from(
            "date,time,kind,id,payment_id,amount,discount_merchant,discount_issuer,discount_operator,net,customer_amount,customer_currency\n",
        );
        let mut tally = Tally::new(currency);
        for row in &rows {
            let entry = entry(row)?;
            let mut line = Tally::new(currency);
            line.add(&entry);
            tally.add(&entry);
            let at = entry.created_at();
            let (kind, id, payment_id, amount, customer) = match &entry {
                FeedEntry::Payment {
                    payment_id,
                    price,
                    paid,
                    ..
                } => ("payment", payment_id, payment_id, price.minor(), *paid),
                FeedEntry::Refund {
                    refund_id,
                    payment_id,
                    amount,
                    returned,
                    ..
                } => ("refund", refund_id, payment_id, -amount.minor(), *returned),
            };
            let _ = writeln!(
                csv,
                "{},{:02}:{:02}:{:02},{kind},{id},{payment_id},{},{},{},{},{},{},{}",
                clock.date(at),
                clock.hour(at),
                clock.minute(at),
                at.rem_euclid(60),
                decimal(amount),
                decimal(line.discounts[0]),
                decimal(line.discounts[1]),
                decimal(line.discounts[2]),
                decimal(line.net()),
                customer.to_decimal_string(),
                customer.currency(),
            );
        }
        let _ = writeln!(
            csv,
            "total,,,,,{},{},{},{},{},,{}",
            decimal(tally.sales - tally.refunded),
            decimal(tally.discounts[0]),
            decimal(tally.discounts[1]),
            decimal(tally.discounts[2]),
            decimal(tally.net()),
            currency,
        );
        Ok(csv)
    }
}
