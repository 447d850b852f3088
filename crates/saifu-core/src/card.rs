//! Payment cards as a person types them: number, security code, expiry.
//!
//! The number and the security code are secrets. Their types print only a masked form in
//! `Debug`, implement neither `Display` nor serde, are not `Clone`, and hand out their digits
//! only through a method named `expose_digits`.
//!
//! Neither type wipes its memory on drop: a wipe the optimiser cannot remove needs volatile
//! writes (`unsafe`) or a crate such as `zeroize`, both ruled out here, and the text the
//! person typed is held by the caller anyway.

use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

/// A card network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Brand {
    Visa,
    Mastercard,
    UnionPay,
    Jcb,
    Amex,
    Discover,
    #[serde(rename = "diners")]
    DinersClub,
    Maestro,
    Mir,
    RuPay,
}

/// Leading digits (issuer identification numbers) of each network, as inclusive ranges of
/// prefixes. Both ends of a range have the same number of digits: the length of prefix it
/// is compared with.
///
/// A number belongs to the range with the longest matching prefix, and no two ranges of the
/// same length overlap (a test checks), so every overlap between networks is settled here:
/// - RuPay 60 against Discover 6011: the longer prefix wins, so 6011 is Discover and the rest
///   of 60 RuPay.
/// - RuPay 508 against Maestro 50: the longer prefix wins, so 508 is RuPay.
/// - RuPay 65 against Discover 65: Discover. RuPay's 65 cards are issued for the Discover
///   network, which routes them.
/// - RuPay 353 and 356 against JCB 3528-3589: JCB. They are RuPay-JCB co-branded cards that
///   run on JCB outside India; RuPay's 3-digit ranges would never win, so they are not listed.
/// - Discover 622126-622925 against UnionPay 62: UnionPay. These are UnionPay cards that
///   Discover accepts by agreement, not Discover cards; no separate range is listed.
/// - 81 and 82 are RuPay's. UnionPay has announced 81 ranges too, but not ones we can list
///   with confidence, so UnionPay is 62 only.
const IIN_RANGES: &[IinRange] = &[
    IinRange::new(2200, 2204, Brand::Mir),
    IinRange::new(2221, 2720, Brand::Mastercard),
    IinRange::new(300, 305, Brand::DinersClub),
    IinRange::new(3095, 3095, Brand::DinersClub),
    IinRange::new(34, 34, Brand::Amex),
    IinRange::new(3528, 3589, Brand::Jcb),
    IinRange::new(36, 36, Brand::DinersClub),
    IinRange::new(37, 37, Brand::Amex),
    IinRange::new(38, 39, Brand::DinersClub),
    IinRange::new(4, 4, Brand::Visa),
    IinRange::new(50, 50, Brand::Maestro),
    IinRange::new(508, 508, Brand::RuPay),
    IinRange::new(51, 55, Brand::Mastercard),
    IinRange::new(56, 58, Brand::Maestro),
    IinRange::new(60, 60, Brand::RuPay),
    IinRange::new(6011, 6011, Brand::Discover),
    IinRange::new(62, 62, Brand::UnionPay),
    IinRange::new(6304, 6304, Brand::Maestro),
    IinRange::new(644, 649, Brand::Discover),
    IinRange::new(65, 65, Brand::Discover),
    IinRange::new(6759, 6759, Brand::Maestro),
    IinRange::new(6761, 6763, Brand::Maestro),
    IinRange::new(676770, 676770, Brand::Maestro),
    IinRange::new(676774, 676774, Brand::Maestro),
    IinRange::new(81, 82, Brand::RuPay),
];

struct IinRange {
    first: u32,
    last: u32,
    brand: Brand,
}

impl IinRange {
    const fn new(first: u32, last: u32, brand: Brand) -> Self {
        Self { first, last, brand }
    }

    fn prefix_len(&self) -> usize {
        self.first.to_string().len()
    }

