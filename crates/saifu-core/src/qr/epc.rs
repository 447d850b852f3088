//! The European Payments Council's QR code for SEPA credit transfers (EPC069-12, "GiroCode"):
//! up to twelve lines starting with "BCD".

use serde::Serialize;

use super::{QrError, iso7064};
use crate::money::{Currency, Money};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EpcTransfer {
    /// "001" or "002" (which made the BIC optional).
    pub version: String,
    pub bic: Option<String>,
    /// The beneficiary.
    pub name: String,
    pub iban: String,
    /// Always in euro; absent when the payer enters it.
    pub amount: Option<Money>,
    pub purpose: Option<String>,
    /// A structured creditor reference (ISO 11649), or else...
    pub reference: Option<String>,
    /// ...free remittance text.
    pub text: Option<String>,
    /// Beneficiary to originator information.
    pub information: Option<String>,
}

impl EpcTransfer {
    pub fn parse(payload: &str) -> Result<EpcTransfer, QrError> {
        let lines: Vec<&str> = payload.lines().collect();
        let invalid = |line: usize, reason: &str| QrError::InvalidLine {
            line,
            reason: reason.to_owned(),
        };
        if lines.len() > 12 {
            return Err(invalid(13, "an EPC code has at most 12 lines"));
        }
        let line = |number: usize| {
            lines
                .get(number - 1)
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
        };
        let version = match line(2) {
            Some(version @ ("001" | "002")) => version.to_owned(),
            _ => return Err(invalid(2, "the version must be 001 or 002")),
        };
        if !matches!(line(3), Some("1" | "2" | "3" | "4" | "5" | "6" | "7" | "8")) {
            return Err(invalid(3, "the character set must be a digit from 1 to 8"));
        }
        if line(4) != Some("SCT") {
            return Err(invalid(4, "the identification must be SCT"));
        }
        let bic = line(5).map(str::to_owned);
        match &bic {
            Some(bic)
                if !matches!(bic.len(), 8 | 11)
                    || !bic.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                return Err(invalid(5, "a BIC has 8 or 11 letters and digits"));
            }
            None if version == "001" => {
                return Err(invalid(5, "version 001 needs the beneficiary's BIC"));
            }
            _ => {}
        }
        let name = line(6).ok_or_else(|| invalid(6, "the beneficiary's name is missing"))?;
        if name.chars().count() > 70 {
            return Err(invalid(
                6,
                "the beneficiary's name has more than 70 characters",
            ));
        }
        let iban: String = line(7)
            .ok_or_else(|| invalid(7, "the IBAN is missing"))?
            .chars()
            .filter(|c| *c != ' ')
            .collect();
        if !iso7064::iban_valid(&iban) {
            return Err(invalid(7, "the IBAN's check digits do not match"));
        }
        let amount = line(8)
            .map(|text| {
                euro_amount(text)
                    .ok_or_else(|| invalid(8, "the amount must be EUR0.01 to EUR999999999.99"))
            })
            .transpose()?;
        let purpose = line(9).map(str::to_owned);
        if purpose
            .as_ref()
            .is_some_and(|p| p.len() != 4 || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(invalid(9, "a purpose code has four letters or digits"));
        }
        let reference = line(10).map(str::to_owned);
        let text = line(11).map(str::to_owned);
        if reference.is_some() && text.is_some() {
            return Err(invalid(
                11,
                "a transfer carries a structured reference or a text, not both",
            ));
        }
        Ok(EpcTransfer {
            version,
            bic,
            name: name.to_owned(),
            iban,
            amount,
            purpose,
            reference,
            text,
            information: line(12).map(str::to_owned),
        })
    }
}

fn euro_amount(text: &str) -> Option<Money> {
    let euro = Currency::from_code("EUR").ok()?;
    let money = Money::parse(text.strip_prefix("EUR")?, euro).ok()?;
    (1..=99_999_999_999)
        .contains(&money.minor())
        .then_some(money)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the EPC's guidelines (EPC069-12 v2.1, "Belgian Red Cross").
    const RED_CROSS: &str = "BCD\n001\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1\nCHAR\n\nUrgency fund\n";

    #[test]
    fn guideline_example() {
        let transfer = EpcTransfer::parse(RED_CROSS).expect("valid EPC code");
        assert_eq!(transfer.name, "Red Cross of Belgium");
        assert_eq!(transfer.iban, "BE72000000001616");
        assert_eq!(transfer.amount.map(Money::minor), Some(100));
        assert_eq!(transfer.purpose.as_deref(), Some("CHAR"));
        assert_eq!(transfer.text.as_deref(), Some("Urgency fund"));
    }

    #[test]
    fn refuses_a_damaged_iban() {
        let damaged = RED_CROSS.replace("BE72000000001616", "BE72000000001617");
        assert_eq!(
            EpcTransfer::parse(&damaged),
            Err(QrError::InvalidLine {
                line: 7,
                reason: "the IBAN's check digits do not match".into()
            })
        );
    }
}
