//! Payment QR payloads: everything a wallet's scanner meets at a counter, parsed into one
//! typed [`PaymentCode`].
//!
//! The rule throughout: accept the small deviations real scanners accept (lowercase CRC hex,
//! trailing white space, a missing initiation method), and reject anything that could
//! mis-pay (a bad CRC, a malformed amount, a duplicated tag, an invalid IBAN), naming the
//! problem and the character position where it was found.

pub mod emv;
pub mod epc;
mod iso7064;
mod percent;
pub mod swiss;
pub mod taler;
pub mod upi;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};

pub use emv::{EmvMpm, Initiation, Network};
pub use epc::EpcTransfer;
pub use swiss::SwissQrBill;
pub use taler::TalerUri;
pub use upi::UpiPayment;

/// A scanned payment code, in whichever format it came.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "format", content = "details", rename_all = "kebab-case")]
pub enum PaymentCode {
    /// EMVCo merchant-presented mode: UnionPay, PromptPay, PayNow/SGQR, QRIS, DuitNow, ...
    EmvMpm(EmvMpm),
    /// An Indian UPI deep link (`upi://pay?...`).
    Upi(UpiPayment),
    /// A European Payments Council SEPA credit transfer ("BCD" lines, also called GiroCode).
    Epc(EpcTransfer),
    SwissQrBill(SwissQrBill),
    /// A GNU Taler URI (`taler://pay/...`).
    Taler(TalerUri),
    /// An Alipay code: it can only be paid in Alipay itself, so Saifu hands it over.
    AlipayLink {
        url: String,
    },
    /// A WeChat Pay code (`wxp://`): likewise paid only in WeChat.
    WechatLink {
        url: String,
    },
    /// Any other web link.
    Url {
        url: String,
    },
    /// Text that is no payment code.
    Text {
        text: String,
    },
}

/// Why a payload was refused. Positions count characters from 0.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    #[error("the code is empty")]
    Empty,
    #[error("EMV data object cut short at character {position}")]
    Truncated { position: usize },
    #[error("EMV data object at character {position} has no valid two-digit {what}")]
    BadHeader { position: usize, what: &'static str },
    #[error("tag {id} appears twice (second at character {position})")]
    DuplicateTag { id: String, position: usize },
    #[error("checksum mismatch: the code says {found}, its content gives {computed}")]
    BadCrc { found: String, computed: String },
    #[error("the code has no checksum (tag 63) at its end")]
    MissingCrc,
    #[error("tag {id} is missing: {meaning}")]
    MissingTag {
        id: &'static str,
        meaning: &'static str,
    },
    #[error("tag {id} at character {position} is invalid: {reason}")]
    InvalidValue {
        id: String,
        position: usize,
        reason: String,
    },
    #[error("line {line} is invalid: {reason}")]
    InvalidLine { line: usize, reason: String },
    #[error("invalid link: {reason}")]
    InvalidLink { reason: String },
}

