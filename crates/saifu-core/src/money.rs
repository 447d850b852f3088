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

/// Every active ISO 4217 currency with minor units (alpha, numeric, exponent), from ISO 4217
/// list one as amended through 1 January 2026 (BGN withdrawn: Bulgaria adopted the euro).
///
/// Fund codes that have minor units (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW, XAD) are
/// included. Codes ISO lists with minor units "N.A." are left out: precious metals (XAU, XAG,
/// XPD, XPT), units of account (XDR, XSU, XUA, XBA-XBD), XTS and XXX. None of them is paid with,
/// and giving them an exponent of 0 would invent a precision ISO does not define.
const ISO_4217: &[(&str, u16, u8)] = &[
    ("AED", 784, 2),
    ("AFN", 971, 2),
    ("ALL", 8, 2),
    ("AMD", 51, 2),
    ("AOA", 973, 2),
    ("ARS", 32, 2),
    ("AUD", 36, 2),
    ("AWG", 533, 2),
    ("AZN", 944, 2),
    ("BAM", 977, 2),
    ("BBD", 52, 2),
    ("BDT", 50, 2),
    ("BHD", 48, 3),
    ("BIF", 108, 0),
    ("BMD", 60, 2),
    ("BND", 96, 2),
    ("BOB", 68, 2),
    ("BOV", 984, 2),
    ("BRL", 986, 2),
    ("BSD", 44, 2),
    ("BTN", 64, 2),
    ("BWP", 72, 2),
    ("BYN", 933, 2),
    ("BZD", 84, 2),
    ("CAD", 124, 2),
    ("CDF", 976, 2),
    ("CHE", 947, 2),
    ("CHF", 756, 2),
    ("CHW", 948, 2),
    ("CLF", 990, 4),
    ("CLP", 152, 0),
    ("CNY", 156, 2),
    ("COP", 170, 2),
    ("COU", 970, 2),
    ("CRC", 188, 2),
    ("CUP", 192, 2),
    ("CVE", 132, 2),
    ("CZK", 203, 2),
    ("DJF", 262, 0),
    ("DKK", 208, 2),
    ("DOP", 214, 2),
    ("DZD", 12, 2),
    ("EGP", 818, 2),
    ("ERN", 232, 2),
    ("ETB", 230, 2),
    ("EUR", 978, 2),
    ("FJD", 242, 2),
    ("FKP", 238, 2),
    ("GBP", 826, 2),
    ("GEL", 981, 2),
    ("GHS", 936, 2),
    ("GIP", 292, 2),
    ("GMD", 270, 2),
    ("GNF", 324, 0),
    ("GTQ", 320, 2),
    ("GYD", 328, 2),
    ("HKD", 344, 2),
    ("HNL", 340, 2),
    ("HTG", 332, 2),
    ("HUF", 348, 2),
    ("IDR", 360, 2),
    ("ILS", 376, 2),
    ("INR", 356, 2),
    ("IQD", 368, 3),
    ("IRR", 364, 2),
    ("ISK", 352, 0),
    ("JMD", 388, 2),
    ("JOD", 400, 3),
    ("JPY", 392, 0),
    ("KES", 404, 2),
    ("KGS", 417, 2),
    ("KHR", 116, 2),
    ("KMF", 174, 0),
    ("KPW", 408, 2),
    ("KRW", 410, 0),
    ("KWD", 414, 3),
    ("KYD", 136, 2),
    ("KZT", 398, 2),
    ("LAK", 418, 2),
    ("LBP", 422, 2),
    ("LKR", 144, 2),
    ("LRD", 430, 2),
    ("LSL", 426, 2),
    ("LYD", 434, 3),
    ("MAD", 504, 2),
    ("MDL", 498, 2),
    ("MGA", 969, 2),
    ("MKD", 807, 2),
    ("MMK", 104, 2),
    ("MNT", 496, 2),
    ("MOP", 446, 2),
    ("MRU", 929, 2),
    ("MUR", 480, 2),
    ("MVR", 462, 2),
    ("MWK", 454, 2),
    ("MXN", 484, 2),
    ("MXV", 979, 2),
    ("MYR", 458, 2),
    ("MZN", 943, 2),
    ("NAD", 516, 2),
    ("NGN", 566, 2),
    ("NIO", 558, 2),
    ("NOK", 578, 2),
    ("NPR", 524, 2),
    ("NZD", 554, 2),
    ("OMR", 512, 3),
    ("PAB", 590, 2),
    ("PEN", 604, 2),
    ("PGK", 598, 2),
    ("PHP", 608, 2),
    ("PKR", 586, 2),
    ("PLN", 985, 2),
    ("PYG", 600, 0),
    ("QAR", 634, 2),
    ("RON", 946, 2),
    ("RSD", 941, 2),
    ("RUB", 643, 2),
    ("RWF", 646, 0),
    ("SAR", 682, 2),
    ("SBD", 90, 2),
    ("SCR", 690, 2),
    ("SDG", 938, 2),
    ("SEK", 752, 2),
    ("SGD", 702, 2),
    ("SHP", 654, 2),
    ("SLE", 925, 2),
    ("SOS", 706, 2),
    ("SRD", 968, 2),
    ("SSP", 728, 2),
    ("STN", 930, 2),
    ("SVC", 222, 2),
    ("SYP", 760, 2),
    ("SZL", 748, 2),
    ("THB", 764, 2),
    ("TJS", 972, 2),
    ("TMT", 934, 2),
    ("TND", 788, 3),
    ("TOP", 776, 2),
    ("TRY", 949, 2),
    ("TTD", 780, 2),
    ("TWD", 901, 2),
    ("TZS", 834, 2),
    ("UAH", 980, 2),
    ("UGX", 800, 0),
    ("USD", 840, 2),
    ("USN", 997, 2),
    ("UYI", 940, 0),
    ("UYU", 858, 2),
    ("UYW", 927, 4),
    ("UZS", 860, 2),
    ("VED", 926, 2),
    ("VES", 928, 2),
    ("VND", 704, 0),
    ("VUV", 548, 0),
    ("WST", 882, 2),
    ("XAD", 396, 2),
    ("XAF", 950, 0),
    ("XCD", 951, 2),
    ("XCG", 532, 2),
    ("XOF", 952, 0),
    ("XPF", 953, 0),
    ("YER", 886, 2),
    ("ZAR", 710, 2),
    ("ZMW", 967, 2),
    ("ZWG", 924, 2),
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

    /// The largest amount one payment, top-up or balance may hold, in minor units: ten
    /// billion major units (¥10,000,000,000; CN¥10,000,000,000.00). Far above any real
    /// wallet, and far enough below `i64::MAX` (at most 10^14 with four decimals) that sums
    /// of many such amounts stay exact.
    pub fn ceiling_minor(self) -> i64 {
        10_i64.pow(10 + u32::from(self.exponent))
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
        // Owned, not `&str`: a `serde_json::Value` (as Tauri passes IPC arguments) cannot lend one.
        let code = String::deserialize(deserializer)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// The currencies a wallet may keep its money in, as onboarding offers them: each can pay
/// every shop of the reference service's demo, at its own or a converted price.
pub const HOME_CURRENCIES: [&str; 4] = ["CNY", "JPY", "USD", "EUR"];

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
    #[error("{0} is more than the most one amount may be")]
    AboveCeiling(Money),
    #[error("not an amount: {0:?}")]
    Malformed(String),
    #[error("{currency} has {exponent} decimal places, got {given}")]
    TooManyDecimals {
        currency: Currency,
        exponent: u8,
        given: usize,
    },
    #[error("not an exchange rate: {0:?}; write it as a plain decimal like 0.048210")]
    MalformedRate(String),
    #[error("exchange rate {0:?} must be greater than zero")]
    RateNotPositive(String),
    #[error("exchange rate has {given} decimal places; at most {MAX_RATE_DECIMALS} are supported")]
    RateTooPrecise { given: usize },
    #[error("exchange rate {0:?} is too large")]
    RateOutOfRange(String),
    #[error("an exchange rate needs two different currencies, got {0} twice")]
    SameCurrencyRate(Currency),
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

    /// The amount, if neither it nor its negative exceeds its currency's
    /// [ceiling](Currency::ceiling_minor).
    pub fn within_ceiling(self) -> Result<Money, MoneyError> {
        if self.minor.unsigned_abs() <= self.currency.ceiling_minor().unsigned_abs() {
            Ok(self)
        } else {
            Err(MoneyError::AboveCeiling(self))
        }
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

    /// Parses a plain decimal string ("23.72", "1280", "-0.5") exactly.
    ///
    /// The rule: an optional leading `-`, one or more ASCII digits, then optionally a `.`
    /// followed by one or more digits, never more of them than the currency's exponent (so no
    /// decimals at all for JPY). Nothing else is accepted: no `+`, no grouping separators
    /// ("1,234"), no spaces, no exponent notation. An amount is never rounded to fit: a string
    /// that does not name an exact number of minor units is an error.
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

    /// An amount as a person types it into a form, then [`Money::parse`]d: full-width
    /// digits and marks from a Chinese or Japanese input method (１２８０, １２．５０, 12。5),
    /// thousands grouped with commas (1,280, １，２８０, 1、280), spaces around. Grouping must be
    /// by threes, so "12,50" (a decimal comma elsewhere) is refused rather than read as 1250.
    /// No sign: a typed amount is what to pay or move, never negative.
    pub fn parse_typed(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let malformed = || MoneyError::Malformed(text.to_owned());
        let narrow: String = text
            .trim()
            .chars()
            .map(|c| match c {
                '\u{FF10}'..='\u{FF19}' => char::from_digit(u32::from(c) - 0xFF10, 10).unwrap_or(c),
                '\u{FF0E}' | '\u{3002}' => '.',
                '\u{FF0C}' | '\u{3001}' => ',',
                c => c,
            })
            .collect();
        let (whole, fraction) = match narrow.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (narrow.as_str(), None),
        };
        if whole.contains(',') {
            let mut groups = whole.split(',');
            let first = groups.next().unwrap_or_default();
            if !(1..=3).contains(&first.len()) || groups.any(|group| group.len() != 3) {
                return Err(malformed());
            }
        }
        let mut plain = whole.replace(',', "");
        if let Some(fraction) = fraction {
            plain.push('.');
            plain.push_str(fraction);
        }
        if plain.starts_with(['-', '+']) {
            return Err(malformed());
        }
        Money::parse(&plain, currency)
    }

    /// The amount as a plain decimal string with exactly the currency's decimals ("1280", "23.70").
    pub fn to_decimal_string(self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let (whole, fraction) = self.magnitude_parts();
        if fraction.is_empty() {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{fraction}")
        }
    }

    /// The amount for a person to read in `locale`: the locale's CLDR symbol for the currency
    /// (or its code and a space when the locale has none), thousands grouped with ",", "." as
    /// the decimal mark, exactly the currency's decimals, and a minus sign before the symbol.
    /// `Money::from_minor(-5, usd).format(Locale::En)` is "-$0.05".
    pub fn format(self, locale: Locale) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let code = self.currency.code();
        let prefix = match locale.symbol(code) {
            Some(symbol) => symbol.to_owned(),
            None => format!("{code} "),
        };
        let (whole, fraction) = self.magnitude_parts();
        let whole = group_thousands(whole);
        if fraction.is_empty() {
            format!("{sign}{prefix}{whole}")
        } else {
            format!("{sign}{prefix}{whole}.{fraction}")
        }
    }

    /// The absolute amount split at the decimal point: whole units, and the fraction as exactly
    /// `exponent` zero-padded digits (empty for JPY). `unsigned_abs` keeps `i64::MIN` exact.
    fn magnitude_parts(self) -> (u64, String) {
        let exponent = u32::from(self.currency.exponent());
        let magnitude = self.minor.unsigned_abs();
        if exponent == 0 {
            return (magnitude, String::new());
        }
        let scale = 10_u64.pow(exponent);
        let fraction = format!("{:0width$}", magnitude % scale, width = exponent as usize);
        (magnitude / scale, fraction)
    }
}

