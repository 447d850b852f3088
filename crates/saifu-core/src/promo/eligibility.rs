//! Which payments a campaign is for. Every empty list and every `None` means "no restriction";
//! all the restrictions given must hold.

use serde::{Deserialize, Serialize};

use super::campaign::PromoError;
use super::context::{FundingOption, MerchantFacts};
use crate::card::Brand;
use crate::money::Currency;

const SECONDS_PER_DAY: i64 = 86_400;
const MINUTES_PER_DAY: u16 = 1_440;

/// How the user pays: from the wallet balance or with a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingKind {
    Balance,
    Card,
}

/// An inclusive range of issuer BINs whose ends have the same number of digits, 6 or 8.
///
/// A card matches when its leading digits, as many as the ends have, fall in the range, so an
/// 8-digit range never matches a card known only by 6 digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinRange {
    pub low: String,
    pub high: String,
}

impl BinRange {
    /// Whether a card with leading digits `bin` falls in the range.
    pub fn contains(&self, bin: &str) -> bool {
        let digits = self.low.len();
        let Some(prefix) = bin.get(..digits) else {
            return false;
        };
        // Digit strings of equal length order like the numbers they spell.
        self.high.len() == digits
            && prefix.bytes().all(|b| b.is_ascii_digit())
            && self.low.as_str() <= prefix
            && prefix <= self.high.as_str()
    }

    fn check(&self) -> Result<(), PromoError> {
        let is_bin = |s: &str| matches!(s.len(), 6 | 8) && s.bytes().all(|b| b.is_ascii_digit());
        if is_bin(&self.low)
            && self.high.len() == self.low.len()
            && is_bin(&self.high)
            && self.low <= self.high
        {
            Ok(())
        } else {
            Err(PromoError::BadBinRange {
                low: self.low.clone(),
                high: self.high.clone(),
            })
        }
    }
}

/// When a campaign runs.
///
/// The date range is on absolute time. Weekdays and hours follow the merchant's wall clock,
/// so "weekdays 11:00-14:00" means lunchtime where the customer is standing. Hours cannot run
/// past midnight: a late-night offer is two campaigns.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeWindow {
    /// ISO weekdays, 1 (Monday) to 7 (Sunday); empty is every day.
    pub days: Vec<u8>,
    /// Minutes since local midnight, from `from_minute` (default 0) until before
    /// `until_minute` (default 1440, the next midnight).
    pub from_minute: Option<u16>,
    pub until_minute: Option<u16>,
    /// Unix seconds, from `starts_at` until before `ends_at`.
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
}

impl TimeWindow {
    /// Whether `now` (unix seconds) is between the window's start and end dates, whatever
    /// its weekdays and hours.
    pub fn in_dates(&self, now: i64) -> bool {
        self.starts_at.is_none_or(|starts| starts <= now)
            && self.ends_at.is_none_or(|ends| now < ends)
    }

    /// Whether the instant `now` (unix seconds) falls in the window at a merchant
    /// `utc_offset_minutes` ahead of UTC.
    pub fn contains(&self, now: i64, utc_offset_minutes: i32) -> bool {
        if !self.in_dates(now) {
            return false;
        }
        // An i32 of minutes times 60 is far inside i64.
        let Some(local) = now.checked_add(i64::from(utc_offset_minutes) * 60) else {
            return false;
        };
        // 1970-01-01, day 0, was a Thursday: ISO weekday 4.
        let weekday = (local.div_euclid(SECONDS_PER_DAY) + 3).rem_euclid(7) + 1;
        let minute = local.rem_euclid(SECONDS_PER_DAY) / 60;
        let (from, until) = self.hours();
        (self.days.is_empty() || self.days.iter().any(|&day| i64::from(day) == weekday))
            && i64::from(from) <= minute
            && minute < i64::from(until)
    }

    fn hours(&self) -> (u16, u16) {
        (
            self.from_minute.unwrap_or(0),
            self.until_minute.unwrap_or(MINUTES_PER_DAY),
        )
    }

    fn check(&self) -> Result<(), PromoError> {
        if let Some(&day) = self.days.iter().find(|day| !(1..=7).contains(*day)) {
            return Err(PromoError::BadWeekday(day));
        }
        let (from, until) = self.hours();
        if from >= until || until > MINUTES_PER_DAY {
            return Err(PromoError::BadHours { from, until });
        }
        if let (Some(starts), Some(ends)) = (self.starts_at, self.ends_at)
            && starts >= ends
        {
            return Err(PromoError::BadDates { starts, ends });
        }
        Ok(())
    }
}

