//! Codes a person reads and types: till invites, a wallet's lock and recovery codes. Random
//! Crockford base32 (no I, L, O or U), shown in groups of four, typed in any case with or
//! without dashes; only their SHA-256 is kept, so whoever reads the database cannot use one.

use sha2::{Digest, Sha256};

use super::{ServiceError, hex, random_bytes};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new code of `length` characters (5 bits each), grouped by four with dashes.
pub(super) fn new_code(length: usize) -> Result<String, ServiceError> {
    let mut random = vec![0_u8; length];
    random_bytes(&mut random)?;
    let code: Vec<char> = random
        .iter()
        .map(|byte| ALPHABET[usize::from(byte % 32)] as char)
        .collect();
    Ok(code
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// A typed code as stored: upper case, no dashes or spaces, the letters Crockford's base32
/// leaves out read as the digits they look like; `None` when it cannot be one of `length`.
pub(super) fn normalized(typed: &str, length: usize) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    let valid = code.len() == length && code.bytes().all(|b| ALPHABET.contains(&b));
    valid.then_some(code)
}

/// What is stored of a code: the SHA-256 of its normalized form, in hex.
pub(super) fn code_hash(typed: &str, length: usize) -> Option<String> {
    normalized(typed, length).map(|code| hex(&Sha256::digest(code.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = new_code(12).unwrap();
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        let hash = code_hash(&code, 12).unwrap();
        assert_eq!(code_hash(&code.to_lowercase(), 12), Some(hash.clone()));
        assert_eq!(code_hash(&code.replace('-', " "), 12), Some(hash));
        assert_eq!(
            normalized(" K7QD M2XP 9HTA ", 12).as_deref(),
            Some("K7QDM2XP9HTA")
        );
        // O, I and L are read as the digits they look like.
        assert_eq!(
            normalized("ol1i-0000-0000", 12).as_deref(),
            Some("011100000000")
        );
        assert_eq!(normalized("K7QD-M2XP-9HTU", 12), None);
        assert_eq!(normalized("K7QD-M2XP-9HTÄ", 12), None);
        assert_eq!(normalized("K7QD-M2XP-9HT", 12), None);
    }
}
