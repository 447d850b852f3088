//! EMVCo QR Code Specification for Payment Systems, merchant-presented mode (MPM).
//!
//! A code is a string of data objects: a two-digit ID, a two-digit length counted in
//! characters (not bytes), and the value. IDs 26-51 and 62, 64, 80-99 are templates whose
//! values are data objects in turn. The last object is the CRC (ID 63): CRC-16/CCITT-FALSE
//! over the UTF-8 bytes of everything before its value, "6304" included.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Serialize, Serializer};

use super::QrError;
use crate::money::{Currency, Money};

/// Whether one code serves every payment (printed at the counter, the payer enters the
/// amount) or was made for one payment (the amount is in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Initiation {
    Static,
    Dynamic,
}

/// How a tip or convenience fee is added (IDs 55-57).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tip {
    /// The payer is asked to enter a tip.
    Prompt,
    /// A fixed convenience fee in the transaction currency.
    FixedFee(Money),
    /// A percentage convenience fee, as the decimal string the code carries ("3.00").
    PercentageFee(String),
}

/// A template's data objects by sub-ID, for example a merchant account's GUID at 00.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Template {
    pub fields: BTreeMap<u8, String>,
}

impl Template {
    /// Sub-ID 00: the globally unique identifier (an AID or a reverse domain name) of the
    /// scheme the template belongs to.
    pub fn guid(&self) -> Option<&str> {
        self.fields.get(&0).map(String::as_str)
    }

    fn encode(&self) -> Result<String, QrError> {
        let mut out = String::new();
        for (id, value) in &self.fields {
            push(&mut out, *id, value)?;
        }
        Ok(out)
    }
}

/// A parsed EMV merchant-presented code. IDs absent from the code are `None` or empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EmvMpm {
    /// ID 01; real static codes sometimes leave it out.
    pub initiation: Option<Initiation>,
    /// IDs 02-25: merchant identifiers of card networks (Visa 02-03, Mastercard 04-05, ...).
    pub network_ids: BTreeMap<u8, String>,
    /// IDs 26-51: merchant account templates (PromptPay, PayNow, UnionPay, ...).
    pub accounts: BTreeMap<u8, Template>,
    /// ID 52: merchant category code.
    pub mcc: Option<String>,
    /// ID 53, ISO 4217 numeric in the code.
    pub currency: Currency,
    /// ID 54: present in dynamic codes; static ones let the payer enter it.
    pub amount: Option<Money>,
    /// IDs 55-57.
    pub tip: Option<Tip>,
    /// ID 58: ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// ID 59.
    pub merchant_name: Option<String>,
    /// ID 60.
    pub merchant_city: Option<String>,
    /// ID 61.
    pub postal_code: Option<String>,
    /// ID 62: bill number (01), mobile number (02), store (03), reference (05), terminal (07), ...
    pub additional_data: Option<Template>,
    /// ID 64: language preference (00), name (01) and city (02) in another language.
    pub language: Option<Template>,
    /// IDs 65-79 (reserved for future use) and 80-99 (unreserved templates), kept as read.
    pub other: BTreeMap<u8, String>,
}

/// A payment network or scheme a code can be paid through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    Visa,
    Mastercard,
    Discover,
    Amex,
    Jcb,
    UnionPay,
    PromptPay,
    PayNow,
    Sgqr,
    Nets,
    DuitNow,
    Qris,
    VietQr,
    Fps,
    Pix,
    Alipay,
    WechatPay,
    Upi,
    Sepa,
    SwissQrBill,
    Taler,
}