/// Who a campaign is for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Eligibility {
    /// Merchant ids. With `merchant_groups`, the campaign is for the merchants listed in either.
    pub merchants: Vec<String>,
    pub merchant_groups: Vec<String>,
    /// ISO 18245 merchant category codes.
    pub mccs: Vec<String>,
    pub brands: Vec<Brand>,
    pub bins: Vec<BinRange>,
    pub funding: Option<FundingKind>,
    /// Must be the campaign's own currency when given; see [`validate`](super::validate).
    pub currency: Option<Currency>,
    /// The merchant's country, an ISO 3166 two-letter code in capitals.
    pub country: Option<String>,
    pub window: TimeWindow,
}

impl Eligibility {
    /// The rules about the payment itself: merchant, currency, country and time.
    pub(super) fn admits_payment(
        &self,
        merchant: &MerchantFacts,
        currency: Currency,
        now: i64,
    ) -> bool {
        self.admits_merchant(merchant, currency)
            && self.window.contains(now, merchant.utc_offset_minutes)
    }

    /// The rules about where the payment is made, at any time: the merchant, its group,
    /// category and country, and the currency it charges in.
    pub fn admits_merchant(&self, merchant: &MerchantFacts, currency: Currency) -> bool {
        let at_merchant = (self.merchants.is_empty() && self.merchant_groups.is_empty())
            || self.merchants.contains(&merchant.id)
            || merchant
                .group
                .as_ref()
                .is_some_and(|group| self.merchant_groups.contains(group));
        at_merchant
            && (self.mccs.is_empty() || self.mccs.contains(&merchant.mcc))
            && self.currency.is_none_or(|c| c == currency)
            && self.country.as_ref().is_none_or(|c| *c == merchant.country)
    }

    /// The rules about how the user pays: balance or card, the card's brand and BIN.
    pub(super) fn admits_funding(&self, funding: &FundingOption) -> bool {
        self.funding.is_none_or(|kind| kind == funding.id.kind())
            && (self.brands.is_empty()
                || funding
                    .brand
                    .is_some_and(|brand| self.brands.contains(&brand)))
            && (self.bins.is_empty()
                || funding
                    .bin
                    .as_deref()
                    .is_some_and(|bin| self.bins.iter().any(|range| range.contains(bin))))
    }

