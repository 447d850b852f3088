//! Turning a code's raw bytes into text.
//!
//! The QR standard's default is ISO-8859-1, but in practice codes are UTF-8, and Japanese
//! ones (byte or Kanji mode) are Shift_JIS. rqrr 0.11 reads ECI designators and discards
//! them (its `decode_eci` writes nothing), so the declared charset cannot reach us; until it
//! does, the charset is inferred from the bytes, in the order that misreads least: valid
//! UTF-8 is almost never accidental, Shift_JIS is strict enough to reject most Latin-1, and
//! Latin-1 maps every byte. One declaration we can see is honoured first: an EPC (GiroCode)
//! payload names its character set on its third line, and "2" (ISO-8859-1) would otherwise
//! often pass for Shift_JIS and garble the payee's name.

use std::borrow::Cow;

/// The character set a code's text was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Charset {
    Utf8,
    ShiftJis,
    Latin1,
}

/// The text of a code's raw bytes and the charset that produced it.
pub(crate) fn decode_text(raw: &[u8]) -> (String, Charset) {
    if is_latin1_epc(raw) {
        return (latin1(raw), Charset::Latin1);
    }
    if let Ok(text) = std::str::from_utf8(raw) {
        return (text.to_owned(), Charset::Utf8);
    }
    if let Some(text) =
        encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(raw)
    {
        return (Cow::into_owned(text), Charset::ShiftJis);
    }
    (latin1(raw), Charset::Latin1)
}

fn latin1(raw: &[u8]) -> String {
    raw.iter().map(|&byte| char::from(byte)).collect()
}

/// "BCD", a version, then character set 2: an EPC transfer declared as ISO-8859-1.
fn is_latin1_epc(raw: &[u8]) -> bool {
    let mut lines = raw
        .split(|&byte| byte == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    lines.next() == Some(&b"BCD"[..]) && lines.nth(1) == Some(&b"2"[..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_comes_first() {
        assert_eq!(
            decode_text("MECARD:N:測試;;".as_bytes()),
            ("MECARD:N:測試;;".to_owned(), Charset::Utf8)
        );
        assert_eq!(
            decode_text(b"https://x"),
            ("https://x".to_owned(), Charset::Utf8)
        );
    }

    #[test]
    fn shift_jis_when_not_utf8() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("Google モバイル ﾃﾞｻﾞｲﾝQR");
        assert_eq!(
            decode_text(&bytes),
            ("Google モバイル ﾃﾞｻﾞｲﾝQR".to_owned(), Charset::ShiftJis)
        );
    }

    #[test]
    fn latin1_maps_every_remaining_byte() {
        // 0xE9 is a Shift_JIS lead byte, which a space cannot follow.
        assert_eq!(
            decode_text(b"Caf\xe9 au lait"),
            ("Caf\u{e9} au lait".to_owned(), Charset::Latin1)
        );
    }

    #[test]
    fn an_epc_code_declaring_latin1_is_read_as_latin1() {
        // Latin-1 "\xc4" (Ä) is also Shift_JIS half-width katakana: without the declaration
        // on line 3, "Äpfel GmbH" would read "ﾄpfel GmbH".
        let epc = b"BCD\r\n002\r\n2\r\nSCT\r\n\r\n\xc4pfel GmbH\r\nDE89370400440532013000";
        let (text, charset) = decode_text(epc);
        assert_eq!(charset, Charset::Latin1);
        assert!(text.contains("\u{c4}pfel GmbH"), "{text}");
        let declared_utf8 = b"BCD\n002\n1\nSCT\n\n\xc4pfel GmbH";
        assert_eq!(
            decode_text(declared_utf8),
            (
                "BCD\n002\n1\nSCT\n\nﾄpfel GmbH".to_owned(),
                Charset::ShiftJis
            )
        );
    }
}
