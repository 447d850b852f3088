//! Public test vectors of other implementations and specifications (see
//! tests/vectors/SOURCES.md), run through Saifu's parsers. Every mismatch is listed at once.

use std::collections::BTreeSet;

use saifu_core::money::Money;
use saifu_core::qr::{self, PaymentCode};
use serde_json::Value;

fn vectors(file: &str) -> Vec<Value> {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("read {path}: {error}"));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path} is not JSON: {error}"))
}

/// An amount string as EMV codes write it, in minor units ("23.7" CNY -> 2370).
fn minor_units(text: &str, exponent: u8) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > usize::from(exponent) {
        return None;
    }
    let padded = format!("{whole}{fraction:0<width$}", width = usize::from(exponent));
    padded.parse().ok()
}

fn string_set(value: &Value) -> Option<BTreeSet<String>> {
    value.as_array().map(|items| {
        items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect()
    })
}

#[test]
fn emv_merchant_presented_vectors() {
    let mut failures = Vec::new();
    let all = vectors("emv_mpm.json");
    for vector in &all {
        let payload = vector["payload"].as_str().expect("payload");
        let source = vector["source"].as_str().unwrap_or("?");
        let mut fail = |what: String| failures.push(format!("{source}\n  {payload}\n  {what}"));
        let parsed = qr::emv::EmvMpm::parse(payload);
        if vector["valid"] == Value::Bool(false) {
            if let Ok(code) = parsed {
                fail(format!(
                    "accepted an invalid code ({}): {code:?}",
                    vector["error"]
                ));
            }
            continue;
        }
        let code = match parsed {
            Ok(code) => code,
            Err(error) => {
                fail(format!("refused: {error}"));
                continue;
            }
        };
        let text_fields = [
            ("merchant_name", code.merchant_name.as_deref()),
            ("merchant_city", code.merchant_city.as_deref()),
            ("country", code.country.as_deref()),
            ("mcc", code.mcc.as_deref()),
            ("currency", Some(code.currency.code())),
            (
                "initiation",
                code.initiation.map(|i| {
                    if i == qr::Initiation::Static {
                        "static"
                    } else {
                        "dynamic"
                    }
                }),
            ),
        ];
        for (field, actual) in text_fields {
            if let Some(expected) = vector.get(field).filter(|v| !v.is_null())
                && expected.as_str() != actual
            {
                fail(format!("{field}: expected {expected}, got {actual:?}"));
            }
        }
        if let Some(expected) = vector.get("amount") {
            let expected = expected
                .as_str()
                .and_then(|text| minor_units(text, code.currency.exponent()));
            if expected != code.amount.map(Money::minor) {
                fail(format!(
                    "amount: expected {:?} minor units, got {:?}",
                    expected, code.amount
                ));
            }
        }
        if let Some(expected) = vector.get("account_guids").and_then(string_set) {
            let actual: BTreeSet<String> = code
                .accounts
                .values()
                .filter_map(|t| t.guid().map(str::to_owned))
                .collect();
            if expected != actual {
                fail(format!(
                    "account GUIDs: expected {expected:?}, got {actual:?}"
                ));
            }
        }
        if let Some(expected) = vector.get("reserved_ids").and_then(string_set) {
            let actual: BTreeSet<String> = code
                .network_ids
                .keys()
                .map(|id| format!("{id:02}"))
                .collect();
            if expected != actual {
                fail(format!(
                    "reserved IDs: expected {expected:?}, got {actual:?}"
                ));
            }
        }
        // Whatever a real code holds, Saifu writes it back the same way.
        match code
            .encode()
            .map(|encoded| qr::emv::EmvMpm::parse(&encoded))
        {
            Ok(Ok(again)) if again == code => {}
            other => fail(format!("does not survive encode and parse: {other:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn other_format_vectors() {
    let path = format!(
        "{}/tests/vectors/other_formats.json",
        env!("CARGO_MANIFEST_DIR")
    );
    if !std::path::Path::new(&path).exists() {
        panic!("{path} is missing");
    }
    let mut failures = Vec::new();
    let all = vectors("other_formats.json");
    for vector in &all {
        let payload = vector["payload"].as_str().expect("payload");
        let source = vector["source"].as_str().unwrap_or("?");
        let expected_format = vector["format"].as_str().expect("format");
        let mut fail = |what: String| failures.push(format!("{source}\n  {payload:?}\n  {what}"));
        match (qr::parse(payload), vector["valid"] == Value::Bool(false)) {
            // Invalid in its format: refused, or not taken for that format at all
            // (a "talerfoo://" link is plain text to a wallet's scanner).
            (Ok(code), true) if code.format() == expected_format => fail(format!(
                "accepted an invalid code ({}): {code:?}",
                vector["error"]
            )),
            (_, true) => {}
            (Err(error), false) => fail(format!("refused: {error}")),
            (Ok(code), false) => {
                if code.format() != expected_format {
                    fail(format!(
                        "format: expected {expected_format}, got {}",
                        code.format()
                    ));
                }
                check_fields(&code, &vector["fields"], &mut fail);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// Where a vector's field names (the source's words) sit in Saifu's parsed code.
const FIELD_PATHS: &[(&str, &str, &str)] = &[
    ("upi", "pa", "/payee_address"),
    ("upi", "pn", "/payee_name"),
    ("upi", "tn", "/note"),
    ("upi", "tr", "/transaction_ref"),
    ("upi", "mc", "/mcc"),
    ("epc", "iban", "/iban"),
    ("epc", "bic", "/bic"),
    ("epc", "name", "/name"),
    ("epc", "purpose", "/purpose"),
    ("epc", "remittance_text", "/text"),
    ("epc", "structured_reference", "/reference"),
    ("epc", "beneficiary_info", "/information"),
    ("swiss-qr-bill", "iban", "/iban"),
    ("swiss-qr-bill", "reference", "/reference/value"),
    ("swiss-qr-bill", "unstructured_message", "/message"),
    (
        "swiss-qr-bill",
        "billing_information",
        "/billing_information",
    ),
    ("taler", "merchant_base_url", "/merchant_base_url"),
    ("taler", "order_id", "/order_id"),
    ("taler", "session_id", "/session_id"),
    ("taler", "claim_token", "/claim_token"),
];

/// Compares the fields a vector names with the parsed code: amount and currency through
/// the summary, the rest through [`FIELD_PATHS`]. An empty string means absent.
fn check_fields(code: &PaymentCode, expected: &Value, fail: &mut impl FnMut(String)) {
    let Some(expected) = expected.as_object() else {
        return;
    };
    let tagged = serde_json::to_value(code).expect("code serializes");
    for (format, field, path) in FIELD_PATHS {
        let Some(want) = expected.get(*field).filter(|_| *format == code.format()) else {
            continue;
        };
        // Saifu reads the merchant out of Taler pay URIs only; other actions are handed on.
        if *format == "taler" && expected.get("kind").and_then(Value::as_str) != Some("pay") {
            continue;
        }
        let want = want.as_str().filter(|w| !w.is_empty());
        let got = tagged["details"]
            .pointer(path)
            .and_then(Value::as_str)
            .filter(|g| !g.is_empty());
        if want != got {
            fail(format!("{field}: expected {want:?}, got {got:?}"));
        }
    }
    let summary = serde_json::to_value(code.summary()).expect("summary serializes");
    if let Some(amount) = expected
        .get("amount")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
    {
        let exponent = code.summary().currency.map_or(2, |c| c.exponent());
        let actual = summary["amount"]
            .as_str()
            .and_then(|a| minor_units(a, exponent));
        if minor_units(amount, exponent) != actual {
            fail(format!(
                "amount: expected {amount}, got {}",
                summary["amount"]
            ));
        }
    }
    if let Some(currency) = expected.get("currency").and_then(Value::as_str)
        && summary["currency"].as_str() != Some(currency)
    {
        fail(format!(
            "currency: expected {currency}, got {}",
            summary["currency"]
        ));
    }
}