/// Reads any payment code. Codes that announce a format (an EMV header, `upi://`, "BCD",
/// "SPC", `taler://`) must be valid in it; anything else is a link or plain text.
pub fn parse(payload: &str) -> Result<PaymentCode, QrError> {
    // Scanners and clipboards add trailing line ends; no format gives them meaning.
    let payload = payload.trim_end_matches(['\r', '\n', ' ', '\t']);
    if payload.is_empty() {
        return Err(QrError::Empty);
    }
    let lower_prefix = |prefix: &str| {
        payload.len() >= prefix.len()
            && payload.is_char_boundary(prefix.len())
            && payload[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    if is_emv_header(payload) {
        emv::EmvMpm::parse(payload).map(PaymentCode::EmvMpm)
    } else if lower_prefix("upi://") {
        upi::UpiPayment::parse(payload).map(PaymentCode::Upi)
    } else if payload.starts_with("BCD\n") || payload.starts_with("BCD\r\n") {
        epc::EpcTransfer::parse(payload).map(PaymentCode::Epc)
    } else if payload.starts_with("SPC\n") || payload.starts_with("SPC\r\n") {
        swiss::SwissQrBill::parse(payload).map(PaymentCode::SwissQrBill)
    } else if lower_prefix("taler://") || lower_prefix("taler+http://") {
        taler::TalerUri::parse(payload).map(PaymentCode::Taler)
    } else if lower_prefix("wxp://") {
        Ok(PaymentCode::WechatLink {
            url: payload.to_owned(),
        })
    } else if lower_prefix("https://qr.alipay.com/") || lower_prefix("http://qr.alipay.com/") {
        Ok(PaymentCode::AlipayLink {
            url: payload.to_owned(),
        })
    } else if lower_prefix("https://") || lower_prefix("http://") {
        Ok(PaymentCode::Url {
            url: payload.to_owned(),
        })
    } else {
        Ok(PaymentCode::Text {
            text: payload.to_owned(),
        })
    }
}

/// "0002" and two digits: the payload format indicator every EMV code starts with.
fn is_emv_header(payload: &str) -> bool {
    payload.len() >= 6
        && payload.starts_with("0002")
        && payload.as_bytes()[4..6].iter().all(u8::is_ascii_digit)
}

/// Who is being paid, as far as the code says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Merchant {
    pub name: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub mcc: Option<String>,
    /// The name (and city) in the shop's own language, where the code carries them.
    pub local: Option<LocalName>,
}

/// A shop's name and city in its own language and script, as an EMV code's tag 64 carries
/// them: language "zh", 兰心面馆, 上海. Apps show it to people who read that language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalName {
    /// ISO 639-1 in lower case: "zh", "ja".
    pub language: String,
    pub name: String,
    pub city: Option<String>,
}

impl LocalName {
    /// From an EMV code's tag 64: language preference (00), name (01), city (02).
    pub fn from_emv(template: &emv::Template) -> Option<LocalName> {
        Some(LocalName {
            language: template.fields.get(&0)?.to_ascii_lowercase(),
            name: template.fields.get(&1)?.clone(),
            city: template.fields.get(&2).cloned(),
        })
    }

    /// As an EMV code's tag 64.
    pub fn to_emv(&self) -> emv::Template {
        let mut fields = BTreeMap::from([
            (0, self.language.to_ascii_uppercase()),
            (1, self.name.clone()),
        ]);
        if let Some(city) = &self.city {
            fields.insert(2, city.clone());
        }
        emv::Template { fields }
    }
}

/// The facts every screen and service needs, whatever the format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub format: &'static str,
    pub merchant: Option<Merchant>,
    /// The amount the code fixes, as a decimal string; `None` when the payer enters it.
    pub amount: Option<String>,
    pub currency: Option<Currency>,
    /// For EMV codes: whether the code is printed once for every payment or made for one.
    pub initiation: Option<Initiation>,
    pub networks: Vec<Network>,
}

