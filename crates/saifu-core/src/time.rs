//! Calendar facts of a Unix time: what a card's expiry month is compared with (in UTC), and
//! the days, weeks and months on a shop's wall clock (UTC plus a fixed offset) that its
//! totals and statements are cut by.

const SECONDS_PER_DAY: i64 = 86_400;

/// A date on the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
}

impl Date {
    /// The date of day `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month,
            day,
        }
    }

    /// Days from 1970-01-01 to this date (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month = i64::from(self.month);
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// Reads `2026-12-03`; `None` for anything else, or a day the month does not have.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        let date = Date {
            year: year.parse().ok()?,
            month: month.parse().ok()?,
            day: day.parse().ok()?,
        };
        (Date::from_days(date.days()) == date).then_some(date)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A wall clock `offset_minutes` ahead of UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WallClock {
    offset_seconds: i64,
}

impl WallClock {
    pub fn new(offset_minutes: i32) -> WallClock {
        WallClock {
            offset_seconds: i64::from(offset_minutes) * 60,
        }
    }

    /// The date on this clock at Unix time `at`.
    pub fn date(self, at: i64) -> Date {
        Date::from_days((at + self.offset_seconds).div_euclid(SECONDS_PER_DAY))
    }

    /// The hour (0 to 23) on this clock at Unix time `at`.
    pub fn hour(self, at: i64) -> u32 {
        ((at + self.offset_seconds).rem_euclid(SECONDS_PER_DAY) / 3_600) as u32
    }

    /// The minute of the hour (0 to 59) on this clock at Unix time `at`.
    pub fn minute(self, at: i64) -> u32 {
        ((at + self.offset_seconds).rem_euclid(3_600) / 60) as u32
    }

    /// The Unix time at which `date` begins on this clock.
    pub fn start_of(self, date: Date) -> i64 {
        date.days() * SECONDS_PER_DAY - self.offset_seconds
    }

    /// When the day, the week (from Monday) and the month of Unix time `at` began.
    pub fn day_week_month_starts(self, at: i64) -> (i64, i64, i64) {
        let today = self.date(at);
        let days = today.days();
        // 1970-01-01 was a Thursday: three days after a Monday.
        let since_monday = (days + 3).rem_euclid(7);
        let first = Date { day: 1, ..today };
        (
            self.start_of(today),
            self.start_of(Date::from_days(days - since_monday)),
            self.start_of(first),
        )
    }
}

/// The (year, month) of `unix_seconds` in UTC, month 1 to 12.
pub fn year_month(unix_seconds: i64) -> (i64, u8) {
    let date = WallClock::new(0).date(unix_seconds);
    // `month` is 1 to 12 by construction.
    (i64::from(date.year), u8::try_from(date.month).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_turn_at_midnight_utc() {
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(-1), (1969, 12));
        // 2000-02-29, a leap day of a century divisible by 400.
        assert_eq!(year_month(951_782_400), (2000, 2));
        // 2024-02-29 23:59:59, then 2024-03-01 00:00:00.
        assert_eq!(year_month(1_709_251_199), (2024, 2));
        assert_eq!(year_month(1_709_251_200), (2024, 3));
        // 2100-03-01: 2100 is no leap year.
        assert_eq!(year_month(4_107_542_400), (2100, 3));
        assert_eq!(year_month(4_107_542_399), (2100, 2));
    }

    #[test]
    fn dates_round_trip_through_days() {
        for days in [-800_000, -1, 0, 1, 19_723, 20_425, 2_932_896] {
            assert_eq!(Date::from_days(days).days(), days);
        }
        assert_eq!(
            Date::from_days(20_425),
            Date {
                year: 2025,
                month: 12,
                day: 3
            }
        );
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01", "the epoch");
    }

    #[test]
    fn dates_are_read_only_when_they_exist() {
        assert_eq!(
            Date::parse("2028-02-29"),
            Some(Date {
                year: 2028,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "2027-02-29",
            "2026-13-01",
            "2026-12-3",
            "2026/12/03",
            "",
            "2026-12-03-1",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_shops_day_week_and_month_follow_its_clock() {
        // 2026-12-03 (a Thursday) 15:30 UTC is 00:30 on Friday the 4th in Tokyo.
        let at = Date::parse("2026-12-03").unwrap().days() * 86_400 + 15 * 3_600 + 1_800;
        let tokyo = WallClock::new(9 * 60);
        assert_eq!(tokyo.date(at).to_string(), "2026-12-04");
        assert_eq!((tokyo.hour(at), tokyo.minute(at)), (0, 30));
        let (day, week, month) = tokyo.day_week_month_starts(at);
        assert_eq!(day, at - 1_800);
        // Monday the 30th of November, and the 1st of December, at midnight in Tokyo.
        assert_eq!(tokyo.date(week).to_string(), "2026-11-30");
        assert_eq!(tokyo.hour(week), 0);
        assert_eq!(tokyo.date(month).to_string(), "2026-12-01");
        assert_eq!(WallClock::new(0).date(at).to_string(), "2026-12-03");
    }
}