/// "1234567" -> "1,234,567".
fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
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

/// A display language for amounts. All three group thousands with "," and use "." as the
/// decimal mark; they differ in currency symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    ZhCn,
    Ja,
}

/// CLDR "symbol" forms, per locale. A currency missing from a locale's list is written by its
/// ISO code, as CLDR does for currencies a locale has no symbol for.
const EN_SYMBOLS: &[(&str, &str)] = &[
    ("USD", "$"),
    ("JPY", "¥"),
    ("CNY", "CN¥"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("KRW", "₩"),
    ("HKD", "HK$"),
];
const ZH_CN_SYMBOLS: &[(&str, &str)] = &[
    ("CNY", "¥"),
    ("JPY", "JP¥"),
    ("USD", "US$"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("KRW", "￦"),
    ("HKD", "HK$"),
];
/// CLDR `ja` writes CNY as "元" and JPY with the full-width "￥".
const JA_SYMBOLS: &[(&str, &str)] = &[
    ("JPY", "￥"),
    ("CNY", "元"),
    ("USD", "$"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("KRW", "₩"),
    ("HKD", "HK$"),
];

impl Locale {
    fn symbol(self, code: &str) -> Option<&'static str> {
        let symbols = match self {
            Locale::En => EN_SYMBOLS,
            Locale::ZhCn => ZH_CN_SYMBOLS,
            Locale::Ja => JA_SYMBOLS,
        };
        symbols
            .iter()
            .find(|(currency, _)| *currency == code)
            .map(|(_, symbol)| *symbol)
    }
}

/// Most decimal places an exchange rate may have: more than any market quotes, and small
/// enough that a rate always fits in its u64 mantissa with room for a large whole part.
pub const MAX_RATE_DECIMALS: usize = 12;

/// An exact exchange rate: one unit of `base` is worth `rate` units of `quote`
/// ("1 JPY = 0.048210 CNY"). The rate is kept as the decimal it was written as, an integer
/// mantissa and a count of decimal places, so it is never approximated and prints back as given.
///
/// Rounding: [`ExchangeRate::convert`] computes the exact result, then rounds it once to the
/// nearest minor unit of the quote currency, with exact halves rounded away from zero
/// (0.005 CNY -> 0.01 CNY, -0.005 CNY -> -0.01 CNY). This is the only rounding anywhere in
/// conversion.
///
/// Equality compares the written form: "0.5" and "0.50" are different values that convert
/// identically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "RateRecord", try_from = "RateRecord")]
pub struct ExchangeRate {
    base: Currency,
    quote: Currency,
    mantissa: u64,
    decimals: u8,
}

impl ExchangeRate {
    /// Parses `rate`, the price of one `base` in `quote`, as a plain decimal greater than zero
    /// with at most [`MAX_RATE_DECIMALS`] decimal places ("0.048210", "151.234", "1").
    pub fn parse(base: Currency, quote: Currency, rate: &str) -> Result<Self, MoneyError> {
        if base == quote {
            return Err(MoneyError::SameCurrencyRate(base));
        }
        let (whole, fraction) = match rate.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (rate, None),
        };
        let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !is_digits(whole) || !fraction.is_none_or(is_digits) {
            return Err(MoneyError::MalformedRate(rate.to_owned()));
        }
        let fraction = fraction.unwrap_or("");
        if fraction.len() > MAX_RATE_DECIMALS {
            return Err(MoneyError::RateTooPrecise {
                given: fraction.len(),
            });
        }
        // Only digits remain, so parsing fails only when the value does not fit.
        let mantissa: u64 = format!("{whole}{fraction}")
            .parse()
            .map_err(|_| MoneyError::RateOutOfRange(rate.to_owned()))?;
        if mantissa == 0 {
            return Err(MoneyError::RateNotPositive(rate.to_owned()));
        }
        Ok(Self {
            base,
            quote,
            mantissa,
            // Lossless: at most MAX_RATE_DECIMALS, checked above.
            decimals: fraction.len() as u8,
        })
    }

    /// The currency converted from.
    pub fn base(&self) -> Currency {
        self.base
    }

    /// The currency converted to.
    pub fn quote(&self) -> Currency {
        self.quote
    }

    /// Converts `amount`, which must be in the base currency, into the quote currency,
    /// rounding once as the type's documentation describes.
    pub fn convert(&self, amount: Money) -> Result<Money, MoneyError> {
        if amount.currency != self.base {
            return Err(MoneyError::CurrencyMismatch(amount.currency, self.base));
        }
        // quote minor = base minor × mantissa × 10^(quote exponent − base exponent − decimals)
        let product = i128::from(amount.minor)
            .checked_mul(i128::from(self.mantissa))
            .ok_or(MoneyError::Overflow)?;
        let shift = i32::from(self.quote.exponent)
            - i32::from(self.base.exponent)
            - i32::from(self.decimals);
        let power_of_ten = 10_i128
            .checked_pow(shift.unsigned_abs())
            .ok_or(MoneyError::Overflow)?;
        let (numerator, denominator) = if shift >= 0 {
            let scaled = product
                .checked_mul(power_of_ten)
                .ok_or(MoneyError::Overflow)?;
            (scaled, 1)
        } else {
            (product, power_of_ten)
        };
        let truncated = numerator / denominator;
        let remainder = numerator % denominator;
        // At least half a minor unit left over rounds up in magnitude; the remainder carries
        // the numerator's sign, so adding its signum steps away from zero.
        let rounded = if remainder.unsigned_abs() >= denominator.unsigned_abs().div_ceil(2) {
            truncated
                .checked_add(remainder.signum())
                .ok_or(MoneyError::Overflow)?
        } else {
            truncated
        };
        let minor = i64::try_from(rounded).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::from_minor(minor, self.quote))
    }

    /// The rate as written, with its decimal places ("0.048210").
    pub fn decimal(&self) -> String {
        if self.decimals == 0 {
            return self.mantissa.to_string();
        }
        let scale = 10_u64.pow(u32::from(self.decimals));
        format!(
            "{}.{:0width$}",
            self.mantissa / scale,
            self.mantissa % scale,
            width = usize::from(self.decimals)
        )
    }
}