impl Network {
    /// The lowercase name used in JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Visa => "visa",
            Network::Mastercard => "mastercard",
            Network::Discover => "discover",
            Network::Amex => "amex",
            Network::Jcb => "jcb",
            Network::UnionPay => "unionpay",
            Network::PromptPay => "promptpay",
            Network::PayNow => "paynow",
            Network::Sgqr => "sgqr",
            Network::Nets => "nets",
            Network::DuitNow => "duitnow",
            Network::Qris => "qris",
            Network::VietQr => "vietqr",
            Network::Fps => "fps",
            Network::Pix => "pix",
            Network::Alipay => "alipay",
            Network::WechatPay => "wechatpay",
            Network::Upi => "upi",
            Network::Sepa => "sepa",
            Network::SwissQrBill => "swiss-qr-bill",
            Network::Taler => "taler",
        }
    }

    /// The network behind a reserved merchant-identifier ID (02-25).
    fn from_reserved_id(id: u8) -> Option<Network> {
        match id {
            2..=3 => Some(Network::Visa),
            4..=5 => Some(Network::Mastercard),
            9..=10 => Some(Network::Discover),
            11..=12 => Some(Network::Amex),
            13..=14 => Some(Network::Jcb),
            15..=16 => Some(Network::UnionPay),
            _ => None,
        }
    }

    /// The network behind a merchant account template's GUID, by prefix.
    fn from_guid(guid: &str) -> Option<Network> {
        let guid = guid.to_ascii_uppercase();
        GUID_PREFIXES
            .iter()
            .find(|(prefix, _)| guid.starts_with(prefix))
            .map(|(_, network)| *network)
    }
}

impl Serialize for Network {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// GUIDs of merchant account templates: registered application identifiers (RID + PIX)
/// or reverse domain names, as the schemes publish them.
const GUID_PREFIXES: &[(&str, Network)] = &[
    ("A000000677", Network::PromptPay), // Thailand NITMX (PromptPay merchant, bill, e-wallet)
    ("SG.PAYNOW", Network::PayNow),
    ("SG.COM.NETS", Network::Nets),
    ("SG.SGQR", Network::Sgqr),
    ("COM.SGQR", Network::Sgqr),
    ("ID.CO.QRIS", Network::Qris),
    ("A0000006150001", Network::DuitNow), // PayNet Malaysia
    ("MY.COM.PAYNET", Network::DuitNow),
    ("A000000727", Network::VietQr), // NAPAS
    ("HK.COM.HKICL", Network::Fps),
    ("BR.GOV.BCB.PIX", Network::Pix),
    ("A000000333", Network::UnionPay),
    ("A000000003", Network::Visa),
    ("A000000004", Network::Mastercard),
    ("A000000065", Network::Jcb),
    ("A000000025", Network::Amex),
    ("A000000152", Network::Discover),
    ("COM.ALIPAY", Network::Alipay),
    ("COM.ALIPAYCONNECT", Network::Alipay),
];

/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.
pub fn crc16_ccitt_false(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0xFFFF_u16, |crc, &byte| {
        (0..8).fold(crc ^ (u16::from(byte) << 8), |crc, _| {
            if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            }
        })
    })
}

/// One data object as read: its ID, value, and the character position of its ID.
struct DataObject<'a> {
    id: u8,
    value: &'a str,
    position: usize,
}

/// Splits `text` into data objects. `offset` is the character position of `text` in the
/// whole code, so errors point into the code the user scanned.
fn data_objects(text: &str, offset: usize) -> Result<Vec<DataObject<'_>>, QrError> {
    let mut objects: Vec<DataObject<'_>> = Vec::new();
    let mut rest = text;
    let mut position = offset;
    while !rest.is_empty() {
        let id = two_digits(rest, position, "ID")?;
        let length = two_digits(&rest[2..], position + 2, "length")?;
        let value_start = &rest[4..];
        let value_end = value_start
            .char_indices()
            .map(|(index, _)| index)
            .chain(std::iter::once(value_start.len()))
            .nth(usize::from(length))
            .ok_or(QrError::Truncated { position })?;
        if objects.iter().any(|object| object.id == id) {
            return Err(QrError::DuplicateTag {
                id: format!("{id:02}"),
                position,
            });
        }
        objects.push(DataObject {
            id,
            value: &value_start[..value_end],
            position,
        });
        rest = &value_start[value_end..];
        position += 4 + usize::from(length);
    }
    Ok(objects)
}

