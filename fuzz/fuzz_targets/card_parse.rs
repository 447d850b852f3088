//! Card input as a user types it: parsing never panics, an accepted number is Luhn-valid
//! and never shows more than its last four digits in Debug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_core::card::{Cvv, Expiry, Pan, luhn_valid};

fuzz_target!(|text: &str| {
    if let Ok(pan) = Pan::parse(text) {
        assert!(luhn_valid(pan.expose_digits()));
        assert!(!format!("{pan:?}").contains(pan.expose_digits()));
        let _ = Cvv::parse(text, pan.brand());
    }
    let _ = Expiry::parse(text);
});
