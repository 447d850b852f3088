//! UPI deep links (NPCI): `upi://pay?pa=shop@bank&pn=Shop&am=120.00&cu=INR&tn=...`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{QrError, percent};
use crate::money::{Currency, Money};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpiPayment {
    /// `pa`: the payee's virtual payment address, `name@handle`.
    pub payee_address: String,
    /// `pn`
    pub payee_name: Option<String>,
    /// `am`; absent when the payer enters it.
    pub amount: Option<Money>,
    /// `cu`; UPI settles in rupees, and an absent `cu` means INR.
    pub currency: Currency,
    /// `mc`: merchant category code.
    pub mcc: Option<String>,
    /// `tr`: the merchant's transaction reference.
    pub transaction_ref: Option<String>,
    /// `tn`: a note for the payer.
    pub note: Option<String>,
    /// Any other parameters, kept as given.
    pub other: BTreeMap<String, String>,
}

impl UpiPayment {
    pub fn parse(link: &str) -> Result<UpiPayment, QrError> {
        let invalid = |reason: String| QrError::InvalidLink { reason };
        let rest = &link["upi://".len()..];
        let (action, query) = rest.split_once('?').unwrap_or((rest, ""));
        if !action.trim_end_matches('/').eq_ignore_ascii_case("pay") {
            return Err(invalid(format!("upi://{action} is not a payment link")));
        }
        let mut params: BTreeMap<String, String> =
            percent::query_pairs(query)?.into_iter().collect();
        let payee_address = params
            .remove("pa")
            .ok_or_else(|| invalid("it names no payee (pa)".into()))?;
        match payee_address.split_once('@') {
            Some((name, handle))
                if !name.is_empty() && !handle.is_empty() && !handle.contains('@') => {}
            _ => {
                return Err(invalid(format!(
                    "{payee_address:?} is not a UPI address (name@handle)"
                )));
            }
        }
        let currency = match params.remove("cu") {
            Some(code) => Currency::from_code(&code).map_err(|error| invalid(error.to_string()))?,
            None => Currency::from_code("INR").map_err(|error| invalid(error.to_string()))?,
        };
        let amount = match params.remove("am").filter(|am| !am.is_empty()) {
            Some(am) => {
                let money = Money::parse(&am, currency)
                    .map_err(|error| invalid(format!("amount {am:?}: {error}")))?;
                if money.minor() <= 0 {
                    return Err(invalid(format!("amount {am:?} must be more than zero")));
                }
                Some(money)
            }
            None => None,
        };
        Ok(UpiPayment {
            payee_address,
            payee_name: params.remove("pn"),
            amount,
            currency,
            mcc: params.remove("mc"),
            transaction_ref: params.remove("tr"),
            note: params.remove("tn"),
            other: params,
        })
    }
}
