//! Money as integer minor units with the currency in the value: never floats.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency: alphabetic code, numeric code and minor-unit exponent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    numeric: u16,
    exponent: u8,
}

/// The currencies Saifu knows, from ISO 4217 (alpha, numeric, exponent).
const ISO_4217: &[(&str, u16, u8)] = &[
    ("AED", 784, 2),
    ("AUD", 36, 2),
    ("BHD", 48, 3),
    ("BRL", 986, 2),
    ("CAD", 124, 2),
    ("CHF", 756, 2),
    ("CLF", 990, 4),
    ("CNY", 156, 2),
    ("CZK", 203, 2),
    ("DKK", 208, 2),
    ("EUR", 978, 2),
    ("GBP", 826, 2),
    ("HKD", 344, 2),
    ("IDR", 360, 2),
    ("INR", 356, 2),
    ("ISK", 352, 0),
    ("JOD", 400, 3),
    ("JPY", 392, 0),
    ("KRW", 410, 0),
    ("KWD", 414, 3),
    ("MOP", 446, 2),
    ("MXN", 484, 2),
    ("MYR", 458, 2),
    ("NOK", 578, 2),
    ("NZD", 554, 2),
    ("OMR", 512, 3),
    ("PHP", 608, 2),
    ("PLN", 985, 2),
    ("SEK", 752, 2),
    ("SGD", 702, 2),
    ("THB", 764, 2),
    ("TND", 788, 3),
    ("TWD", 901, 2),
    ("USD", 840, 2),
    ("VND", 704, 0),
    ("ZAR", 710, 2),
];

