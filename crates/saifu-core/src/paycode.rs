//! The wallet's own pay code: 18 digits a till scans (or a cashier types) to charge the
//! customer, made on the device with no network and checked by the service, never the till.
//!
//! Construction (v1):
//! - At registration the service gives the device a 32-byte pay-code key and a device
//!   number under 10^8; the device keeps the key in the OS keyring.
//! - Time runs in 30-second steps: `step = floor(unix_seconds / 30)`.
//! - `mac = HMAC-SHA256(key, "saifu-paycode-v1" || number as u64 BE || step as i64 BE)`; its
//!   first 8 bytes, big-endian, modulo 10^7, are 7 digits.
//! - The code is "28", the device number in 8 digits, those 7 digits, and a Luhn check
//!   digit over the 17 before it: a mistyped digit or two swapped neighbours are caught
//!   by the till before the service is asked.
//!
//! The service accepts a code for the step it is in and one either side (about a minute
//! and a half), once: a screenshot is worthless once used, and a code made an hour ago was
//! never valid now. A guess hits one of the three valid codes with odds of 3 in 10^7.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// What every pay code starts with, so a till tells it from a shop's code or a barcode.
pub const PREFIX: &str = "28";
/// Digits in a pay code.
pub const LENGTH: usize = 18;
/// How long one code lasts, in seconds; the app shows the next one after it.
pub const STEP_SECONDS: i64 = 30;
/// Steps either side of the service's own that it accepts: clocks differ a little.
pub const STEPS_ACCEPTED_EITHER_SIDE: i64 = 1;
/// Device numbers are under this: eight digits.
pub const DEVICE_NUMBERS: u32 = 100_000_000;

const DOMAIN: &[u8] = b"saifu-paycode-v1";
const MAC_DIGITS: u64 = 10_000_000;
/// How far back [`PayCode::verify`] looks to tell an expired code from a wrong one.
pub const EXPIRED_LOOKBACK_STEPS: i64 = 120;

/// A device's pay-code key: kept in the keyring on the device and by the service.
#[derive(Clone, PartialEq, Eq)]
pub struct PayCodeKey([u8; 32]);

impl PayCodeKey {
    pub fn from_bytes(bytes: [u8; 32]) -> PayCodeKey {
        PayCodeKey(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for PayCodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PayCodeKey(<redacted>)")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayCodeError {
    #[error("a pay code has {LENGTH} digits and starts with {PREFIX}")]
    Malformed,
    #[error("the pay code's check digit does not match: a digit was misread or mistyped")]
    CheckDigit,
    #[error("a device number is under {DEVICE_NUMBERS}")]
    DeviceNumber,
}

/// A pay code read from what a till scanned or a cashier typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayCode {
    pub device_number: u32,
    mac: u32,
}

/// The 30-second step `unix_seconds` falls in.
pub fn step(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

fn mac(key: &PayCodeKey, device_number: u32, step: i64) -> u32 {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(DOMAIN);
    mac.update(&u64::from(device_number).to_be_bytes());
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    // 2^64 is 1844674407370 times 10^7 and a little: the bias is under 10^-12.
    (u64::from_be_bytes(first) % MAC_DIGITS) as u32
}

/// The code device `device_number` shows at `unix_seconds`.
pub fn make(
    key: &PayCodeKey,
    device_number: u32,
    unix_seconds: i64,
) -> Result<String, PayCodeError> {
    if device_number >= DEVICE_NUMBERS {
        return Err(PayCodeError::DeviceNumber);
    }
    let mac = mac(key, device_number, step(unix_seconds));
    let body = format!("{PREFIX}{device_number:08}{mac:07}");
    let check = luhn_check_digit(&body);
    Ok(format!("{body}{check}"))
}

/// The digit that makes `digits` and it pass the Luhn check (ISO/IEC 7812-1).
fn luhn_check_digit(digits: &str) -> char {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte - b'0');
            match index % 2 {
                0 if digit >= 5 => digit * 2 - 9,
                0 => digit * 2,
                _ => digit,
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// What [`PayCode::verify`] finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    /// Made in this step, within the steps accepted.
    Valid { step: i64 },
    /// Made by this key, but too long ago to be accepted.
    Expired,
    /// Not made by this key near now: forged, mistyped past the check digit, or far too old.
    Wrong,
}

impl PayCode {
    /// Reads a code as scanned or typed: spaces and dashes between digits are ignored, and
    /// the check digit must match.
    pub fn parse(text: &str) -> Result<PayCode, PayCodeError> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() != LENGTH
            || !digits.starts_with(PREFIX)
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(PayCodeError::Malformed);
        }
        let number = |range: std::ops::Range<usize>| {
            digits[range]
                .parse::<u32>()
                .map_err(|_| PayCodeError::Malformed)
        };
        if luhn_check_digit(&digits[..LENGTH - 1]) != char::from(digits.as_bytes()[LENGTH - 1]) {
            return Err(PayCodeError::CheckDigit);
        }
        Ok(PayCode {
            device_number: number(2..10)?,
            mac: number(10..17)?,
        })
    }