    fn matches(&self, digits: &str) -> bool {
        digits
            .get(..self.prefix_len())
            .filter(|prefix| prefix.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|prefix| prefix.parse::<u32>().ok())
            .is_some_and(|prefix| (self.first..=self.last).contains(&prefix))
    }
}

/// Every card number has this many digits, whatever its network.
const PAN_LENGTHS: RangeInclusive<usize> = 12..=19;

impl Brand {
    /// The network a card number belongs to, from its leading digits: the longest matching
    /// prefix in the range table wins. `None` when no supported network issues it.
    pub fn detect(digits: &str) -> Option<Brand> {
        IIN_RANGES
            .iter()
            .filter(|range| range.matches(digits))
            .max_by_key(|range| range.prefix_len())
            .map(|range| range.brand)
    }

    /// The numbers of digits this network's card numbers may have.
    pub fn lengths(self) -> &'static [usize] {
        match self {
            Brand::Visa => &[13, 16, 19],
            Brand::Mastercard | Brand::RuPay => &[16],
            Brand::Amex => &[15],
            Brand::DinersClub => &[14, 15, 16, 17, 18, 19],
            Brand::Maestro => &[12, 13, 14, 15, 16, 17, 18, 19],
            Brand::UnionPay | Brand::Jcb | Brand::Discover | Brand::Mir => &[16, 17, 18, 19],
        }
    }

    /// Digits in the security code: the four on the front of an Amex, three elsewhere.
    pub fn cvv_length(self) -> usize {
        match self {
            Brand::Amex => 4,
            _ => 3,
        }
    }

    /// The network's name as shown to people.
    pub fn name(self) -> &'static str {
        match self {
            Brand::Visa => "Visa",
            Brand::Mastercard => "Mastercard",
            Brand::UnionPay => "UnionPay",
            Brand::Jcb => "JCB",
            Brand::Amex => "American Express",
            Brand::Discover => "Discover",
            Brand::DinersClub => "Diners Club",
            Brand::Maestro => "Maestro",
            Brand::Mir => "Mir",
            Brand::RuPay => "RuPay",
        }
    }
}

impl fmt::Display for Brand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with card details, worded for the person typing them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("enter the card number")]
    EmptyNumber,
    /// `position` counts characters from 1, as the person sees them.
    #[error(
        "{character:?} at position {position} can't be part of a card number; type only digits"
    )]
    InvalidCharacter { character: char, position: usize },
    #[error("{}", wrong_length_message(*.brand, *.length))]
    WrongLength { brand: Option<Brand>, length: usize },
    #[error("this card number doesn't match a card network Saifu supports; check the first digits")]
    UnknownBrand,
    #[error("this card number has a typo; check each digit against the card")]
    LuhnCheckFailed,
    #[error("{0:?} isn't an expiry date; enter it as MM/YY, like 04/28")]
    BadExpiry(String),
    #[error("there is no month {0}; the expiry month is 01 to 12")]
    BadExpiryMonth(u8),
    #[error("this card expired at the end of {0}; use a card that is still valid")]
    Expired(Expiry),
    #[error("the security code is {expected} digits; check the card")]
    BadCvv { expected: usize },
}

fn wrong_length_message(brand: Option<Brand>, length: usize) -> String {
    let (whose, lengths) = match brand {
        Some(brand) => (format!("a {brand}"), describe_lengths(brand.lengths())),
        None => (
            "a".to_owned(),
            format!("{} to {}", PAN_LENGTHS.start(), PAN_LENGTHS.end()),
        ),
    };
    let entered = if length == 1 { "was" } else { "were" };
    format!("{whose} card number has {lengths} digits, but {length} {entered} entered")
}

