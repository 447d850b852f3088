//! Amount and rate parsing never panic, what they accept prints back the same, and a
//! conversion either fails cleanly or lands in the quote currency.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_core::money::{Currency, ExchangeRate, Money};

fuzz_target!(|text: &str| {
    let jpy = Currency::from_code("JPY").expect("JPY");
    let cny = Currency::from_code("CNY").expect("CNY");
    for currency in [jpy, cny, Currency::from_code("BHD").expect("BHD")] {
        if let Ok(money) = Money::parse(text, currency) {
            assert_eq!(Money::parse(&money.to_decimal_string(), currency), Ok(money));
        }
    }
    if let Ok(rate) = ExchangeRate::parse(jpy, cny, text) {
        for minor in [0, 1, 1280, -7, i64::MAX] {
            if let Ok(converted) = rate.convert(Money::from_minor(minor, jpy)) {
                assert_eq!(converted.currency(), cny);
            }
        }
    }
});
