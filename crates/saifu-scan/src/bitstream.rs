//! A QR code's corrected data codewords -> its payload bytes (ISO 18004, 7.4): numeric,
//! alphanumeric, byte and Kanji segments, ECI designators, FNC1 in first or second
//! position and structured append headers, up to the terminator or the stream's end.
//!
//! The bytes come out as rqrr's decoder writes them, for the same charset inference:
//! Kanji as Shift_JIS, ECI designators dropped.

/// Reads bits most significant first.
struct Bits<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Bits<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() * 8 - self.position
    }

    /// The next `count` bits (at most 32), or `None` if the stream ends first.
    fn take(&mut self, count: usize) -> Option<u32> {
        if count > self.remaining() {
            return None;
        }
        let mut value = 0;
        for _ in 0..count {
            let bit = self.bytes[self.position / 8] >> (7 - self.position % 8) & 1;
            value = value << 1 | u32::from(bit);
            self.position += 1;
        }
        Some(value)
    }
}

const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
/// What FNC1 stands for in a GS1 payload: the ASCII group separator.
const GROUP_SEPARATOR: u8 = 0x1d;

/// The payload of `data` for a code of `version` (1-40), or `None` if the stream is not
/// well formed. Model 1 codes lead with four zero bits, which are skipped.
pub(crate) fn parse(data: &[u8], version: usize, model_1: bool) -> Option<Vec<u8>> {
    // The character count's width grows with the version: one of three size classes.
    let class = match version {
        1..=9 => 0,
        10..=26 => 1,
        27..=40 => 2,
        _ => return None,
    };
    let mut bits = Bits {
        bytes: data,
        position: 0,
    };
    if model_1 {
        bits.take(4)?;
    }
    let mut out = Vec::new();
    let mut fnc1 = false;
    // A stream may end without a terminator when the data fill the code.
    while bits.remaining() >= 4 {
        match bits.take(4)? {
            0b0000 => break,
            0b0001 => {
                let count = bits.take([10, 12, 14][class])?;
                numeric(&mut bits, count, &mut out)?;
            }
            0b0010 => {
                let count = bits.take([9, 11, 13][class])?;
                let start = out.len();
                alphanumeric(&mut bits, count, &mut out)?;
                if fnc1 {
                    percent_as_separator(&mut out, start);
                }
            }
            0b0100 => {
                let count = bits.take([8, 16, 16][class])?;
                for _ in 0..count {
                    out.push(bits.take(8)? as u8);
                }
            }
            0b1000 => {
                let count = bits.take([8, 10, 12][class])?;
                kanji(&mut bits, count, &mut out)?;
            }
            0b0111 => eci(&mut bits)?,
            0b0101 => fnc1 = true,
            0b1001 => {
                fnc1 = true;
                // The application indicator: two digits, or a letter plus 100.
                match bits.take(8)? {
                    indicator @ 0..=99 => out.extend(format!("{indicator:02}").bytes()),
                    indicator @ (165..=190 | 197..=222) => out.push((indicator - 100) as u8),
                    _ => return None,
                }
            }
            // Structured append: this symbol's index, the count and the parity; each
            // symbol's payload stands on its own here.
            0b0011 => {
                bits.take(16)?;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn numeric(bits: &mut Bits, mut count: u32, out: &mut Vec<u8>) -> Option<()> {
    while count > 0 {
        let digits = count.min(3);
        let width = [0, 4, 7, 10][digits as usize];
        let value = bits.take(width)?;
        if value >= 10u32.pow(digits) {
            return None;
        }
        for power in (0..digits).rev() {
            out.push(b'0' + (value / 10u32.pow(power) % 10) as u8);
        }
        count -= digits;
    }
    Some(())
}

fn alphanumeric(bits: &mut Bits, mut count: u32, out: &mut Vec<u8>) -> Option<()> {
    let character = |value: u32| ALPHANUMERIC.get(value as usize).copied();
    while count >= 2 {
        let pair = bits.take(11)?;
        out.push(character(pair / 45)?);
        out.push(character(pair % 45)?);
        count -= 2;
    }
    if count == 1 {
        out.push(character(bits.take(6)?)?);
    }
    Some(())
}

/// Under FNC1, an alphanumeric '%' stands for FNC1 (a group separator) and "%%" for '%'.
fn percent_as_separator(out: &mut Vec<u8>, start: usize) {
    let segment = out.split_off(start);
    let mut characters = segment.into_iter().peekable();
    while let Some(character) = characters.next() {
        if character != b'%' {
            out.push(character);
        } else if characters.next_if_eq(&b'%').is_some() {
            out.push(b'%');
        } else {
            out.push(GROUP_SEPARATOR);
        }
    }
}

/// Each 13-bit value is a Shift_JIS code in one of two ranges, compacted.
fn kanji(bits: &mut Bits, count: u32, out: &mut Vec<u8>) -> Option<()> {
    for _ in 0..count {
        let value = bits.take(13)?;
        let compact = ((value / 0xc0) << 8) | (value % 0xc0);
        let code = if compact < 0x1f00 {
            compact + 0x8140
        } else {
            compact + 0xc140
        };
        out.extend_from_slice(&[(code >> 8) as u8, code as u8]);
    }
    Some(())
}

/// An ECI designator of one, two or three bytes, told apart by its leading bits.
fn eci(bits: &mut Bits) -> Option<()> {
    let first = bits.take(8)?;
    if first & 0x80 == 0 {
        Some(())
    } else if first & 0xc0 == 0x80 {
        bits.take(8).map(drop)
    } else if first & 0xe0 == 0xc0 {
        bits.take(16).map(drop)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packs (value, width) fields into bytes, padding the last with zeros.
    fn pack(fields: &[(u32, usize)]) -> Vec<u8> {
        let mut bits: Vec<bool> = Vec::new();
        for &(value, width) in fields {
            bits.extend((0..width).rev().map(|i| value >> i & 1 == 1));
        }
        bits.chunks(8)
            .map(|chunk| {
                chunk
                    .iter()
                    .enumerate()
                    .fold(0u8, |byte, (i, &bit)| byte | u8::from(bit) << (7 - i))
            })
            .collect()
    }

    #[test]
    fn numeric_segments_of_every_length() {
        // "01234567": 012, 345, 67 (ISO 18004 Annex I).
        let data = pack(&[(1, 4), (8, 10), (12, 10), (345, 10), (67, 7), (0, 4)]);
        assert_eq!(parse(&data, 1, false).as_deref(), Some(&b"01234567"[..]));
        let data = pack(&[(1, 4), (4, 12), (999, 10), (5, 4)]);
        assert_eq!(parse(&data, 10, false).as_deref(), Some(&b"9995"[..]));
        // Three digits above 999 cannot be encoded.
        let data = pack(&[(1, 4), (3, 10), (1000, 10)]);
        assert_eq!(parse(&data, 1, false), None);
    }

    #[test]
    fn alphanumeric_and_byte_segments_follow_each_other() {
        // "AC-42" then byte "é" (UTF-8), in version 27+ widths.
        let data = pack(&[
            (2, 4),
            (5, 13),
            (10 * 45 + 12, 11),
            (41 * 45 + 4, 11),
            (2, 6),
            (4, 4),
            (2, 16),
            (0xc3, 8),
            (0xa9, 8),
        ]);
        assert_eq!(
            parse(&data, 30, false).as_deref(),
            Some("AC-42é".as_bytes())
        );
    }

    #[test]
    fn kanji_is_written_as_shift_jis() {
        // ISO 18004 7.4.6: 点 (0x935F) is 0x0D9F, 茗 (0xE4AA) is 0x1AAA.
        let data = pack(&[(8, 4), (2, 8), (0x0d9f, 13), (0x1aaa, 13)]);
        assert_eq!(
            parse(&data, 1, false).as_deref(),
            Some(&[0x93, 0x5f, 0xe4, 0xaa][..])
        );
    }

    #[test]
    fn gs1_percent_is_a_group_separator_and_a_double_percent_a_percent() {
        // FNC1 first, then "10AB%1%%" alphanumeric.
        let text = b"10AB%1%%";
        let value = |c: &u8| ALPHANUMERIC.iter().position(|a| a == c).unwrap_or(0) as u32;
        let mut fields = vec![(5, 4), (2, 4), (text.len() as u32, 9)];
        for pair in text.chunks(2) {
            fields.push((value(&pair[0]) * 45 + value(&pair[1]), 11));
        }
        let data = pack(&fields);
        assert_eq!(parse(&data, 2, false).as_deref(), Some(&b"10AB\x1d1%"[..]));
        // Without FNC1 a percent sign is itself.
        let data = pack(&fields[1..]);
        assert_eq!(parse(&data, 2, false).as_deref(), Some(&text[..]));
    }

    #[test]
    fn fnc1_in_second_position_leads_with_its_application_indicator() {
        let data = pack(&[(9, 4), (37, 8), (4, 4), (1, 8), (b'x'.into(), 8)]);
        assert_eq!(parse(&data, 1, false).as_deref(), Some(&b"37x"[..]));
        let data = pack(&[(9, 4), (u32::from(b'a') + 100, 8), (0, 4)]);
        assert_eq!(parse(&data, 1, false).as_deref(), Some(&b"a"[..]));
    }

    #[test]
    fn eci_and_structured_append_headers_write_nothing() {
        let data = pack(&[
            (3, 4),
            (0x1234, 16),
            (7, 4),
            (26, 8),
            (4, 4),
            (1, 8),
            (b'z'.into(), 8),
        ]);
        assert_eq!(parse(&data, 1, false).as_deref(), Some(&b"z"[..]));
    }

    #[test]
    fn model_1_streams_lead_with_four_zero_bits() {
        let data = pack(&[(0, 4), (4, 4), (1, 8), (b'q'.into(), 8)]);
        assert_eq!(parse(&data, 1, true).as_deref(), Some(&b"q"[..]));
    }

    #[test]
    fn truncated_or_unknown_segments_are_refused() {
        assert_eq!(
            parse(&pack(&[(4, 4), (3, 8), (b'a'.into(), 8)]), 1, false),
            None
        );
        assert_eq!(parse(&pack(&[(0b1101, 4), (0, 12)]), 1, false), None);
        assert_eq!(parse(&pack(&[(2, 4), (1, 9), (45, 6)]), 1, false), None);
        assert_eq!(parse(&[], 41, false), None);
        // Fewer than four bits left is an end without a terminator.
        assert_eq!(
            parse(&pack(&[(4, 4), (1, 8), (b'a'.into(), 8)]), 1, false).as_deref(),
            Some(&b"a"[..])
        );
    }
}
