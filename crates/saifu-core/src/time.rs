//! Calendar facts of a Unix time, in UTC: what a card's expiry month is compared with.

/// The (year, month) of `unix_seconds` in UTC, month 1 to 12.
pub fn year_month(unix_seconds: i64) -> (i64, u8) {
    // Civil-from-days (Howard Hinnant's algorithm): exact for every day an i64 of seconds
    // can name.
    let days = unix_seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // `month` is 1 to 12 by construction.
    (year, u8::try_from(month).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::year_month;

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
}
