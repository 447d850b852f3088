//! Check digits of bank identifiers, so a mistyped or damaged account number is refused
//! before money is sent to it.

/// ISO 13616 IBAN: country, two check digits, account; MOD 97-10 of the rearranged string is 1.
pub(super) fn iban_valid(iban: &str) -> bool {
    let length_ok = (15..=34).contains(&iban.len());
    let shape_ok = iban.len() > 4
        && iban.bytes().take(2).all(|b| b.is_ascii_uppercase())
        && iban.bytes().skip(2).take(2).all(|b| b.is_ascii_digit())
        && iban
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    length_ok && shape_ok && mod97(iban[4..].bytes().chain(iban[..4].bytes())) == Some(1)
}

/// ISO 11649 creditor reference ("RF" + two check digits + up to 21 characters).
pub(super) fn creditor_reference_valid(reference: &str) -> bool {
    (5..=25).contains(&reference.len())
        && reference.starts_with("RF")
        && reference
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && mod97(reference[4..].bytes().chain(reference[..4].bytes())) == Some(1)
}

/// MOD 97 of the digits a string stands for, letters counting as 10 (A) to 35 (Z).
fn mod97(chars: impl Iterator<Item = u8>) -> Option<u32> {
    let mut remainder = 0_u32;
    for byte in chars {
        let value = match byte {
            b'0'..=b'9' => u32::from(byte - b'0'),
            b'A'..=b'Z' => u32::from(byte - b'A') + 10,
            _ => return None,
        };
        let scale = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * scale + value) % 97;
    }
    Some(remainder)
}

/// Swiss QR reference: 27 digits whose last is the recursive MOD 10 check digit.
pub(super) fn qr_reference_valid(reference: &str) -> bool {
    const TABLE: [u8; 10] = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5];
    if reference.len() != 27 || !reference.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (body, check) = reference.split_at(26);
    let carry = body.bytes().fold(0_u8, |carry, digit| {
        TABLE[usize::from((carry + digit - b'0') % 10)]
    });
    (10 - carry) % 10 == check.as_bytes()[0] - b'0'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans() {
        // Example IBANs published by the IBAN registry (SWIFT).
        assert!(iban_valid("DE89370400440532013000"));
        assert!(iban_valid("GB29NWBK60161331926819"));
        assert!(iban_valid("CH9300762011623852957"));
        assert!(!iban_valid("DE89370400440532013001"));
        assert!(!iban_valid("de89370400440532013000"));
    }

    #[test]
    fn references() {
        assert!(creditor_reference_valid("RF18539007547034"));
        assert!(!creditor_reference_valid("RF19539007547034"));
        assert!(qr_reference_valid("210000000003139471430009017"));
        assert!(!qr_reference_valid("210000000003139471430009018"));
    }
}