impl fmt::Display for ExchangeRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1 {} = {} {}", self.base, self.decimal(), self.quote)
    }
}

/// Reads back what `Display` writes: "1 JPY = 0.048210 CNY".
impl FromStr for ExchangeRate {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || MoneyError::MalformedRate(text.to_owned());
        let (base, rest) = text
            .strip_prefix("1 ")
            .and_then(|rest| rest.split_once(" = "))
            .ok_or_else(malformed)?;
        let (rate, quote) = rest.split_once(' ').ok_or_else(malformed)?;
        ExchangeRate::parse(base.parse()?, quote.parse()?, rate)
    }
}

/// The serialized form: `{"base":"JPY","quote":"CNY","rate":"0.048210"}`, the rate a string so
/// that it survives JSON exactly.
#[derive(Serialize, Deserialize)]
struct RateRecord {
    base: Currency,
    quote: Currency,
    rate: String,
}

impl From<ExchangeRate> for RateRecord {
    fn from(rate: ExchangeRate) -> Self {
        Self {
            base: rate.base,
            quote: rate.quote,
            rate: rate.decimal(),
        }
    }
}

impl TryFrom<RateRecord> for ExchangeRate {
    type Error = MoneyError;

    fn try_from(record: RateRecord) -> Result<Self, Self::Error> {
        ExchangeRate::parse(record.base, record.quote, &record.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cur(code: &str) -> Currency {
        Currency::from_code(code).expect("known currency")
    }

    fn rate(base: &str, quote: &str, rate: &str) -> ExchangeRate {
        ExchangeRate::parse(cur(base), cur(quote), rate).expect("valid rate")
    }

    fn money(text: &str, code: &str) -> Money {
        Money::parse(text, cur(code)).expect("valid amount")
    }

    #[test]
    fn every_currency_has_a_ceiling_that_sums_stay_under() {
        assert_eq!(cur("JPY").ceiling_minor(), 10_000_000_000);
        assert_eq!(cur("CNY").ceiling_minor(), 1_000_000_000_000);
        for &(code, _, _) in ISO_4217 {
            let ceiling = cur(code).ceiling_minor();
            // Ten thousand amounts at the ceiling still add up exactly.
            assert!(ceiling.checked_mul(10_000).is_some(), "{code}");
        }
    }

    #[test]
    fn amounts_above_the_ceiling_are_refused() {
        let jpy = cur("JPY");
        let at = Money::from_minor(jpy.ceiling_minor(), jpy);
        assert_eq!(at.within_ceiling(), Ok(at));
        let below = Money::from_minor(-jpy.ceiling_minor(), jpy);
        assert_eq!(below.within_ceiling(), Ok(below));
        let above = Money::from_minor(jpy.ceiling_minor() + 1, jpy);
        assert_eq!(above.within_ceiling(), Err(MoneyError::AboveCeiling(above)));
        let absurd = Money::from_minor(i64::MIN, jpy);
        assert!(absurd.within_ceiling().is_err());
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
    fn table_covers_iso_4217_list_one() {
        assert_eq!(ISO_4217.len(), 165);
        for (code, numeric, exponent) in [
            ("BHD", 48, 3),
            ("CLF", 990, 4),
            ("UYW", 927, 4),
            ("UYI", 940, 0),
            ("IQD", 368, 3),
            ("LYD", 434, 3),
            ("XAF", 950, 0),
            ("SLE", 925, 2),
            ("VED", 926, 2),
            ("XCG", 532, 2),
            ("ZWG", 924, 2),
            ("XAD", 396, 2),
        ] {
            let currency = cur(code);
            assert_eq!(
                (currency.numeric(), currency.exponent()),
                (numeric, exponent)
            );
            assert_eq!(Currency::from_numeric(numeric), Ok(currency));
        }
        // Withdrawn, and units without minor units.
        for gone in [
            "ANG", "BGN", "CUC", "HRK", "SLL", "ZWL", "XAU", "XDR", "XTS", "XXX",
        ] {
            assert!(Currency::from_code(gone).is_err(), "{gone} must be unknown");
        }
    }

    #[test]
    fn table_rows_are_unique_and_sane() {
        for pair in ISO_4217.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "{} then {}: keep codes sorted",
                pair[0].0,
                pair[1].0
            );
        }
        for (index, &(code, numeric, exponent)) in ISO_4217.iter().enumerate() {
            assert!(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()));
            assert!((1..1000).contains(&numeric), "{code} numeric {numeric}");
            assert!(exponent <= 4, "{code} exponent {exponent}");
            assert!(
                ISO_4217[index + 1..].iter().all(|row| row.1 != numeric),
                "numeric {numeric} used twice"
            );
        }
    }