fn two_digits(text: &str, position: usize, what: &'static str) -> Result<u8, QrError> {
    match text.as_bytes() {
        [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => Ok((a - b'0') * 10 + (b - b'0')),
        [_, _, ..] => Err(QrError::BadHeader { position, what }),
        _ => Err(QrError::Truncated { position }),
    }
}

fn template(object: &DataObject<'_>) -> Result<Template, QrError> {
    let fields =
        data_objects(object.value, object.position + 4).map_err(|error| QrError::InvalidValue {
            id: format!("{:02}", object.id),
            position: object.position,
            reason: format!("its template is malformed: {error}"),
        })?;
    Ok(Template {
        fields: fields
            .into_iter()
            .map(|field| (field.id, field.value.to_owned()))
            .collect(),
    })
}

/// VietQR (NAPAS) nests the beneficiary's bank and account as data objects in sub-ID 01:
/// a malformed nesting would misread the account money goes to.
fn check_nested_beneficiary(object: &DataObject<'_>, account: &Template) -> Result<(), QrError> {
    let is_vietqr = account.guid().and_then(Network::from_guid) == Some(Network::VietQr);
    match account.fields.get(&1) {
        Some(beneficiary) if is_vietqr => data_objects(beneficiary, object.position)
            .map(|_| ())
            .map_err(|error| {
                invalid(
                    object,
                    format!("the beneficiary (sub-ID 01) is malformed: {error}"),
                )
            }),
        _ => Ok(()),
    }
}

fn invalid(object: &DataObject<'_>, reason: impl Into<String>) -> QrError {
    QrError::InvalidValue {
        id: format!("{:02}", object.id),
        position: object.position,
        reason: reason.into(),
    }
}

/// An amount as EMV writes it: digits with an optional decimal point. Decimals beyond the
/// currency's are accepted only when they are zeros ("1280.00" yen), which cannot mis-pay.
fn amount(object: &DataObject<'_>, currency: Currency) -> Result<Money, QrError> {
    let text = object.value;
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (text.contains('.') && !digits(fraction)) {
        return Err(invalid(object, format!("{text:?} is not an amount")));
    }
    let exponent = usize::from(currency.exponent());
    let (kept, dropped) = fraction.split_at(fraction.len().min(exponent));
    if dropped.bytes().any(|b| b != b'0') {
        return Err(invalid(
            object,
            format!("{currency} has {exponent} decimal places, the code says {text}"),
        ));
    }
    let canonical = if kept.is_empty() {
        whole.to_owned()
    } else {
        format!("{whole}.{kept}")
    };
    let money =
        Money::parse(&canonical, currency).map_err(|error| invalid(object, error.to_string()))?;
    if money.minor() <= 0 {
        return Err(invalid(object, "the amount must be more than zero"));
    }
    Ok(money)
}

impl EmvMpm {
    pub fn parse(payload: &str) -> Result<EmvMpm, QrError> {
        let objects = data_objects(payload, 0)?;
        verify_crc(payload, &objects)?;

        let find = |id: u8| objects.iter().find(|object| object.id == id);
        let currency_object = find(53).ok_or(QrError::MissingTag {
            id: "53",
            meaning: "transaction currency",
        })?;
        let currency = Some(currency_object.value)
            .filter(|value| value.len() == 3)
            .and_then(|value| value.parse::<u16>().ok())
            .and_then(|numeric| Currency::from_numeric(numeric).ok())
            .ok_or_else(|| {
                invalid(
                    currency_object,
                    format!("{:?} is no ISO 4217 currency", currency_object.value),
                )
            })?;

        let mut code = EmvMpm {
            initiation: None,
            network_ids: BTreeMap::new(),
            accounts: BTreeMap::new(),
            mcc: None,
            currency,
            amount: None,
            tip: None,
            country: None,
            merchant_name: None,
            merchant_city: None,
            postal_code: None,
            additional_data: None,
            language: None,
            other: BTreeMap::new(),
        };
        for object in &objects {
            let text = || Some(object.value.to_owned());
            match object.id {
                // Version 01 is the specification's; Malaysian bank apps still print 02.
                0 if object.position == 0 && matches!(object.value, "01" | "02") => {}
                0 => {
                    return Err(invalid(
                        object,
                        "the payload format indicator must come first and be 01",
                    ));
                }
                1 => {
                    code.initiation = Some(match object.value {
                        "11" => Initiation::Static,
                        "12" => Initiation::Dynamic,
                        other => {
                            return Err(invalid(
                                object,
                                format!("{other:?} is neither 11 (static) nor 12 (dynamic)"),
                            ));
                        }
                    })
                }
                2..=25 => {
                    code.network_ids.insert(object.id, object.value.to_owned());
                }
                26..=51 => {
                    let account = template(object)?;
                    check_nested_beneficiary(object, &account)?;
                    code.accounts.insert(object.id, account);
                }
                52 => {
                    if object.value.len() != 4 || !object.value.bytes().all(|b| b.is_ascii_digit())
                    {
                        return Err(invalid(object, "a merchant category code has four digits"));
                    }
                    code.mcc = text();
                }
                53 | 56 | 57 | 63 => {}
                54 => code.amount = Some(amount(object, code.currency)?),
                55 => code.tip = Some(tip(object, find(56), find(57), code.currency)?),
                58 => {
                    if object.value.len() != 2
                        || !object.value.bytes().all(|b| b.is_ascii_alphabetic())
                    {
                        return Err(invalid(object, "a country code has two letters"));
                    }
                    code.country = Some(object.value.to_ascii_uppercase());
                }
                59 => code.merchant_name = text(),
                60 => code.merchant_city = text(),
                61 => code.postal_code = text(),
                62 => code.additional_data = Some(template(object)?),
                64 => code.language = Some(template(object)?),
                65..=99 => {
                    code.other.insert(object.id, object.value.to_owned());
                }
                100.. => unreachable!("IDs have two digits"),
            }
        }
        if let Some(fee) = find(56).or(find(57)).filter(|_| code.tip.is_none()) {
            return Err(invalid(
                fee,
                "a convenience fee needs tag 55 to say how it applies",
            ));
        }
        Ok(code)
    }

    /// Every network the code can be paid through, in the order the code lists them.
    pub fn networks(&self) -> Vec<Network> {
        let reserved = self
            .network_ids
            .keys()
            .filter_map(|id| Network::from_reserved_id(*id));
        let templates = self
            .accounts
            .values()
            .filter_map(|t| t.guid().and_then(Network::from_guid));
        let mut networks: Vec<Network> = Vec::new();
        for network in reserved.chain(templates) {
            if !networks.contains(&network) {
                networks.push(network);
            }
        }
        networks
    }

    /// The code as a string a QR encoder can draw, with its CRC. Values longer than 99
    /// characters cannot be written in an EMV data object.
    pub fn encode(&self) -> Result<String, QrError> {
        let mut out = String::new();
        push(&mut out, 0, "01")?;
        if let Some(initiation) = self.initiation {
            push(
                &mut out,
                1,
                if initiation == Initiation::Static {
                    "11"
                } else {
                    "12"
                },
            )?;
        }
        for (id, value) in &self.network_ids {
            push(&mut out, *id, value)?;
        }
        for (id, account) in &self.accounts {
            push(&mut out, *id, &account.encode()?)?;
        }
        push_some(&mut out, 52, self.mcc.as_deref())?;
        push(&mut out, 53, &format!("{:03}", self.currency.numeric()))?;
        push_some(
            &mut out,
            54,
            self.amount.map(Money::to_decimal_string).as_deref(),
        )?;
        match &self.tip {
            None => {}
            Some(Tip::Prompt) => push(&mut out, 55, "01")?,
            Some(Tip::FixedFee(fee)) => {
                push(&mut out, 55, "02")?;
                push(&mut out, 56, &fee.to_decimal_string())?;
            }
            Some(Tip::PercentageFee(percent)) => {
                push(&mut out, 55, "03")?;
                push(&mut out, 57, percent)?;
            }
        }
        push_some(&mut out, 58, self.country.as_deref())?;
        push_some(&mut out, 59, self.merchant_name.as_deref())?;
        push_some(&mut out, 60, self.merchant_city.as_deref())?;
        push_some(&mut out, 61, self.postal_code.as_deref())?;
        if let Some(data) = &self.additional_data {
            push(&mut out, 62, &data.encode()?)?;
        }
        if let Some(language) = &self.language {
            push(&mut out, 64, &language.encode()?)?;
        }
        for (id, value) in &self.other {
            push(&mut out, *id, value)?;
        }
        out.push_str("6304");
        let crc = crc16_ccitt_false(out.as_bytes());
        write!(out, "{crc:04X}").expect("writing to a String cannot fail");
        Ok(out)
    }
}

fn tip(
    indicator: &DataObject<'_>,
    fixed: Option<&DataObject<'_>>,
    percentage: Option<&DataObject<'_>>,
    currency: Currency,
) -> Result<Tip, QrError> {
    match indicator.value {
        "01" => Ok(Tip::Prompt),
        "02" => {
            let fee = fixed.ok_or(QrError::MissingTag {
                id: "56",
                meaning: "the fixed convenience fee",
            })?;
            Ok(Tip::FixedFee(amount(fee, currency)?))
        }
        "03" => {
            let fee = percentage.ok_or(QrError::MissingTag {
                id: "57",
                meaning: "the percentage convenience fee",
            })?;
            let valid = fee
                .value
                .split_once('.')
                .map_or(fee.value, |(whole, _)| whole)
                .len()
                <= 2
                && fee.value.bytes().filter(|b| *b == b'.').count() <= 1
                && fee.value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && fee.value.bytes().any(|b| b.is_ascii_digit());
            if !valid {
                return Err(invalid(fee, format!("{:?} is not a percentage", fee.value)));
            }
            Ok(Tip::PercentageFee(fee.value.to_owned()))
        }
        other => Err(invalid(
            indicator,
            format!("{other:?} is not a tip indicator (01, 02 or 03)"),
        )),
    }
}

fn verify_crc(payload: &str, objects: &[DataObject<'_>]) -> Result<(), QrError> {
    let crc = objects
        .last()
        .filter(|object| object.id == 63)
        .ok_or(QrError::MissingCrc)?;
    if crc.value.len() != 4 || !crc.value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(crc, "the checksum must be four hexadecimal digits"));
    }
    let computed = crc16_ccitt_false(&payload.as_bytes()[..payload.len() - 4]);
    let computed = format!("{computed:04X}");
    if !crc.value.eq_ignore_ascii_case(&computed) {
        return Err(QrError::BadCrc {
            found: crc.value.to_owned(),
            computed,
        });
    }
    Ok(())
}

