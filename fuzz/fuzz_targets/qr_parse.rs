//! Any text a camera or clipboard can produce: parsing never panics, and a code that
//! parses and re-encodes parses to the same code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_core::qr::{self, PaymentCode};

fuzz_target!(|payload: &str| {
    if let Ok(code) = qr::parse(payload) {
        let _ = code.summary();
        if let PaymentCode::EmvMpm(emv) = code {
            let encoded = emv.encode().expect("a parsed code re-encodes");
            assert_eq!(qr::emv::EmvMpm::parse(&encoded), Ok(emv));
        }
    }
});