    #[test]
    fn a_rate_reads_back_as_it_is_written() {
        let written = rate("JPY", "CNY", "0.048210");
        assert_eq!(written.to_string(), "1 JPY = 0.048210 CNY");
        assert_eq!("1 JPY = 0.048210 CNY".parse::<ExchangeRate>(), Ok(written));
        assert_eq!(written.decimal(), "0.048210");
        for bad in [
            "JPY = 0.048210 CNY",
            "1 JPY 0.048210 CNY",
            "1 JPY = x CNY",
            "1 XXX = 1 CNY",
        ] {
            assert!(bad.parse::<ExchangeRate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn typed_amounts_read_as_people_type_them() {
        let typed = |text: &str, code: &str| Money::parse_typed(text, cur(code)).map(Money::minor);
        for (text, code, minor) in [
            ("1280", "JPY", 1280),
            ("１２８０", "JPY", 1280),
            ("1,280", "JPY", 1280),
            ("１，２８０", "JPY", 1280),
            ("1、280", "JPY", 1280),
            ("12,345,678", "JPY", 12_345_678),
            (" 500\u{3000}", "JPY", 500),
            ("12.50", "CNY", 1250),
            ("１２．５０", "CNY", 1250),
            ("12。5", "CNY", 1250),
            ("1,280.75", "CNY", 128_075),
        ] {
            assert_eq!(typed(text, code), Ok(minor), "{text:?} in {code}");
        }
        for (text, code) in [
            ("12,50", "CNY"),
            ("1,2345", "JPY"),
            (",280", "JPY"),
            ("1280,", "JPY"),
            ("1234,567", "JPY"),
            ("-5", "CNY"),
            ("+5", "CNY"),
            ("", "CNY"),
            ("12.5.0", "CNY"),
            ("¥500", "JPY"),
        ] {
            assert!(
                matches!(typed(text, code), Err(MoneyError::Malformed(_))),
                "{text:?} in {code}: {:?}",
                typed(text, code)
            );
        }
        assert!(matches!(
            typed("１２．５", "JPY"),
            Err(MoneyError::TooManyDecimals { exponent: 0, .. })
        ));
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

    #[test]
    fn deserializes_from_an_owned_json_value() {
        let value = serde_json::json!({"minor": 1280, "currency": "JPY"});
        let money: Money = serde_json::from_value(value).expect("deserializes");
        assert_eq!(money, Money::from_minor(1280, cur("JPY")));
    }

    #[test]
    fn formats_per_locale() {
        let cases = [
            (Locale::En, 1280, "JPY", "¥1,280"),
            (Locale::En, 123_456, "CNY", "CN¥1,234.56"),
            (Locale::ZhCn, 123_456, "CNY", "¥1,234.56"),
            (Locale::Ja, 1280, "JPY", "￥1,280"),
            (Locale::Ja, 123_456, "CNY", "元1,234.56"),
            (Locale::ZhCn, 1280, "JPY", "JP¥1,280"),
            (Locale::ZhCn, 1000, "USD", "US$10.00"),
            (Locale::ZhCn, 1_234_567, "KRW", "￦1,234,567"),
            (Locale::En, 1_234_567, "KRW", "₩1,234,567"),
            (Locale::En, 1234, "BHD", "BHD 1.234"),
            (Locale::Ja, 1234, "BHD", "BHD 1.234"),
            (Locale::En, -5, "USD", "-$0.05"),
            (Locale::En, -123_456_789, "HKD", "-HK$1,234,567.89"),
            (Locale::En, 0, "EUR", "€0.00"),
            (Locale::En, 100, "JPY", "¥100"),
            (Locale::En, 1000, "JPY", "¥1,000"),
            (Locale::En, 12_345, "CLF", "CLF 1.2345"),
            (Locale::En, i64::MIN, "JPY", "-¥9,223,372,036,854,775,808"),
        ];
        for (locale, minor, code, expected) in cases {
            assert_eq!(
                Money::from_minor(minor, cur(code)).format(locale),
                expected,
                "{minor} {code} in {locale:?}"
            );
        }
    }

    #[test]
    fn rate_parses_and_prints_as_written() {
        let jpy_cny = rate("JPY", "CNY", "0.048210");
        assert_eq!(jpy_cny.to_string(), "1 JPY = 0.048210 CNY");
        assert_eq!((jpy_cny.base(), jpy_cny.quote()), (cur("JPY"), cur("CNY")));
        assert_eq!(rate("USD", "JPY", "151").to_string(), "1 USD = 151 JPY");
        assert_eq!(
            rate("USD", "JPY", "0.000000000001").to_string(),
            "1 USD = 0.000000000001 JPY"
        );
    }

    #[test]
    fn rate_rejects_what_is_not_a_positive_decimal() {
        let parse = |text: &str| ExchangeRate::parse(cur("JPY"), cur("CNY"), text);
        for bad in [
            "", ".5", "5.", "-0.5", "+1", "1,000.5", "1e3", " 1", "1..2", "0x10",
        ] {
            assert_eq!(parse(bad), Err(MoneyError::MalformedRate(bad.to_owned())));
        }
        for zero in ["0", "0.000000", "000"] {
            assert_eq!(
                parse(zero),
                Err(MoneyError::RateNotPositive(zero.to_owned()))
            );
        }
        assert_eq!(
            parse("0.0000000000001"),
            Err(MoneyError::RateTooPrecise { given: 13 })
        );
        assert_eq!(
            parse("18446744073709551616"),
            Err(MoneyError::RateOutOfRange(
                "18446744073709551616".to_owned()
            ))
        );
        assert_eq!(
            ExchangeRate::parse(cur("JPY"), cur("JPY"), "1"),
            Err(MoneyError::SameCurrencyRate(cur("JPY")))
        );
    }

    #[test]
    fn converts_with_one_rounding_to_the_quote_minor_unit() {
        // 1280 × 0.048210 = 61.7088 CNY
        let cny = rate("JPY", "CNY", "0.048210").convert(money("1280", "JPY"));
        assert_eq!(cny, Ok(money("61.71", "CNY")));
        assert_eq!(cny.map(|m| m.format(Locale::En)), Ok("CN¥61.71".to_owned()));
        // 100.00 × 151.234 = 15123.4 JPY
        let jpy = rate("USD", "JPY", "151.234").convert(money("100.00", "USD"));
        assert_eq!(jpy, Ok(money("15123", "JPY")));
        assert_eq!(jpy.map(|m| m.format(Locale::Ja)), Ok("￥15,123".to_owned()));
    }

    #[test]
    fn converts_three_decimal_currencies() {
        // 0.125 × 2.659574 = 0.33244675 USD
        assert_eq!(
            rate("BHD", "USD", "2.659574").convert(money("0.125", "BHD")),
            Ok(money("0.33", "USD"))
        );
        // 0.125 × 400.5 = 50.0625 JPY
        assert_eq!(
            rate("BHD", "JPY", "400.5").convert(money("0.125", "BHD")),
            Ok(money("50", "JPY"))
        );
        // 1.00 × 0.376 = 0.376 BHD, exact
        assert_eq!(
            rate("USD", "BHD", "0.376").convert(money("1.00", "USD")),
            Ok(money("0.376", "BHD"))
        );
        // 1 × 0.0001 = 0.0001 CLF: the quote has more decimals than the rate supplies.
        assert_eq!(
            rate("JPY", "CLF", "0.0001").convert(money("1", "JPY")),
            Ok(money("0.0001", "CLF"))
        );
    }

    #[test]
    fn exact_halves_round_away_from_zero() {
        // 0.125 BHD at 1 = 0.125 USD, exactly half a cent past 0.12.
        let bhd_usd = rate("BHD", "USD", "1");
        assert_eq!(
            bhd_usd.convert(money("0.125", "BHD")),
            Ok(money("0.13", "USD"))
        );
        assert_eq!(
            bhd_usd.convert(money("-0.125", "BHD")),
            Ok(money("-0.13", "USD"))
        );
        // Just below half rounds down: 0.124 -> 0.12.
        assert_eq!(
            bhd_usd.convert(money("0.124", "BHD")),
            Ok(money("0.12", "USD"))
        );
        // 5 JPY × 0.001 = 0.005 CNY.
        let jpy_cny = rate("JPY", "CNY", "0.001");
        assert_eq!(jpy_cny.convert(money("5", "JPY")), Ok(money("0.01", "CNY")));
        assert_eq!(
            jpy_cny.convert(money("-5", "JPY")),
            Ok(money("-0.01", "CNY"))
        );
        assert_eq!(jpy_cny.convert(money("4", "JPY")), Ok(money("0.00", "CNY")));
    }

    #[test]
    fn conversion_refuses_the_wrong_currency_and_overflow() {
        let jpy_cny = rate("JPY", "CNY", "0.048210");
        assert_eq!(
            jpy_cny.convert(money("1.00", "USD")),
            Err(MoneyError::CurrencyMismatch(cur("USD"), cur("JPY")))
        );
        let huge = rate("JPY", "CLF", "18446744073709551615");
        assert_eq!(
            huge.convert(Money::from_minor(i64::MIN, cur("JPY"))),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            rate("JPY", "KRW", "2").convert(Money::from_minor(i64::MAX, cur("JPY"))),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn rate_serializes_with_its_written_scale() {
        let jpy_cny = rate("JPY", "CNY", "0.048210");
        let json = serde_json::to_string(&jpy_cny).expect("serializes");
        assert_eq!(json, r#"{"base":"JPY","quote":"CNY","rate":"0.048210"}"#);
        assert_eq!(serde_json::from_str(&json).ok(), Some(jpy_cny));
        for bad in [
            r#"{"base":"JPY","quote":"CNY","rate":"0"}"#,
            r#"{"base":"JPY","quote":"CNY","rate":"1e-2"}"#,
            r#"{"base":"JPY","quote":"JPY","rate":"1"}"#,
            r#"{"base":"JPY","quote":"CNY","rate":0.04821}"#,
        ] {
            assert!(serde_json::from_str::<ExchangeRate>(bad).is_err(), "{bad}");
        }
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        (0..ISO_4217.len()).prop_map(|index| Currency::from_row(&ISO_4217[index]))
    }

    fn any_locale() -> impl Strategy<Value = Locale> {
        prop_oneof![Just(Locale::En), Just(Locale::ZhCn), Just(Locale::Ja)]
    }

    /// `mantissa` with `decimals` decimal places as text: (48210, 6) -> "0.048210".
    fn decimal_text(mantissa: u64, decimals: usize) -> String {
        let digits = format!("{mantissa:0>width$}", width = decimals + 1);
        let (whole, fraction) = digits.split_at(digits.len() - decimals);
        if decimals == 0 {
            whole.to_owned()
        } else {
            format!("{whole}.{fraction}")
        }
    }

    /// Rates between two different currencies, up to 10^18 in mantissa, often small so that
    /// conversions mostly fit and exact halves come up.
    fn any_rate() -> impl Strategy<Value = ExchangeRate> {
        let mantissa = prop_oneof![1..=1_000_u64, 1..=1_000_000_000_000_000_000_u64];
        (
            any_currency(),
            any_currency(),
            mantissa,
            0..=MAX_RATE_DECIMALS,
        )
            .prop_filter("two currencies", |(base, quote, _, _)| base != quote)
            .prop_map(|(base, quote, mantissa, decimals)| {
                ExchangeRate::parse(base, quote, &decimal_text(mantissa, decimals))
                    .expect("generated rate parses")
            })
    }

    /// Amounts within ±10^15 minor units, often small.
    fn any_minor() -> impl Strategy<Value = i64> {
        prop_oneof![
            -1_000..=1_000_i64,
            -1_000_000_000_000_000..=1_000_000_000_000_000_i64
        ]
    }

    /// The exact conversion as numerator / denominator quote minor units, straight from the
    /// definition: minor / 10^base exponent × mantissa / 10^decimals × 10^quote exponent.
    /// With `any_rate` and `any_minor` every step fits in i128.
    fn exact_quote_minor(rate: &ExchangeRate, minor: i64) -> (i128, i128) {
        let numerator = i128::from(minor)
            * i128::from(rate.mantissa)
            * 10_i128.pow(u32::from(rate.quote.exponent()));
        let denominator = 10_i128.pow(u32::from(rate.decimals) + u32::from(rate.base.exponent()));
        (numerator, denominator)
    }

    proptest! {
        #[test]
        fn decimal_string_round_trips(minor in any::<i64>().prop_filter("abs fits", |m| *m != i64::MIN),
                                      index in 0..ISO_4217.len()) {
            let currency = Currency::from_row(&ISO_4217[index]);
            let money = Money::from_minor(minor, currency);
            prop_assert_eq!(Money::parse(&money.to_decimal_string(), currency), Ok(money));
        }

        #[test]
        fn add_and_sub_are_exact_inverses(a in any::<i64>(), b in any::<i64>(), currency in any_currency()) {
            let (a, b) = (Money::from_minor(a, currency), Money::from_minor(b, currency));
            let exact_sum = i128::from(a.minor()) + i128::from(b.minor());
            match a.checked_add(b) {
                Ok(sum) => {
                    prop_assert_eq!(i128::from(sum.minor()), exact_sum);
                    prop_assert_eq!(sum.checked_sub(b), Ok(a));
                }
                Err(error) => {
                    prop_assert_eq!(error, MoneyError::Overflow);
                    prop_assert!(i64::try_from(exact_sum).is_err());
                }
            }
            let exact_difference = i128::from(a.minor()) - i128::from(b.minor());
            match a.checked_sub(b) {
                Ok(difference) => {
                    prop_assert_eq!(i128::from(difference.minor()), exact_difference);
                    prop_assert_eq!(difference.checked_add(b), Ok(a));
                }
                Err(error) => {
                    prop_assert_eq!(error, MoneyError::Overflow);
                    prop_assert!(i64::try_from(exact_difference).is_err());
                }
            }
        }

        #[test]
        fn format_is_the_decimal_string_grouped(minor in any::<i64>(), currency in any_currency(),
                                                locale in any_locale()) {
            let money = Money::from_minor(minor, currency);
            let formatted = money.format(locale);
            prop_assert_eq!(formatted.starts_with('-'), minor < 0);
            let digits_start = formatted.find(|c: char| c.is_ascii_digit()).expect("has digits");
            let number = &formatted[digits_start..];
            let decimal = money.to_decimal_string();
            prop_assert_eq!(number.replace(',', ""), decimal.trim_start_matches('-'));
            let whole = number.split('.').next().expect("whole part");
            for (index, group) in whole.split(',').enumerate() {
                let good = if index == 0 { (1..=3).contains(&group.len()) } else { group.len() == 3 };
                prop_assert!(good, "bad grouping in {}", formatted);
            }
        }

        #[test]
        fn conversion_is_within_half_a_minor_unit_ties_away_from_zero(rate in any_rate(),
                                                                       minor in any_minor()) {
            let (numerator, denominator) = exact_quote_minor(&rate, minor);
            match rate.convert(Money::from_minor(minor, rate.base())) {
                Ok(converted) => {
                    prop_assert_eq!(converted.currency(), rate.quote());
                    // How far the result is from the exact value, in 1/denominator minor units.
                    let error = i128::from(converted.minor()) * denominator - numerator;
                    prop_assert!(2 * error.abs() <= denominator, "{} off by more than half", rate);
                    if 2 * error.abs() == denominator {
                        prop_assert_eq!(error.signum(), numerator.signum(), "tie not away from zero");
                    }
                }
                Err(error) => {
                    prop_assert_eq!(error, MoneyError::Overflow);
                    // Overflow only when even the exact value is beyond i64.
                    let limit = denominator.unsigned_abs() * u128::from(i64::MAX.unsigned_abs());
                    prop_assert!(numerator.unsigned_abs() > limit);
                }
            }
        }

        #[test]
        fn conversion_is_monotonic(rate in any_rate(), a in any_minor(), b in any_minor()) {
            let (low, high) = (a.min(b), a.max(b));
            let low = rate.convert(Money::from_minor(low, rate.base()));
            let high = rate.convert(Money::from_minor(high, rate.base()));
            if let (Ok(low), Ok(high)) = (low, high) {
                prop_assert!(low.minor() <= high.minor(), "{} not monotonic", rate);
            }
        }

        #[test]
        fn rate_one_between_equal_exponents_is_identity(
            (base, quote) in (any_currency(), any_currency())
                .prop_filter("different, same exponent", |(b, q)| b != q && b.exponent() == q.exponent()),
            trailing_zeros in 0..=MAX_RATE_DECIMALS,
            minor in any::<i64>(),
        ) {
            let one = decimal_text(10_u64.pow(trailing_zeros as u32), trailing_zeros);
            let rate = ExchangeRate::parse(base, quote, &one).expect("1 parses");
            prop_assert_eq!(rate.convert(Money::from_minor(minor, base)), Ok(Money::from_minor(minor, quote)));
        }

        #[test]
        fn rate_round_trips_through_json(rate in any_rate()) {
            let json = serde_json::to_string(&rate).expect("serializes");
            prop_assert_eq!(serde_json::from_str::<ExchangeRate>(&json).ok(), Some(rate));
        }
    }
}