    pub(super) fn check(&self, campaign_currency: Currency) -> Result<(), PromoError> {
        if let Some(eligible) = self.currency
            && eligible != campaign_currency
        {
            return Err(PromoError::CurrencyConflict {
                campaign: campaign_currency,
                eligible,
            });
        }
        if let Some(mcc) = self
            .mccs
            .iter()
            .find(|mcc| mcc.len() != 4 || !mcc.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(PromoError::BadMcc(mcc.clone()));
        }
        if let Some(country) = &self.country
            && (country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(PromoError::BadCountry(country.clone()));
        }
        self.bins.iter().try_for_each(BinRange::check)?;
        self.window.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wednesday 2026-03-04 03:00 UTC: 12:00 in Tokyo (UTC+9), still Tuesday 22:00 in
    /// Honolulu (UTC-10).
    const WEDNESDAY_NOON_TOKYO: i64 = 1_772_593_200;
    const TOKYO: i32 = 9 * 60;

    fn hours(from: u16, until: u16) -> TimeWindow {
        TimeWindow {
            from_minute: Some(from),
            until_minute: Some(until),
            ..TimeWindow::default()
        }
    }

    fn days(days: &[u8]) -> TimeWindow {
        TimeWindow {
            days: days.to_vec(),
            ..TimeWindow::default()
        }
    }

    fn bins(low: &str, high: &str) -> BinRange {
        BinRange {
            low: low.to_owned(),
            high: high.to_owned(),
        }
    }

    #[test]
    fn weekdays_follow_the_merchant_clock() {
        assert!(days(&[3]).contains(WEDNESDAY_NOON_TOKYO, TOKYO));
        assert!(days(&[3]).contains(WEDNESDAY_NOON_TOKYO, 0));
        assert!(!days(&[3]).contains(WEDNESDAY_NOON_TOKYO, -600));
        assert!(days(&[2]).contains(WEDNESDAY_NOON_TOKYO, -600));
        assert!(days(&[1, 2, 3, 4, 5]).contains(WEDNESDAY_NOON_TOKYO, TOKYO));
        assert!(!days(&[6, 7]).contains(WEDNESDAY_NOON_TOKYO, TOKYO));
        // Day 0 was a Thursday; day -1 a Wednesday.
        assert!(days(&[4]).contains(0, 0));
        assert!(days(&[3]).contains(-1, 0));
        assert!(days(&[1]).contains(4 * SECONDS_PER_DAY, 0));
    }

    #[test]
    fn hours_include_the_start_and_exclude_the_end() {
        let lunch = hours(11 * 60, 12 * 60);
        assert!(!lunch.contains(WEDNESDAY_NOON_TOKYO, TOKYO));
        assert!(lunch.contains(WEDNESDAY_NOON_TOKYO - 1, TOKYO));
        assert!(lunch.contains(WEDNESDAY_NOON_TOKYO - 3600, TOKYO));
        assert!(!lunch.contains(WEDNESDAY_NOON_TOKYO - 3601, TOKYO));
        assert!(hours(12 * 60, 1440).contains(WEDNESDAY_NOON_TOKYO, TOKYO));
        assert!(!hours(12 * 60, 1440).contains(WEDNESDAY_NOON_TOKYO, 0));
    }

    #[test]
    fn date_range_is_half_open_on_absolute_time() {
        let window = TimeWindow {
            starts_at: Some(WEDNESDAY_NOON_TOKYO),
            ends_at: Some(WEDNESDAY_NOON_TOKYO + 10),
            ..TimeWindow::default()
        };
        assert!(!window.contains(WEDNESDAY_NOON_TOKYO - 1, TOKYO));
        assert!(window.contains(WEDNESDAY_NOON_TOKYO, TOKYO));
        assert!(window.contains(WEDNESDAY_NOON_TOKYO + 9, -600));
        assert!(!window.contains(WEDNESDAY_NOON_TOKYO + 10, TOKYO));
        // A clock that overflows with the offset is in no window.
        assert!(TimeWindow::default().contains(i64::MAX, 0));
        assert!(!TimeWindow::default().contains(i64::MAX, 1));
    }

    #[test]
    fn bin_ranges_compare_leading_digits() {
        let six = bins("411111", "411199");
        assert!(six.contains("411111"));
        assert!(six.contains("41115000"));
        assert!(six.contains("411199"));
        assert!(!six.contains("411200"));
        assert!(!six.contains("41111"));
        assert!(!six.contains("4111a1"));
        let eight = bins("62220000", "62229999");
        assert!(eight.contains("62225555"));
        assert!(!eight.contains("622255"));
        assert!(!eight.contains("62230000"));
        assert!(!bins("411111", "41119999").contains("41111500"));
        assert!(!bins("411111", "411199").contains("4111é1"));
    }

    #[test]
    fn checks_windows_and_bins() {
        assert_eq!(TimeWindow::default().check(), Ok(()));
        assert_eq!(days(&[1, 7]).check(), Ok(()));
        assert_eq!(days(&[0]).check(), Err(PromoError::BadWeekday(0)));
        assert_eq!(days(&[8]).check(), Err(PromoError::BadWeekday(8)));
        assert_eq!(hours(0, 1440).check(), Ok(()));
        for (from, until) in [(600, 600), (1320, 120), (0, 1441), (1440, 1440)] {
            assert_eq!(
                hours(from, until).check(),
                Err(PromoError::BadHours { from, until })
            );
        }
        let backwards = TimeWindow {
            starts_at: Some(10),
            ends_at: Some(10),
            ..TimeWindow::default()
        };
        assert_eq!(
            backwards.check(),
            Err(PromoError::BadDates {
                starts: 10,
                ends: 10
            })
        );
        assert_eq!(bins("411111", "411199").check(), Ok(()));
        assert_eq!(bins("62220000", "62229999").check(), Ok(()));
        for (low, high) in [
            ("411199", "411111"),
            ("41111", "41119"),
            ("411111", "41119999"),
            ("4111111", "4111119"),
            ("41111a", "411119"),
            ("", ""),
        ] {
            assert_eq!(
                bins(low, high).check(),
                Err(PromoError::BadBinRange {
                    low: low.to_owned(),
                    high: high.to_owned()
                })
            );
        }
    }
}
