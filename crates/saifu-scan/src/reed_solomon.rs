//! Reed–Solomon error correction over GF(256) as QR codes use it: the field polynomial
//! x^8 + x^4 + x^3 + x^2 + 1 (0x11d) and a generator whose roots are α^0 … α^(n-k-1).
//! Errors are located by Berlekamp–Massey and a Chien search and valued by Forney's
//! formula; a block is only accepted if its syndromes are zero once corrected.

/// α^i for i in 0..510, so that a product's exponents can be added without reducing.
const EXP: [u8; 510] = {
    let mut table = [0u8; 510];
    let mut value: u16 = 1;
    let mut i = 0;
    while i < 510 {
        table[i] = value as u8;
        value <<= 1;
        if value & 0x100 != 0 {
            value ^= 0x11d;
        }
        i += 1;
    }
    table
};

/// log_α of every non-zero element; `LOG[0]` is unused.
const LOG: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 255 {
        table[EXP[i] as usize] = i as u8;
        i += 1;
    }
    table
};

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        EXP[usize::from(LOG[usize::from(a)]) + usize::from(LOG[usize::from(b)])]
    }
}

/// a / b for a non-zero b.
fn div(a: u8, b: u8) -> u8 {
    if a == 0 {
        0
    } else {
        EXP[usize::from(LOG[usize::from(a)]) + 255 - usize::from(LOG[usize::from(b)])]
    }
}

/// The polynomial with coefficients `poly` (lowest degree first) at `x`.
fn eval(poly: &[u8], x: u8) -> u8 {
    poly.iter().rev().fold(0, |sum, &c| mul(sum, x) ^ c)
}

/// The syndromes of `block` (highest-degree coefficient first): the received polynomial
/// at α^0 … α^(ec_len-1). All zero for a codeword.
fn syndromes(block: &[u8], ec_len: usize) -> Vec<u8> {
    (0..ec_len)
        .map(|i| block.iter().fold(0, |sum, &c| mul(sum, EXP[i]) ^ c))
        .collect()
}

/// Corrects `block`, data codewords followed by `ec_len` error-correction codewords, in
/// place. Returns the number of codewords corrected, or `None` (leaving `block` as it
/// was) if the errors are beyond what the code can correct, as far as it can tell.
pub(crate) fn correct(block: &mut [u8], ec_len: usize) -> Option<usize> {
    let n = block.len();
    if ec_len == 0 || ec_len > n || n > 255 {
        return None;
    }
    let syndromes = syndromes(block, ec_len);
    if syndromes.iter().all(|&s| s == 0) {
        return Some(0);
    }
    let locator = berlekamp_massey(&syndromes);
    let errors = locator.len() - 1;
    if 2 * errors > ec_len {
        return None;
    }
    // Ω = S·Λ mod x^ec_len.
    let evaluator: Vec<u8> = (0..ec_len)
        .map(|k| (0..=k.min(errors)).fold(0, |sum, i| sum ^ mul(locator[i], syndromes[k - i])))
        .collect();
    // The formal derivative: in characteristic 2 only the odd terms survive.
    let derivative: Vec<u8> = locator
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, &c)| if i % 2 == 1 { c } else { 0 })
        .collect();
    let mut corrected = block.to_vec();
    let mut found = 0;
    for power in 0..n {
        // The codeword at index n-1-power is the coefficient of x^power; it is in error
        // when Λ vanishes at α^-power.
        let x_inverse = EXP[(255 - power % 255) % 255];
        if eval(&locator, x_inverse) != 0 {
            continue;
        }
        let denominator = eval(&derivative, x_inverse);
        if denominator == 0 {
            return None;
        }
        // Forney, for a generator whose first root is α^0: e = X·Ω(X⁻¹)/Λ'(X⁻¹).
        let magnitude = mul(EXP[power], div(eval(&evaluator, x_inverse), denominator));
        corrected[n - 1 - power] ^= magnitude;
        found += 1;
    }
    // Fewer roots in the block than the locator's degree: more errors than it can hold.
    if found != errors || !is_codeword(&corrected, ec_len) {
        return None;
    }
    block.copy_from_slice(&corrected);
    Some(found)
}

fn is_codeword(block: &[u8], ec_len: usize) -> bool {
    syndromes(block, ec_len).iter().all(|&s| s == 0)
}