    /// Whether `key` made this code within the steps accepted around `now`, made it longer
    /// ago (up to [`EXPIRED_LOOKBACK_STEPS`]), or never. The accepted steps are all computed
    /// and compared whichever matches, so the time taken hardly depends on the answer.
    pub fn verify(&self, key: &PayCodeKey, now: i64) -> Verified {
        let current = step(now);
        let mut matched = None;
        for offset in -STEPS_ACCEPTED_EITHER_SIDE..=STEPS_ACCEPTED_EITHER_SIDE {
            let candidate = current + offset;
            let expected = mac(key, self.device_number, candidate);
            if expected == self.mac && matched.is_none() {
                matched = Some(candidate);
            }
        }
        if let Some(step) = matched {
            return Verified::Valid { step };
        }
        let older = current - EXPIRED_LOOKBACK_STEPS..current - STEPS_ACCEPTED_EITHER_SIDE;
        if older
            .into_iter()
            .any(|candidate| mac(key, self.device_number, candidate) == self.mac)
        {
            Verified::Expired
        } else {
            Verified::Wrong
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key() -> PayCodeKey {
        let mut bytes = [0_u8; 32];
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = index as u8;
        }
        PayCodeKey::from_bytes(bytes)
    }

    /// The vectors the README lists, computed independently (Python's hmac and hashlib).
    #[test]
    fn codes_match_the_published_vectors() {
        for (number, at, code) in [
            (12_345_678, 1_796_000_000, "281234567846843110"),
            (12_345_678, 1_796_000_029, "281234567887069773"),
            (12_345_678, 1_796_000_030, "281234567887069773"),
            (1, 0, "280000000183324480"),
            (99_999_999, 1_796_313_600, "289999999932779767"),
        ] {
            assert_eq!(make(&key(), number, at).unwrap(), code, "{number} at {at}");
        }
        assert_eq!(
            make(&key(), DEVICE_NUMBERS, 0),
            Err(PayCodeError::DeviceNumber)
        );
    }

    #[test]
    fn a_code_is_good_for_a_step_either_side_and_no_more() {
        let code = PayCode::parse(&make(&key(), 42, 1_796_000_000).unwrap()).unwrap();
        let made = Verified::Valid {
            step: step(1_796_000_000),
        };
        assert_eq!(code.verify(&key(), 1_796_000_000), made);
        assert_eq!(code.verify(&key(), 1_796_000_000 + 30), made);
        assert_eq!(code.verify(&key(), 1_796_000_000 - 30), made);
        assert_eq!(code.verify(&key(), 1_796_000_000 + 90), Verified::Expired);
        assert_eq!(
            code.verify(&key(), 1_796_000_000 + 3_570),
            Verified::Expired
        );
        assert_eq!(code.verify(&key(), 1_796_000_000 + 3_630), Verified::Wrong);
        assert_eq!(code.verify(&key(), 1_796_000_000 - 90), Verified::Wrong);
        let other = PayCodeKey::from_bytes([7; 32]);
        assert_eq!(code.verify(&other, 1_796_000_000), Verified::Wrong);
    }

    #[test]
    fn codes_are_read_as_typed_and_nothing_else() {
        let code = PayCode::parse("28 1234 5678 4684 3110").unwrap();
        assert_eq!(code.device_number, 12_345_678);
        assert_eq!(PayCode::parse("28-1234-5678-4684-3110"), Ok(code));
        for bad in [
            "",
            "2812345678246843",
            "381234567824684311",
            "28123456782468431x",
            "2812345678246843111",
        ] {
            assert_eq!(PayCode::parse(bad), Err(PayCodeError::Malformed), "{bad}");
        }
    }

    proptest! {
        /// Luhn catches every single mistyped digit and every swap of two different
        /// neighbours but 0 and 9.
        #[test]
        fn a_slip_of_the_finger_is_caught_by_the_check_digit(
            number in 0_u32..DEVICE_NUMBERS,
            at in 0_i64..4_102_444_800,
            position in 2_usize..LENGTH,
            replacement in 0_u8..10,
        ) {
            let code = make(&key(), number, at).unwrap().into_bytes();
            let mut typo = code.clone();
            typo[position] = b'0' + replacement;
            if typo != code {
                let typo = String::from_utf8(typo).unwrap();
                prop_assert_eq!(PayCode::parse(&typo), Err(PayCodeError::CheckDigit));
            }
            let mut swapped = code.clone();
            swapped.swap(position - 1, position);
            let pair = [code[position - 1], code[position]];
            // Past the prefix: a swap into it is refused as no pay code at all.
            if position > 2 && swapped != code && pair != *b"09" && pair != *b"90" {
                let swapped = String::from_utf8(swapped).unwrap();
                prop_assert_eq!(PayCode::parse(&swapped), Err(PayCodeError::CheckDigit));
            }
        }

        /// Two devices' codes in the same step never read as each other's: the device
        /// number is in the code, so a collision would need the same number.
        #[test]
        fn no_two_devices_share_a_code_within_a_window(
            first in (any::<[u8; 32]>(), 0_u32..DEVICE_NUMBERS),
            second in (any::<[u8; 32]>(), 0_u32..DEVICE_NUMBERS),
            at in 0_i64..4_102_444_800,
        ) {
            prop_assume!(first.1 != second.1);
            let (a, b) = (PayCodeKey::from_bytes(first.0), PayCodeKey::from_bytes(second.0));
            for offset in -STEPS_ACCEPTED_EITHER_SIDE..=STEPS_ACCEPTED_EITHER_SIDE {
                let when = at + offset * STEP_SECONDS;
                let code = PayCode::parse(&make(&a, first.1, when).unwrap()).unwrap();
                prop_assert_ne!(code.device_number, second.1);
                prop_assert_eq!(code.verify(&b, at), Verified::Wrong);
            }
        }
    }

    #[test]
    fn a_key_never_prints() {
        assert_eq!(format!("{:?}", key()), "PayCodeKey(<redacted>)");
    }

    proptest! {
        #[test]
        fn every_code_made_verifies_and_reads_back(
            bytes in any::<[u8; 32]>(),
            number in 0_u32..DEVICE_NUMBERS,
            at in 0_i64..4_102_444_800,
        ) {
            let key = PayCodeKey::from_bytes(bytes);
            let text = make(&key, number, at).unwrap();
            prop_assert_eq!(text.len(), LENGTH);
            let code = PayCode::parse(&text).unwrap();
            prop_assert_eq!(code.device_number, number);
            prop_assert_eq!(code.verify(&key, at), Verified::Valid { step: step(at) });
        }

        #[test]
        fn reading_any_text_never_panics(text in ".{0,40}") {
            let _ = PayCode::parse(&text);
        }
    }
}