fn push(out: &mut String, id: u8, value: &str) -> Result<(), QrError> {
    let length = value.chars().count();
    if length > 99 {
        return Err(QrError::InvalidValue {
            id: format!("{id:02}"),
            position: out.chars().count(),
            reason: format!("{length} characters do not fit in one data object (99 at most)"),
        });
    }
    write!(out, "{id:02}{length:02}{value}").expect("writing to a String cannot fail");
    Ok(())
}

fn push_some(out: &mut String, id: u8, value: Option<&str>) -> Result<(), QrError> {
    value.map_or(Ok(()), |value| push(out, id, value))
}

/// The merchant account template GUID of the codes Saifu's shops show; sub-ID 01 is the
/// shop's merchant id.
pub const SAIFU_GUID: &str = "APP.SAIFU";
/// The template ID Saifu's account sits at in its shops' codes.
pub const SAIFU_TEMPLATE_ID: u8 = 26;

/// What a Saifu shop's code says about it.
#[derive(Clone, Copy, Debug)]
pub struct Shop<'a> {
    pub merchant_id: &'a str,
    pub name: &'a str,
    pub city: &'a str,
    /// ISO 3166-1 alpha-2.
    pub country: &'a str,
    pub mcc: &'a str,
    pub currency: Currency,
    /// Its name and city in its own language and script (ID 64).
    pub local: Option<&'a super::LocalName>,
}

