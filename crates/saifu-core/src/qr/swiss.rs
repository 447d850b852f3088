//! The Swiss QR-bill (SIX Swiss Payment Standards, Implementation Guidelines 2.x): fixed
//! lines starting "SPC", "0200", "1".

use serde::Serialize;

use super::{QrError, iso7064};
use crate::money::{Currency, Money};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Address {
    pub name: String,
    /// Street, or the first address line in combined ("K") addresses.
    pub line1: Option<String>,
    /// Building number, or the second address line (postcode and town) in "K" addresses.
    pub line2: Option<String>,
    pub postcode: Option<String>,
    pub town: Option<String>,
    pub country: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "UPPERCASE")]
pub enum Reference {
    /// A 27-digit QR reference (QR-IBAN accounts only).
    Qrr(String),
    /// An ISO 11649 creditor reference.
    Scor(String),
    Non,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SwissQrBill {
    pub iban: String,
    pub creditor: Address,
    /// Absent when the payer enters it.
    pub amount: Option<Money>,
    /// CHF or EUR.
    pub currency: Currency,
    pub debtor: Option<Address>,
    pub reference: Reference,
    pub message: Option<String>,
    pub billing_information: Option<String>,
}

/// Line numbers (1-based) of the fields the guidelines fix.
const CREDITOR: usize = 5;
const AMOUNT: usize = 19;
const CURRENCY: usize = 20;
const DEBTOR: usize = 21;
const REFERENCE_TYPE: usize = 28;
const REFERENCE: usize = 29;
const MESSAGE: usize = 30;
const TRAILER: usize = 31;
const BILLING: usize = 32;

impl SwissQrBill {
    pub fn parse(payload: &str) -> Result<SwissQrBill, QrError> {
        let lines: Vec<&str> = payload.lines().map(str::trim).collect();
        let invalid = |line: usize, reason: &str| QrError::InvalidLine {
            line,
            reason: reason.to_owned(),
        };
        let line = |number: usize| lines.get(number - 1).copied().filter(|l| !l.is_empty());
        if !line(2).is_some_and(|version| version.starts_with("02")) {
            return Err(invalid(2, "only QR-bill version 02xx is supported"));
        }
        if line(3) != Some("1") {
            return Err(invalid(3, "the coding type must be 1 (UTF-8)"));
        }
        if line(TRAILER) != Some("EPD") {
            return Err(invalid(
                TRAILER,
                "the trailer EPD is missing: the code is incomplete",
            ));
        }
        let iban = line(4).ok_or_else(|| invalid(4, "the account is missing"))?;
        if !(iban.starts_with("CH") || iban.starts_with("LI")) || !iso7064::iban_valid(iban) {
            return Err(invalid(
                4,
                "the account must be a valid Swiss or Liechtenstein IBAN",
            ));
        }
        let creditor = address(&lines, CREDITOR)?
            .ok_or_else(|| invalid(CREDITOR, "the creditor is missing"))?;
        let currency = match line(CURRENCY) {
            Some(code @ ("CHF" | "EUR")) => {
                Currency::from_code(code).map_err(|e| invalid(CURRENCY, &e.to_string()))?
            }
            _ => return Err(invalid(CURRENCY, "the currency must be CHF or EUR")),
        };
        let amount = line(AMOUNT)
            .map(|text| {
                Money::parse(text, currency)
                    .ok()
                    .filter(|money| (1..=99_999_999_999).contains(&money.minor()))
                    .ok_or_else(|| invalid(AMOUNT, "the amount must be 0.01 to 999999999.99"))
            })
            .transpose()?;
        let reference = match (line(REFERENCE_TYPE), line(REFERENCE)) {
            (Some("QRR"), Some(r)) if iso7064::qr_reference_valid(r) => {
                Reference::Qrr(r.to_owned())
            }
            (Some("SCOR"), Some(r)) if iso7064::creditor_reference_valid(r) => {
                Reference::Scor(r.to_owned())
            }
            (Some("NON"), None) => Reference::Non,
            _ => {
                return Err(invalid(
                    REFERENCE,
                    "the reference does not match its type or its check digits",
                ));
            }
        };
        Ok(SwissQrBill {
            iban: iban.to_owned(),
            creditor,
            amount,
            currency,
            debtor: address(&lines, DEBTOR)?,
            reference,
            message: line(MESSAGE).map(str::to_owned),
            billing_information: line(BILLING).map(str::to_owned),
        })
    }
}

/// The seven address lines starting at `first`: type (S structured, K combined), name,
/// two street lines, postcode, town, country. All empty means no address.
fn address(lines: &[&str], first: usize) -> Result<Option<Address>, QrError> {
    let field = |offset: usize| {
        lines
            .get(first - 1 + offset)
            .copied()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
    };
    let invalid = |offset: usize, reason: &str| QrError::InvalidLine {
        line: first + offset,
        reason: reason.to_owned(),
    };
    let Some(kind) = field(0) else {
        return Ok(None);
    };
    if kind != "S" && kind != "K" {
        return Err(invalid(0, "the address type must be S or K"));
    }
    let name = field(1).ok_or_else(|| invalid(1, "the name is missing"))?;
    let country = field(6)
        .filter(|c| c.len() == 2)
        .ok_or_else(|| invalid(6, "the country must be two letters"))?;
    Ok(Some(Address {
        name,
        line1: field(2),
        line2: field(3),
        postcode: field(4),
        town: field(5),
        country,
    }))
}