/// The error locator Λ (lowest degree first, Λ0 = 1) of the shortest linear recurrence
/// that generates the syndromes.
fn berlekamp_massey(syndromes: &[u8]) -> Vec<u8> {
    let mut locator = vec![1u8];
    let mut previous = vec![1u8];
    let mut length = 0;
    let mut shift = 1;
    let mut previous_discrepancy = 1u8;
    for k in 0..syndromes.len() {
        let discrepancy = (1..=length.min(k))
            .filter(|&i| i < locator.len())
            .fold(syndromes[k], |sum, i| {
                sum ^ mul(locator[i], syndromes[k - i])
            });
        if discrepancy == 0 {
            shift += 1;
            continue;
        }
        let factor = div(discrepancy, previous_discrepancy);
        let mut next = locator.clone();
        if next.len() < previous.len() + shift {
            next.resize(previous.len() + shift, 0);
        }
        for (i, &c) in previous.iter().enumerate() {
            next[i + shift] ^= mul(factor, c);
        }
        if 2 * length <= k {
            previous = std::mem::replace(&mut locator, next);
            length = k + 1 - length;
            previous_discrepancy = discrepancy;
            shift = 1;
        } else {
            locator = next;
            shift += 1;
        }
    }
    locator.truncate(length + 1);
    locator.resize(length + 1, 0);
    locator
}

/// Data followed by its `ec_len` check codewords: the remainder of data·x^ec_len
/// divided by the generator ∏(x - α^i).
#[cfg(test)]
pub(crate) fn encode(data: &[u8], ec_len: usize) -> Vec<u8> {
    let mut generator = vec![1u8];
    for &root in &EXP[..ec_len] {
        // Multiply by (x + root); coefficients highest degree first.
        let mut next = vec![0u8; generator.len() + 1];
        for (j, &c) in generator.iter().enumerate() {
            next[j] ^= c;
            next[j + 1] ^= mul(c, root);
        }
        generator = next;
    }
    let mut remainder = vec![0u8; ec_len];
    for &byte in data {
        let factor = byte ^ remainder[0];
        remainder.rotate_left(1);
        remainder[ec_len - 1] = 0;
        for (r, &g) in remainder.iter_mut().zip(&generator[1..]) {
            *r ^= mul(factor, g);
        }
    }
    [data, &remainder].concat()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn field_tables_are_consistent() {
        for a in 1..=255u8 {
            assert_eq!(EXP[usize::from(LOG[usize::from(a)])], a);
            assert_eq!(mul(a, div(1, a)), 1);
        }
        assert_eq!(EXP[8], 0x1d);
    }

    #[test]
    fn a_known_codeword_has_zero_syndromes() {
        // ISO 18004 Annex I: "01234567" in version 1-M.
        let data = [
            0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11,
            0xec, 0x11,
        ];
        let codeword = encode(&data, 10);
        assert_eq!(
            codeword[16..],
            [0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]
        );
        assert!(is_codeword(&codeword, 10));
    }

    fn block_and_errors() -> impl Strategy<Value = (Vec<u8>, usize, Vec<(usize, u8)>)> {
        (1usize..=200, 1usize..=30).prop_flat_map(|(data_len, ec_len)| {
            let n = data_len + ec_len;
            (
                proptest::collection::vec(any::<u8>(), data_len),
                Just(ec_len),
                proptest::collection::vec((0..n, 1..=255u8), 0..=ec_len / 2),
            )
        })
    }

    proptest! {
        #[test]
        fn errors_within_capacity_are_corrected_exactly((data, ec_len, errors) in block_and_errors()) {
            let codeword = encode(&data, ec_len);
            let mut received = codeword.clone();
            let mut positions = std::collections::BTreeSet::new();
            for &(position, value) in &errors {
                received[position] ^= value;
                positions.insert(position);
            }
            let distinct = positions.iter().filter(|&&p| received[p] != codeword[p]).count();
            prop_assert_eq!(correct(&mut received, ec_len), Some(distinct));
            prop_assert_eq!(received, codeword);
        }

        #[test]
        fn any_block_either_fails_or_becomes_a_codeword(
            mut block in proptest::collection::vec(any::<u8>(), 2..=255),
            ec_len in 1usize..=68,
        ) {
            let original = block.clone();
            match correct(&mut block, ec_len) {
                Some(count) => {
                    prop_assert!(is_codeword(&block, ec_len));
                    let changed = block.iter().zip(&original).filter(|(a, b)| a != b).count();
                    prop_assert_eq!(changed, count);
                    prop_assert!(2 * count <= ec_len);
                }
                None => prop_assert_eq!(block, original),
            }
        }
    }
}
