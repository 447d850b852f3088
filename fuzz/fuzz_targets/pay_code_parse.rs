//! A pay code as a till reads it (scanned, typed, or sent by a handheld scanner): parsing
//! never panics, and a code it accepts has 18 digits, its device number among them, and
//! verifies against no key but one that made it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_core::paycode::{self, PayCode, PayCodeKey, Verified};

fuzz_target!(|text: &str| {
    if let Ok(code) = PayCode::parse(text) {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(digits.len(), paycode::LENGTH);
        assert!(digits.starts_with(paycode::PREFIX));
        assert_eq!(digits[2..10].parse::<u32>().ok(), Some(code.device_number));
        let key = PayCodeKey::from_bytes([0x5a; 32]);
        let made =
            paycode::make(&key, code.device_number, 1_796_000_000).expect("a number under 10^8");
        if made != digits {
            assert_ne!(
                code.verify(&key, 1_796_000_000),
                Verified::Valid {
                    step: paycode::step(1_796_000_000)
                }
            );
        }
    }
});
