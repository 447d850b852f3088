//! The wallet's own pay code: 18 digits a till scans (or a cashier types) to charge the
//! customer, made on the device with no network and checked by the service, never the till.
//!
//! Construction (v1):
//! - At registration the service gives the device a 32-byte pay-code key and a device
//!   number under 10^8; the device keeps the key in the OS keyring.
//! - Time runs in 30-second steps: `step = floor(unix_seconds / 30)`.
//! - `mac = HMAC-SHA256(key, "saifu-paycode-v1" || number as u64 BE || step as i64 BE)`; its
//!   first 8 bytes, big-endian, modulo 10^8, are the code's last 8 digits.
//! - The code is "28", the device number in 8 digits, then those 8 digits.
//!
//! The service accepts a code for the step it is in and one either side (about a minute
//! and a half), once: a screenshot is worthless once used, and a code made an hour ago was
//! never valid now. A guess hits one of the three valid codes with odds of 3 in 10^8.

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
const MAC_DIGITS: u64 = 100_000_000;

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
    // 2^64 is 184467440737 times 10^8 and a little: the bias is under 10^-11.
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
    Ok(format!("{PREFIX}{device_number:08}{mac:08}"))
}

impl PayCode {
    /// Reads a code as scanned or typed: spaces and dashes between digits are ignored.
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
        Ok(PayCode {
            device_number: number(2..10)?,
            mac: number(10..18)?,
        })
    }

    /// The step this code was made in, if `key` made it within the steps accepted around
    /// `now`. All of them are computed and compared whichever matches, so the time taken
    /// hardly depends on the answer.
    pub fn verify(&self, key: &PayCodeKey, now: i64) -> Option<i64> {
        let current = step(now);
        let mut matched = None;
        for offset in -STEPS_ACCEPTED_EITHER_SIDE..=STEPS_ACCEPTED_EITHER_SIDE {
            let candidate = current + offset;
            let expected = mac(key, self.device_number, candidate);
            if expected == self.mac && matched.is_none() {
                matched = Some(candidate);
            }
        }
        matched
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
            (12_345_678, 1_796_000_000, "281234567824684311"),
            (12_345_678, 1_796_000_029, "281234567828706977"),
            (12_345_678, 1_796_000_030, "281234567828706977"),
            (1, 0, "280000000128332448"),
            (99_999_999, 1_796_313_600, "289999999963277976"),
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
        let made = step(1_796_000_000);
        assert_eq!(code.verify(&key(), 1_796_000_000), Some(made));
        assert_eq!(code.verify(&key(), 1_796_000_000 + 30), Some(made));
        assert_eq!(code.verify(&key(), 1_796_000_000 - 30), Some(made));
        assert_eq!(code.verify(&key(), 1_796_000_000 + 90), None);
        assert_eq!(code.verify(&key(), 1_796_000_000 + 3_600), None);
        let other = PayCodeKey::from_bytes([7; 32]);
        assert_eq!(code.verify(&other, 1_796_000_000), None);
    }

    #[test]
    fn codes_are_read_as_typed_and_nothing_else() {
        let code = PayCode::parse("28 1234 5678 2468 4311").unwrap();
        assert_eq!(code.device_number, 12_345_678);
        assert_eq!(PayCode::parse("28-1234-5678-2468-4311"), Ok(code));
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
            prop_assert_eq!(code.verify(&key, at), Some(step(at)));
        }

        #[test]
        fn reading_any_text_never_panics(text in ".{0,40}") {
            let _ = PayCode::parse(&text);
        }
    }
}