impl PaymentCode {
    /// The format's stable name, as the CLI and the API report it.
    pub fn format(&self) -> &'static str {
        match self {
            PaymentCode::EmvMpm(_) => "emv-mpm",
            PaymentCode::Upi(_) => "upi",
            PaymentCode::Epc(_) => "epc",
            PaymentCode::SwissQrBill(_) => "swiss-qr-bill",
            PaymentCode::Taler(_) => "taler",
            PaymentCode::AlipayLink { .. } => "alipay-link",
            PaymentCode::WechatLink { .. } => "wechat-link",
            PaymentCode::Url { .. } => "url",
            PaymentCode::Text { .. } => "text",
        }
    }

    pub fn summary(&self) -> Summary {
        let (merchant, amount, currency, initiation, networks) = match self {
            PaymentCode::EmvMpm(code) => (
                Some(Merchant {
                    name: code.merchant_name.clone(),
                    city: code.merchant_city.clone(),
                    country: code.country.clone(),
                    mcc: code.mcc.clone(),
                    local: code.language.as_ref().and_then(LocalName::from_emv),
                }),
                code.amount,
                Some(code.currency),
                code.initiation,
                code.networks(),
            ),
            PaymentCode::Upi(link) => (
                Some(Merchant {
                    name: link.payee_name.clone(),
                    country: Some("IN".to_owned()),
                    mcc: link.mcc.clone(),
                    city: None,
                    local: None,
                }),
                link.amount,
                Some(link.currency),
                None,
                vec![Network::Upi],
            ),
            PaymentCode::Epc(transfer) => (
                Some(Merchant {
                    name: Some(transfer.name.clone()),
                    ..Merchant::default()
                }),
                transfer.amount,
                transfer.amount.map(Money::currency),
                None,
                vec![Network::Sepa],
            ),
            PaymentCode::SwissQrBill(bill) => (
                Some(Merchant {
                    name: Some(bill.creditor.name.clone()),
                    city: bill.creditor.town.clone(),
                    country: Some(bill.creditor.country.clone()),
                    mcc: None,
                    local: None,
                }),
                bill.amount,
                Some(bill.currency),
                None,
                vec![Network::SwissQrBill],
            ),
            PaymentCode::Taler(_) => (None, None, None, None, vec![Network::Taler]),
            PaymentCode::AlipayLink { .. } => (None, None, None, None, vec![Network::Alipay]),
            PaymentCode::WechatLink { .. } => (None, None, None, None, vec![Network::WechatPay]),
            PaymentCode::Url { .. } | PaymentCode::Text { .. } => (None, None, None, None, vec![]),
        };
        Summary {
            format: self.format(),
            merchant,
            amount: amount.map(Money::to_decimal_string),
            currency,
            initiation,
            networks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shops_own_name_comes_from_tag_64_and_goes_back_into_it() {
        let payload = "00020101021126340009APP.SAIFU0117sh-lanxin-noodles5204581453031565802CN5919Lanxin Noodle House6008Shanghai64200002ZH0104兰心面馆0202上海63043F9B";
        let merchant = parse(payload)
            .expect("an EMV code")
            .summary()
            .merchant
            .expect("a merchant");
        let local = merchant.local.expect("tag 64");
        assert_eq!(
            local,
            LocalName {
                language: "zh".into(),
                name: "兰心面馆".into(),
                city: Some("上海".into()),
            }
        );
        assert_eq!(LocalName::from_emv(&local.to_emv()), Some(local));
    }

    #[test]
    fn formats_are_told_apart_by_their_prefix() {
        let format = |payload: &str| parse(payload).map(|code| code.format());
        assert_eq!(format("UPI://pay?pa=shop@okicici"), Ok("upi"));
        assert_eq!(format("taler://pay/example.com/order/"), Ok("taler"));
        assert_eq!(format("wxp://f2f0Abc"), Ok("wechat-link"));
        assert_eq!(format("HTTPS://QR.ALIPAY.COM/fkx0abc"), Ok("alipay-link"));
        assert_eq!(format("https://example.com/"), Ok("url"));
        assert_eq!(format("二维码"), Ok("text"));
        assert_eq!(format(" \r\n"), Err(QrError::Empty));
    }

    #[test]
    fn a_code_that_announces_a_format_must_be_valid_in_it() {
        assert!(matches!(parse("000201010211"), Err(QrError::MissingCrc)));
        assert!(matches!(
            parse("upi://pay?pn=NoAddress"),
            Err(QrError::InvalidLink { .. })
        ));
        assert!(matches!(
            parse("upi://pay?pa=a@b&am=1.234"),
            Err(QrError::InvalidLink { .. })
        ));
        assert!(matches!(
            parse("BCD\n003\n1\nSCT"),
            Err(QrError::InvalidLine { line: 2, .. })
        ));
    }
}
