//! Reading URL query strings, as UPI and Taler links carry them.

use super::QrError;

/// Decodes `%XX` escapes and, in query values, `+` as a space. Invalid escapes and
/// non-UTF-8 results are errors: a payee address must not be guessed at.
pub(super) fn decode(text: &str) -> Result<String, QrError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let hex = bytes
                    .get(index + 1..index + 3)
                    .and_then(|pair| std::str::from_utf8(pair).ok())
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    .ok_or_else(|| QrError::InvalidLink {
                        reason: format!("bad escape at character {index}"),
                    })?;
                out.push(hex);
                index += 3;
            }
            b'+' => {
                out.push(b' ');
                index += 1;
            }
            byte => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| QrError::InvalidLink {
        reason: "escapes do not form UTF-8 text".into(),
    })
}

/// The decoded `key=value` pairs of a query string, in order. A key given twice is an
/// error, since either reading could be the one a payer did not mean.
pub(super) fn query_pairs(query: &str) -> Result<Vec<(String, String)>, QrError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in query.split('&').filter(|part| !part.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let key = decode(key)?.to_ascii_lowercase();
        if pairs.iter().any(|(seen, _)| *seen == key) {
            return Err(QrError::InvalidLink {
                reason: format!("parameter {key:?} is given twice"),
            });
        }
        pairs.push((key, decode(value)?));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(decode("Caf%C3%A9+Tokyo").as_deref(), Ok("Café Tokyo"));
        assert!(decode("100%").is_err());
        assert!(decode("%FF").is_err());
    }

    #[test]
    fn rejects_repeated_parameters() {
        assert!(query_pairs("pa=a@upi&PA=b@upi").is_err());
        assert_eq!(query_pairs("a=1&&b=").expect("valid").len(), 2);
    }
}