impl Currency {
    /// Looks a currency up by its alphabetic code ("JPY"), case-sensitively as ISO writes it.
    pub fn from_code(code: &str) -> Result<Self, MoneyError> {
        ISO_4217
            .iter()
            .find(|(alpha, _, _)| *alpha == code)
            .map(Self::from_row)
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    /// Looks a currency up by its numeric code (392 for JPY), as EMV QR codes carry it.
    pub fn from_numeric(numeric: u16) -> Result<Self, MoneyError> {
        ISO_4217
            .iter()
            .find(|(_, n, _)| *n == numeric)
            .map(Self::from_row)
            .ok_or_else(|| MoneyError::UnknownCurrency(format!("{numeric:03}")))
    }

    fn from_row(&(code, numeric, exponent): &(&'static str, u16, u8)) -> Self {
        Self {
            code,
            numeric,
            exponent,
        }
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    pub fn numeric(self) -> u16 {
        self.numeric
    }

    /// Digits after the decimal point: 0 for JPY, 2 for CNY, 3 for BHD.
    pub fn exponent(self) -> u8 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <&str>::deserialize(deserializer)?;
        Currency::from_code(code).map_err(serde::de::Error::custom)
    }
}

/// An amount of money: a signed count of minor units (fen, cents; yen have none) in one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency {0}")]
    UnknownCurrency(String),
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount out of range")]
    Overflow,
    #[error("not an amount: {0:?}")]
    Malformed(String),
    #[error("{currency} has {exponent} decimal places, got {given}")]
    TooManyDecimals {
        currency: Currency,
        exponent: u8,
        given: usize,
    },
}

impl Money {
    pub const fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::from_minor(minor, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::from_minor(minor, self.currency))
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// Parses a plain decimal string ("23.72", "1280", "-0.5") exactly. No grouping
    /// separators, no exponent notation, and never more decimals than the currency has.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let malformed = || MoneyError::Malformed(text.to_owned());
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(malformed());
        }
        if unsigned.ends_with('.') {
            return Err(malformed());
        }
        let exponent = currency.exponent();
        if fraction.len() > usize::from(exponent) {
            return Err(MoneyError::TooManyDecimals {
                currency,
                exponent,
                given: fraction.len(),
            });
        }
        let scale = 10_i64.pow(u32::from(exponent));
        let whole: i64 = whole.parse().map_err(|_| MoneyError::Overflow)?;
        let padded = format!("{fraction:0<width$}", width = usize::from(exponent));
        let fraction: i64 = if padded.is_empty() {
            0
        } else {
            padded.parse().map_err(|_| malformed())?
        };
        let magnitude = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(fraction))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::from_minor(
            if negative { -magnitude } else { magnitude },
            currency,
        ))
    }

    /// The amount as a plain decimal string with exactly the currency's decimals ("1280", "23.70").
    pub fn to_decimal_string(self) -> String {
        let exponent = u32::from(self.currency.exponent());
        let sign = if self.minor < 0 { "-" } else { "" };
        let magnitude = self.minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10_u64.pow(exponent);
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = exponent as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.to_decimal_string())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Currency::from_code(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cur(code: &str) -> Currency {
        Currency::from_code(code).expect("known currency")
    }

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(cur("JPY").exponent(), 0);
        assert_eq!(cur("CNY").exponent(), 2);
        assert_eq!(cur("KRW").exponent(), 0);
        assert_eq!(cur("BHD").exponent(), 3);
        assert_eq!(Currency::from_numeric(392), Ok(cur("JPY")));
        assert_eq!(Currency::from_numeric(156), Ok(cur("CNY")));
        assert!(Currency::from_code("XXQ").is_err());
    }

    #[test]
    fn parses_exact_decimals() {
        assert_eq!(
            Money::parse("23.72", cur("CNY")),
            Ok(Money::from_minor(2372, cur("CNY")))
        );
        assert_eq!(
            Money::parse("23.7", cur("CNY")),
            Ok(Money::from_minor(2370, cur("CNY")))
        );
        assert_eq!(
            Money::parse("1280", cur("JPY")),
            Ok(Money::from_minor(1280, cur("JPY")))
        );
        assert_eq!(
            Money::parse("0.125", cur("BHD")),
            Ok(Money::from_minor(125, cur("BHD")))
        );
        assert_eq!(
            Money::parse("-0.50", cur("USD")),
            Ok(Money::from_minor(-50, cur("USD")))
        );
    }

    #[test]
    fn rejects_what_could_mis_pay() {
        assert!(matches!(
            Money::parse("12.5", cur("JPY")),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        for bad in [
            "", ".5", "5.", "1,234.56", "1e3", "12.3.4", "+5", " 5", "--1", "NaN",
        ] {
            assert!(
                Money::parse(bad, cur("CNY")).is_err(),
                "{bad:?} must not parse"
            );
        }
        assert_eq!(
            Money::parse("99999999999999999999", cur("JPY")),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn arithmetic_is_checked() {
        let jpy = Money::from_minor(100, cur("JPY"));
        let cny = Money::from_minor(100, cur("CNY"));
        assert_eq!(jpy.checked_add(jpy), Ok(Money::from_minor(200, cur("JPY"))));
        assert_eq!(
            jpy.checked_add(cny),
            Err(MoneyError::CurrencyMismatch(cur("JPY"), cur("CNY")))
        );
        let max = Money::from_minor(i64::MAX, cur("JPY"));
        assert_eq!(max.checked_add(jpy), Err(MoneyError::Overflow));
    }

    #[test]
    fn serializes_currency_as_its_code() {
        let json = serde_json::to_string(&Money::from_minor(2372, cur("CNY"))).expect("serializes");
        assert_eq!(json, r#"{"minor":2372,"currency":"CNY"}"#);
        let back: Money = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, Money::from_minor(2372, cur("CNY")));
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"ABC"}"#).is_err());
    }

    proptest! {
        #[test]
        fn decimal_string_round_trips(minor in any::<i64>().prop_filter("abs fits", |m| *m != i64::MIN),
                                      index in 0..ISO_4217.len()) {
            let currency = Currency::from_row(&ISO_4217[index]);
            let money = Money::from_minor(minor, currency);
            prop_assert_eq!(Money::parse(&money.to_decimal_string(), currency), Ok(money));
        }
    }
}