/// [16] -> "16", [14..=19] -> "14 to 19", [13, 16, 19] -> "13, 16 or 19".
fn describe_lengths(lengths: &[usize]) -> String {
    match lengths {
        [] => String::new(),
        [only] => only.to_string(),
        [first, .., last] if last - first + 1 == lengths.len() => format!("{first} to {last}"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(usize::to_string).collect();
            format!("{} or {last}", init.join(", "))
        }
    }
}

/// Whether `digits` (ASCII digits only, check digit last) passes the Luhn check. Empty or
/// non-digit input fails.
pub fn luhn_valid(digits: &str) -> bool {
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && luhn_sum(digits, false).is_multiple_of(10)
}

/// The Luhn check digit to append to `payload`, or `None` if it has anything but ASCII digits.
pub fn luhn_check_digit(payload: &str) -> Option<char> {
    if !payload.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The payload's last digit sits next to the check digit, so it is the first doubled.
    let check = (10 - luhn_sum(payload, true) % 10) % 10;
    char::from_digit(check, 10)
}

/// Luhn's sum over ASCII digits, doubling every second digit from the right, starting with
/// the rightmost when `double_rightmost`.
fn luhn_sum(digits: &str, double_rightmost: bool) -> u32 {
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte - b'0');
            if (index % 2 == 0) == double_rightmost {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum()
}

/// A card number (primary account number): 12 to 19 digits of a supported network, with a
/// valid Luhn check digit.
#[derive(PartialEq, Eq)]
pub struct Pan {
    digits: String,
    brand: Brand,
}

impl Pan {
    /// Reads a card number as typed: spaces and dashes are dropped, anything else that is not
    /// an ASCII digit is refused with its position. Then the length, network and check digit
    /// must agree.
    pub fn parse(text: &str) -> Result<Pan, CardError> {
        let mut digits = String::with_capacity(text.len());
        for (index, character) in text.chars().enumerate() {
            match character {
                '0'..='9' => digits.push(character),
                ' ' | '-' => {}
                _ => {
                    return Err(CardError::InvalidCharacter {
                        character,
                        position: index + 1,
                    });
                }
            }
        }
        if digits.is_empty() {
            return Err(CardError::EmptyNumber);
        }
        let length = digits.len();
        let brand = Brand::detect(&digits);
        if !PAN_LENGTHS.contains(&length) {
            return Err(CardError::WrongLength { brand, length });
        }
        let brand = brand.ok_or(CardError::UnknownBrand)?;
        if !brand.lengths().contains(&length) {
            return Err(CardError::WrongLength {
                brand: Some(brand),
                length,
            });
        }
        if !luhn_valid(&digits) {
            return Err(CardError::LuhnCheckFailed);
        }
        Ok(Pan { digits, brand })
    }

    pub fn brand(&self) -> Brand {
        self.brand
    }

    /// The last four digits, which may be shown.
    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// The brand and last four digits, the only form to show: "Visa •••• 4242".
    pub fn masked(&self) -> String {
        format!("{} •••• {}", self.brand, self.last4())
    }

    /// The full number, digits only. This is the one way to read it: call it only to hand the
    /// number to the card network when linking the card, never to log, store or display it.
    pub fn expose_digits(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pan({})", self.masked())
    }
}

/// A card security code (CVV, CVC, CID).
#[derive(PartialEq, Eq)]
pub struct Cvv(String);

impl Cvv {
    /// Reads a security code: exactly `brand.cvv_length()` ASCII digits, nothing else.
    pub fn parse(text: &str, brand: Brand) -> Result<Cvv, CardError> {
        let expected = brand.cvv_length();
        if text.len() == expected && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Cvv(text.to_owned()))
        } else {
            Err(CardError::BadCvv { expected })
        }
    }

    /// The code's digits. Call it only to hand the code to the card network when linking the
    /// card; the code must never be logged or stored.
    pub fn expose_digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvv(redacted)")
    }
}

/// The month a card expires: it is valid through the last day of that month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ExpiryFields")]
pub struct Expiry {
    month: u8,
    year: u16,
}

