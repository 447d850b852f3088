//! Amount parsing never panics, and what it accepts prints back to the same amount.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_core::money::{Currency, Money};

fuzz_target!(|text: &str| {
    for code in ["JPY", "CNY", "BHD"] {
        let currency = Currency::from_code(code).expect("known currency");
        if let Ok(money) = Money::parse(text, currency) {
            assert_eq!(Money::parse(&money.to_decimal_string(), currency), Ok(money));
        }
    }
});