impl EmvMpm {
    /// The code a Saifu shop shows: static (the payer enters the amount) without `amount`,
    /// dynamic with it.
    pub fn for_shop(shop: &Shop<'_>, amount: Option<Money>) -> EmvMpm {
        let account = Template {
            fields: BTreeMap::from([(0, SAIFU_GUID.to_owned()), (1, shop.merchant_id.to_owned())]),
        };
        EmvMpm {
            initiation: Some(if amount.is_some() {
                Initiation::Dynamic
            } else {
                Initiation::Static
            }),
            network_ids: BTreeMap::new(),
            accounts: BTreeMap::from([(SAIFU_TEMPLATE_ID, account)]),
            mcc: Some(shop.mcc.to_owned()),
            currency: shop.currency,
            amount,
            tip: None,
            country: Some(shop.country.to_owned()),
            merchant_name: Some(shop.name.to_owned()),
            merchant_city: Some(shop.city.to_owned()),
            postal_code: None,
            additional_data: None,
            language: shop.local.map(super::LocalName::to_emv),
            other: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Appends the CRC object to a payload body, as a generator would.
    fn with_crc(body: &str) -> String {
        let mut payload = format!("{body}6304");
        let crc = crc16_ccitt_false(payload.as_bytes());
        payload.push_str(&format!("{crc:04X}"));
        payload
    }

    /// Writes data objects the way a generator does, lengths counted in characters.
    fn objects(objects: &[(&str, &str)]) -> String {
        objects
            .iter()
            .map(|(id, value)| format!("{id}{:02}{value}", value.chars().count()))
            .collect()
    }

    fn shanghai_tea() -> String {
        objects(&[
            ("00", "01"),
            ("01", "12"),
            ("15", "6200000000000000123"),
            ("52", "5814"),
            ("53", "156"),
            ("54", "12.50"),
            ("58", "CN"),
            ("59", "Chayan Teahouse"),
            ("60", "Shanghai"),
            ("62", &objects(&[("05", "ORDER-12345")])),
        ])
    }

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
    }

    #[test]
    fn reads_a_dynamic_unionpay_code() {
        let code = EmvMpm::parse(&with_crc(&shanghai_tea())).expect("valid code");
        assert_eq!(code.initiation, Some(Initiation::Dynamic));
        assert_eq!(code.merchant_name.as_deref(), Some("Chayan Teahouse"));
        assert_eq!(code.merchant_city.as_deref(), Some("Shanghai"));
        assert_eq!(code.mcc.as_deref(), Some("5814"));
        assert_eq!(code.currency.code(), "CNY");
        assert_eq!(code.amount.map(Money::minor), Some(1250));
        assert_eq!(code.networks(), vec![Network::UnionPay]);
        let reference = code
            .additional_data
            .as_ref()
            .and_then(|data| data.fields.get(&5));
        assert_eq!(reference.map(String::as_str), Some("ORDER-12345"));
    }

    #[test]
    fn lengths_count_characters_and_crc_covers_utf8_bytes() {
        let body = objects(&[
            ("00", "01"),
            ("01", "11"),
            (
                "26",
                &objects(&[("00", "SG.PAYNOW"), ("01", "2"), ("02", "201403121W")]),
            ),
            ("52", "0000"),
            ("53", "702"),
            ("58", "SG"),
            ("59", "咖啡店老王"),
            ("60", "Singapore"),
        ]);
        let code = EmvMpm::parse(&with_crc(&body)).expect("valid code");
        assert_eq!(code.merchant_name.as_deref(), Some("咖啡店老王"));
        assert_eq!(code.networks(), vec![Network::PayNow]);
        assert_eq!(code.initiation, Some(Initiation::Static));
        assert_eq!(code.amount, None);
    }

    #[test]
    fn accepts_lowercase_crc_and_missing_initiation() {
        let payload = with_crc(&objects(&[
            ("00", "01"),
            ("52", "5812"),
            ("53", "392"),
            ("58", "JP"),
            ("59", "Ramen"),
            ("60", "Tokyo"),
        ]));
        let (body, crc) = payload.split_at(payload.len() - 4);
        let code = EmvMpm::parse(&format!("{body}{}", crc.to_lowercase()))
            .expect("lowercase hex is accepted");
        assert_eq!(code.initiation, None);
        assert_eq!(code.currency.code(), "JPY");
    }

    #[test]
    fn refuses_what_could_mis_pay() {
        let good = with_crc(&shanghai_tea());
        let tampered = good.replace("540512.50", "540515.00");
        assert!(matches!(
            EmvMpm::parse(&tampered),
            Err(QrError::BadCrc { .. })
        ));

        let duplicated = shanghai_tea().replace("5802CN", "5802CN5802HK");
        let position = duplicated.find("5802HK").expect("inserted");
        assert_eq!(
            EmvMpm::parse(&with_crc(&duplicated)),
            Err(QrError::DuplicateTag {
                id: "58".into(),
                position
            })
        );

        let comma = shanghai_tea().replace("540512.50", "54051,250");
        let position = comma.find("54051,250").expect("replaced");
        assert!(matches!(
            EmvMpm::parse(&with_crc(&comma)),
            Err(QrError::InvalidValue { id, position: p, .. }) if id == "54" && p == position
        ));

        let yen = |amount: &str| {
            with_crc(&objects(&[
                ("00", "01"),
                ("01", "12"),
                ("53", "392"),
                ("54", amount),
                ("58", "JP"),
            ]))
        };
        assert!(
            matches!(EmvMpm::parse(&yen("1280.5")), Err(QrError::InvalidValue { id, .. }) if id == "54")
        );
        assert!(
            matches!(EmvMpm::parse(&yen("0")), Err(QrError::InvalidValue { id, .. }) if id == "54")
        );
        assert_eq!(
            EmvMpm::parse(&yen("1280.00"))
                .expect("zero decimals")
                .amount
                .map(Money::minor),
            Some(1280)
        );

        assert!(matches!(
            EmvMpm::parse(&good[..good.len() - 2]),
            Err(QrError::Truncated { .. })
        ));
        assert_eq!(
            EmvMpm::parse(&good[..good.len() - 8]),
            Err(QrError::MissingCrc)
        );
        assert_eq!(
            EmvMpm::parse(&with_crc("000201010211")),
            Err(QrError::MissingTag {
                id: "53",
                meaning: "transaction currency"
            })
        );
    }

    fn text(max: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[A-Za-z0-9 .\\-咖啡店東京]{{1,{max}}}"))
            .expect("valid regex")
    }

    fn template() -> impl Strategy<Value = Template> {
        proptest::collection::btree_map(0_u8..=99, text(20), 1..4)
            .prop_map(|fields| Template { fields })
    }

    prop_compose! {
        fn any_code()(
            initiation in proptest::option::of(prop_oneof![Just(Initiation::Static), Just(Initiation::Dynamic)]),
            network_ids in proptest::collection::btree_map(2_u8..=25, "[0-9]{6,20}", 0..3),
            accounts in proptest::collection::btree_map(26_u8..=51, template(), 0..3),
            mcc in proptest::option::of("[0-9]{4}"),
            currency in prop_oneof![Just("JPY"), Just("CNY"), Just("THB"), Just("BHD")],
            minor in proptest::option::of(1_i64..10_000_000_000),
            tip in proptest::option::of(0_u8..3),
            fee in 1_i64..10_000,
            country in proptest::option::of("[A-Z]{2}"),
            merchant_name in proptest::option::of(text(25)),
            merchant_city in proptest::option::of(text(15)),
            postal_code in proptest::option::of("[0-9]{3,10}"),
            additional_data in proptest::option::of(template()),
            language in proptest::option::of(template()),
            other in proptest::collection::btree_map(65_u8..=99, text(40), 0..3),
        ) -> EmvMpm {
            let currency = Currency::from_code(currency).expect("known currency");
            EmvMpm {
                initiation,
                network_ids,
                accounts,
                mcc,
                currency,
                amount: minor.map(|minor| Money::from_minor(minor, currency)),
                tip: tip.map(|kind| match kind {
                    0 => Tip::Prompt,
                    1 => Tip::FixedFee(Money::from_minor(fee, currency)),
                    _ => Tip::PercentageFee(format!("{}.{:02}", fee % 100, fee % 97)),
                }),
                country,
                merchant_name,
                merchant_city,
                postal_code,
                additional_data,
                language,
                other,
            }
        }
    }

    proptest! {
        #[test]
        fn parse_inverts_encode(code in any_code()) {
            let payload = code.encode().expect("every generated value fits");
            prop_assert_eq!(EmvMpm::parse(&payload), Ok(code));
        }

        #[test]
        fn never_panics_on_arbitrary_text(payload in "000201.{0,120}") {
            let _ = EmvMpm::parse(&payload);
        }

        #[test]
        fn any_single_character_change_is_caught(code in any_code(), index in any::<prop::sample::Index>(), replacement in "[0-9A-Z]") {
            let payload = code.encode().expect("fits");
            let chars: Vec<char> = payload.chars().collect();
            let at = index.index(chars.len() - 4);
            let mut changed = chars.clone();
            changed[at] = replacement.chars().next().expect("one char");
            prop_assume!(changed != chars);
            let changed: String = changed.into_iter().collect();
            prop_assert!(EmvMpm::parse(&changed).map(|parsed| parsed != code).unwrap_or(true));
        }
    }
}