/// `Expiry` as it arrives from serde, before the month is checked.
#[derive(Deserialize)]
struct ExpiryFields {
    month: u8,
    year: u16,
}

impl TryFrom<ExpiryFields> for Expiry {
    type Error = CardError;

    fn try_from(fields: ExpiryFields) -> Result<Self, Self::Error> {
        Expiry::new(fields.month, fields.year)
    }
}

impl Expiry {
    /// An expiry of `month` (1 to 12) in the four-digit `year`.
    pub fn new(month: u8, year: u16) -> Result<Expiry, CardError> {
        if (1..=12).contains(&month) {
            Ok(Expiry { month, year })
        } else {
            Err(CardError::BadExpiryMonth(month))
        }
    }

    /// Reads an expiry as printed on cards: "MM/YY", "MM/YYYY" or with "-" instead of "/",
    /// with optional spaces around the separator. The month is two digits, 01 to 12; a
    /// two-digit year YY means 20YY.
    pub fn parse(text: &str) -> Result<Expiry, CardError> {
        let malformed = || CardError::BadExpiry(text.to_owned());
        let (month, year) = text.split_once(['/', '-']).ok_or_else(malformed)?;
        let (month, year) = (month.trim_end_matches(' '), year.trim_start_matches(' '));
        let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if month.len() != 2 || !is_digits(month) || !matches!(year.len(), 2 | 4) || !is_digits(year)
        {
            return Err(malformed());
        }
        let month: u8 = month.parse().map_err(|_| malformed())?;
        let year = match year.parse::<u16>() {
            Ok(short) if year.len() == 2 => 2000 + short,
            Ok(full) => full,
            Err(_) => return Err(malformed()),
        };
        Expiry::new(month, year)
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn year(self) -> u16 {
        self.year
    }

    /// Whether the card can still be used in `month` (1 to 12) of `year`.
    pub fn is_valid_on(self, year: u16, month: u8) -> bool {
        (year, month) <= (self.year, self.month)
    }

    /// [`Expiry::is_valid_on`] as a `Result`, with the error to show when the card has expired.
    pub fn ensure_valid_on(self, year: u16, month: u8) -> Result<(), CardError> {
        if self.is_valid_on(year, month) {
            Ok(())
        } else {
            Err(CardError::Expired(self))
        }
    }

    /// Whether the card can still be used at the Unix time `now`, by its month in UTC.
    pub fn is_valid_at(self, now: i64) -> bool {
        let (year, month) = crate::time::year_month(now);
        (year, month) <= (i64::from(self.year), self.month)
    }

    /// [`Expiry::is_valid_at`] as a `Result`.
    pub fn ensure_valid_at(self, now: i64) -> Result<(), CardError> {
        if self.is_valid_at(now) {
            Ok(())
        } else {
            Err(CardError::Expired(self))
        }
    }
}

/// "MM/YY", as printed on the card.
impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}", self.month, self.year % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `payload` completed with its Luhn check digit: a made-up, valid-looking test number.
    fn with_check_digit(payload: &str) -> String {
        let check = luhn_check_digit(payload).expect("digits only");
        format!("{payload}{check}")
    }

    fn brand_of(text: &str) -> Brand {
        Pan::parse(text)
            .unwrap_or_else(|error| panic!("{text} must parse: {error}"))
            .brand()
    }

    #[test]
    fn accepts_networks_published_test_numbers() {
        let cases = [
            ("4242424242424242", Brand::Visa),
            ("4111111111111111", Brand::Visa),
            ("4012888888881881", Brand::Visa),
            ("4222222222222", Brand::Visa),
            ("5555555555554444", Brand::Mastercard),
            ("2223003122003222", Brand::Mastercard),
            ("5105105105105100", Brand::Mastercard),
            ("378282246310005", Brand::Amex),
            ("371449635398431", Brand::Amex),
            ("6011111111111117", Brand::Discover),
            ("6011000990139424", Brand::Discover),
            ("3056930009020004", Brand::DinersClub),
            ("36227206271667", Brand::DinersClub),
            ("3566002020360505", Brand::Jcb),
            ("3530111333300000", Brand::Jcb),
            ("6200000000000005", Brand::UnionPay),
            ("6200000000000047", Brand::UnionPay),
            ("6205500000000000004", Brand::UnionPay),
            ("6759649826438453", Brand::Maestro),
        ];
        for (number, brand) in cases {
            assert_eq!(brand_of(number), brand, "{number}");
        }
    }

    #[test]
    fn accepts_constructed_numbers_for_every_range() {
        // No published test numbers for these: each is a prefix padded with zeros and
        // completed with its check digit, not a real card.
        let cases = [
            ("220000000000000", Brand::Mir),
            ("220499999999999", Brand::Mir),
            ("222100000000000", Brand::Mastercard),
            ("272099999999999", Brand::Mastercard),
            ("3050000000000", Brand::DinersClub),
            ("3095000000000", Brand::DinersClub),
            ("389999999999999", Brand::DinersClub),
            ("352800000000000", Brand::Jcb),
            ("358999999999999", Brand::Jcb),
            ("50180000000", Brand::Maestro),
            ("589300000000000", Brand::Maestro),
            ("630400000000000", Brand::Maestro),
            ("676100000000000", Brand::Maestro),
            ("676770000000000", Brand::Maestro),
            ("676774000000000000", Brand::Maestro),
            ("508500000000000", Brand::RuPay),
            ("608000000000000", Brand::RuPay),
            ("819100000000000", Brand::RuPay),
            ("829900000000000", Brand::RuPay),
            ("644000000000000", Brand::Discover),
            ("650000000000000", Brand::Discover),
            ("622126000000000", Brand::UnionPay),
            ("622925000000000000", Brand::UnionPay),
        ];
        for (payload, brand) in cases {
            assert_eq!(brand_of(&with_check_digit(payload)), brand, "{payload}");
        }
    }

    #[test]
    fn detects_by_longest_prefix() {
        assert_eq!(Brand::detect("6011"), Some(Brand::Discover));
        assert_eq!(Brand::detect("6012"), Some(Brand::RuPay));
        assert_eq!(Brand::detect("5085"), Some(Brand::RuPay));
        assert_eq!(Brand::detect("5018"), Some(Brand::Maestro));
        assert_eq!(Brand::detect("3530"), Some(Brand::Jcb));
        assert_eq!(Brand::detect("3527"), None);
        assert_eq!(Brand::detect("2205"), None);
        assert_eq!(Brand::detect("2220"), None);
        assert_eq!(Brand::detect("2721"), None);
        assert_eq!(Brand::detect("676771"), None);
        assert_eq!(Brand::detect("1234"), None);
        assert_eq!(Brand::detect("9"), None);
        assert_eq!(Brand::detect(""), None);
        assert_eq!(Brand::detect("+4"), None);
    }

    #[test]
    fn range_table_is_consistent() {
        for range in IIN_RANGES {
            assert!(range.first <= range.last, "{}..{}", range.first, range.last);
            assert_eq!(range.first.to_string().len(), range.last.to_string().len());
            for other in IIN_RANGES {
                let same_length = other.prefix_len() == range.prefix_len();
                let overlap = other.first <= range.last && range.first <= other.last;
                assert!(
                    std::ptr::eq(range, other) || !(same_length && overlap),
                    "{}..{} overlaps {}..{}",
                    range.first,
                    range.last,
                    other.first,
                    other.last
                );
            }
        }
    }

    #[test]
    fn brand_facts() {
        assert_eq!(Brand::Amex.cvv_length(), 4);
        assert_eq!(Brand::Visa.cvv_length(), 3);
        assert_eq!(Brand::Jcb.name(), "JCB");
        assert_eq!(Brand::Amex.to_string(), "American Express");
        assert_eq!(Brand::Amex.lengths(), &[15]);
        let json: Vec<String> = [
            Brand::Visa,
            Brand::Mastercard,
            Brand::UnionPay,
            Brand::Jcb,
            Brand::Amex,
            Brand::Discover,
            Brand::DinersClub,
            Brand::Maestro,
            Brand::Mir,
            Brand::RuPay,
        ]
        .iter()
        .map(|brand| serde_json::to_string(brand).expect("serializes"))
        .collect();
        assert_eq!(
            json.join(","),
            r#""visa","mastercard","unionpay","jcb","amex","discover","diners","maestro","mir","rupay""#
        );
        assert_eq!(
            serde_json::from_str::<Brand>(r#""diners""#).ok(),
            Some(Brand::DinersClub)
        );
    }

    #[test]
    fn normalises_spaces_and_dashes() {
        let plain = Pan::parse("4242424242424242").expect("valid");
        assert_eq!(Pan::parse("4242 4242 4242 4242"), Ok(plain));
        let amex = Pan::parse("3782-822463-10005").expect("valid");
        assert_eq!(amex.expose_digits(), "378282246310005");
        assert_eq!(amex.masked(), "American Express •••• 0005");
    }

    #[test]
    fn names_the_first_bad_character_and_its_position() {
        assert_eq!(
            Pan::parse("4242 4242 4242 424x"),
            Err(CardError::InvalidCharacter {
                character: 'x',
                position: 19
            })
        );
        assert_eq!(
            Pan::parse("O242424242424242"),
            Err(CardError::InvalidCharacter {
                character: 'O',
                position: 1
            })
        );
        // Counted in characters, not bytes.
        assert_eq!(
            Pan::parse("42•42"),
            Err(CardError::InvalidCharacter {
                character: '•',
                position: 3
            })
        );
        assert_eq!(
            Pan::parse("4242\t4242"),
            Err(CardError::InvalidCharacter {
                character: '\t',
                position: 5
            })
        );
        let message = Pan::parse("4242 424x").expect_err("invalid").to_string();
        assert_eq!(
            message,
            "'x' at position 9 can't be part of a card number; type only digits"
        );
    }

    #[test]
    fn rejects_wrong_lengths() {
        assert_eq!(Pan::parse(""), Err(CardError::EmptyNumber));
        assert_eq!(Pan::parse(" - "), Err(CardError::EmptyNumber));
        assert_eq!(
            Pan::parse("424242424242424"),
            Err(CardError::WrongLength {
                brand: Some(Brand::Visa),
                length: 15
            })
        );
        assert_eq!(
            Pan::parse("37828224631000"),
            Err(CardError::WrongLength {
                brand: Some(Brand::Amex),
                length: 14
            })
        );
        assert_eq!(
            Pan::parse("42424242424242424242"),
            Err(CardError::WrongLength {
                brand: Some(Brand::Visa),
                length: 20
            })
        );
        assert_eq!(
            Pan::parse("99999"),
            Err(CardError::WrongLength {
                brand: None,
                length: 5
            })
        );
        assert_eq!(
            Pan::parse("424242424242424").map_err(|e| e.to_string()),
            Err("a Visa card number has 13, 16 or 19 digits, but 15 were entered".to_owned())
        );
        assert_eq!(
            Pan::parse("6").map_err(|e| e.to_string()),
            Err("a card number has 12 to 19 digits, but 1 was entered".to_owned())
        );
        assert_eq!(
            Pan::parse("62000000000000000000").map_err(|e| e.to_string()),
            Err("a UnionPay card number has 16 to 19 digits, but 20 were entered".to_owned())
        );
    }

    #[test]
    fn rejects_unknown_networks_and_typos() {
        assert_eq!(
            Pan::parse(&with_check_digit("999999999999999")),
            Err(CardError::UnknownBrand)
        );
        assert_eq!(
            Pan::parse("4242424242424241"),
            Err(CardError::LuhnCheckFailed)
        );
        // Two adjacent digits swapped.
        assert_eq!(
            Pan::parse("4242424242424224"),
            Err(CardError::LuhnCheckFailed)
        );
        assert_eq!(
            Pan::parse("5555555555554445"),
            Err(CardError::LuhnCheckFailed)
        );
    }

    #[test]
    fn luhn_helpers() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("7992739871a"));
        assert_eq!(luhn_check_digit("7992739871"), Some('3'));
        assert_eq!(luhn_check_digit("424242424242424"), Some('2'));
        assert_eq!(luhn_check_digit("42 42"), None);
    }

    #[test]
    fn shows_only_brand_and_last_four() {
        let pan = Pan::parse("4242 4242 4242 4242").expect("valid");
        assert_eq!(pan.last4(), "4242");
        assert_eq!(pan.masked(), "Visa •••• 4242");
        assert_eq!(format!("{pan:?}"), "Pan(Visa •••• 4242)");
        let unionpay = Pan::parse("6205500000000000004").expect("valid");
        assert_eq!(format!("{unionpay:?}"), "Pan(UnionPay •••• 0004)");
    }

    #[test]
    fn cvv_length_follows_brand() {
        let cvv = Cvv::parse("123", Brand::Visa).expect("valid");
        assert_eq!(cvv.expose_digits(), "123");
        assert_eq!(format!("{cvv:?}"), "Cvv(redacted)");
        assert_eq!(
            Cvv::parse("1234", Brand::Amex).map(|c| c.expose_digits().to_owned()),
            Ok("1234".to_owned())
        );
        for (bad, brand) in [
            ("123", Brand::Amex),
            ("1234", Brand::Visa),
            ("12a", Brand::Visa),
            ("", Brand::Visa),
            (" 123", Brand::Visa),
            ("१२३", Brand::Visa),
        ] {
            assert_eq!(
                Cvv::parse(bad, brand),
                Err(CardError::BadCvv {
                    expected: brand.cvv_length()
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn parses_expiry_forms() {
        let april_2028 = Expiry::new(4, 2028).expect("valid");
        for text in [
            "04/28",
            "04/2028",
            "04-28",
            "04-2028",
            "04 / 28",
            "04 /28",
            "04/ 2028",
            "04  -  28",
        ] {
            assert_eq!(Expiry::parse(text), Ok(april_2028), "{text:?}");
        }
        assert_eq!(april_2028.to_string(), "04/28");
        assert_eq!((april_2028.month(), april_2028.year()), (4, 2028));
        assert_eq!(Expiry::parse("12/2099").map(Expiry::year), Ok(2099));
        assert_eq!(Expiry::parse("01/0099").map(Expiry::year), Ok(99));
    }

    #[test]
    fn rejects_bad_expiries() {
        for bad in [
            "", "4/28", "04/8", "04/028", "0428", "04.28", "04//28", "ab/cd", " 04/28", "04/28 ",
            "04/+8", "١٢/28",
        ] {
            assert_eq!(
                Expiry::parse(bad),
                Err(CardError::BadExpiry(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert_eq!(Expiry::parse("13/28"), Err(CardError::BadExpiryMonth(13)));
        assert_eq!(Expiry::parse("00/28"), Err(CardError::BadExpiryMonth(0)));
        assert_eq!(
            Expiry::parse("13/28").map_err(|e| e.to_string()),
            Err("there is no month 13; the expiry month is 01 to 12".to_owned())
        );
    }

    #[test]
    fn valid_through_the_end_of_the_expiry_month() {
        let expiry = Expiry::parse("04/28").expect("valid");
        assert!(expiry.is_valid_on(2027, 12));
        assert!(expiry.is_valid_on(2028, 3));
        assert!(expiry.is_valid_on(2028, 4));
        assert!(!expiry.is_valid_on(2028, 5));
        assert!(!expiry.is_valid_on(2029, 1));
        assert_eq!(expiry.ensure_valid_on(2028, 4), Ok(()));
        assert_eq!(
            expiry.ensure_valid_on(2028, 5).map_err(|e| e.to_string()),
            Err("this card expired at the end of 04/28; use a card that is still valid".to_owned())
        );
    }

    #[test]
    fn expiry_serde_checks_the_month() {
        let expiry = Expiry::new(12, 2027).expect("valid");
        let json = serde_json::to_string(&expiry).expect("serializes");
        assert_eq!(json, r#"{"month":12,"year":2027}"#);
        assert_eq!(serde_json::from_str(&json).ok(), Some(expiry));
        assert!(serde_json::from_str::<Expiry>(r#"{"month":13,"year":2027}"#).is_err());
    }

    /// Valid numbers of every network: a prefix from its ranges, random digits up to one of
    /// its lengths, then the check digit.
    fn any_valid_pan_digits() -> impl Strategy<Value = String> {
        let prefixes: Vec<(&str, usize)> = vec![
            ("4", 13),
            ("4", 16),
            ("4", 19),
            ("51", 16),
            ("2720", 16),
            ("34", 15),
            ("37", 15),
            ("6011", 19),
            ("65", 16),
            ("62", 17),
            ("3589", 18),
            ("36", 14),
            ("38", 19),
            ("6759", 12),
            ("676774", 19),
            ("2200", 16),
            ("508", 16),
            ("81", 16),
        ];
        proptest::sample::select(prefixes).prop_flat_map(|(prefix, length)| {
            proptest::collection::vec(0..10_u32, length - prefix.len() - 1).prop_map(
                move |digits| {
                    let payload: String = prefix
                        .chars()
                        .chain(
                            digits
                                .into_iter()
                                .map(|d| char::from_digit(d, 10).expect("digit")),
                        )
                        .collect();
                    with_check_digit(&payload)
                },
            )
        })
    }

    proptest! {
        #[test]
        fn appended_check_digit_validates_and_any_changed_digit_breaks_it(
            payload in "[0-9]{1,30}",
            position in any::<proptest::sample::Index>(),
            shift in 1..10_u8,
        ) {
            let number = with_check_digit(&payload);
            prop_assert!(luhn_valid(&number));
            let mut bytes = number.into_bytes();
            let index = position.index(bytes.len());
            bytes[index] = b'0' + (bytes[index] - b'0' + shift) % 10;
            let changed = String::from_utf8(bytes).expect("ASCII");
            prop_assert!(!luhn_valid(&changed), "{} still passes", changed);
        }

        #[test]
        fn debug_never_shows_more_than_the_last_four(digits in any_valid_pan_digits()) {
            let pan = Pan::parse(&digits).expect("generated numbers are valid");
            let debug = format!("{pan:?}");
            prop_assert_eq!(debug.chars().filter(char::is_ascii_digit).count(), 4, "{}", debug);
            let expected_end = format!(" {})", &digits[digits.len() - 4..]);
            prop_assert!(debug.ends_with(&expected_end), "{}", debug);
            prop_assert!(!pan.masked().contains(&digits[..6]));
        }

        #[test]
        fn spaces_and_dashes_anywhere_change_nothing(
            digits in any_valid_pan_digits(),
            separators in proptest::collection::vec((any::<proptest::sample::Index>(), prop_oneof![Just(' '), Just('-')]), 0..10),
        ) {
            let mut typed: Vec<char> = digits.chars().collect();
            for (index, separator) in separators {
                typed.insert(index.index(typed.len() + 1), separator);
            }
            let typed: String = typed.into_iter().collect();
            let plain = Pan::parse(&digits);
            prop_assert!(plain.is_ok());
            prop_assert_eq!(Pan::parse(&typed), plain);
        }
    }
}
