//! The random instant discount's draw: uniform, yet the same on every build and platform for
//! the same seed and campaign, so the amount quoted is the amount charged.

/// Draws an amount uniformly from `min_minor..=max_minor` (bounds given the other way round
/// are swapped).
///
/// The algorithm is part of the contract, because the service draws again at payment time,
/// maybe on a newer build, with the seed it stored with the quote:
///
/// 1. The state starts as `seed` XOR the 64-bit FNV-1a hash of the campaign id's UTF-8 bytes,
///    so campaigns sharing a seed draw independently.
/// 2. Each step takes the next SplitMix64 output `x`. With `n` amounts in the range, the
///    128-bit product `x * n` is accepted unless its low 64 bits are below `2^64 mod n`
///    (Lemire's method: rejecting those leaves every amount exactly equally likely), and the
///    amount is the minimum plus the product's high 64 bits.
pub fn draw(seed: u64, campaign_id: &str, min_minor: i64, max_minor: i64) -> i64 {
    let (low, high) = if min_minor <= max_minor {
        (min_minor, max_minor)
    } else {
        (max_minor, min_minor)
    };
    // 1 to 2^64 amounts: positive and at most 2^64, so these u128 operations are exact.
    let span = (i128::from(high) - i128::from(low) + 1).unsigned_abs();
    let threshold = ((1_u128 << 64) - span) % span;
    let mut state = seed ^ fnv1a(campaign_id.as_bytes());
    loop {
        let product = u128::from(splitmix64(&mut state)) * span;
        if product & u128::from(u64::MAX) >= threshold {
            // The high half is below `span`, so it fits a u64 and `low` plus it is at most `high`.
            let offset = (product >> 64) as u64;
            return low
                .checked_add_unsigned(offset)
                .expect("the drawn amount is at most the maximum");
        }
    }
}

/// 64-bit FNV-1a. Hashing wraps by definition.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64 (Steele, Lea and Flood): advances `state` and returns the next output. Wraps by
/// definition.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn building_blocks_match_published_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        let mut state = 0;
        assert_eq!(splitmix64(&mut state), 0xe220_a839_7b1d_cdaf);
        assert_eq!(splitmix64(&mut state), 0x6e78_9e6a_a1b9_65f4);
    }

    /// Pins the whole algorithm (checked against an independent Python transcription of the
    /// documented steps): a change here breaks every stored quote.
    #[test]
    fn draws_are_pinned() {
        let draws: Vec<i64> = (0..6)
            .map(|seed| draw(seed, "cny-lucky", 100, 888))
            .collect();
        assert_eq!(draws, [274, 536, 232, 789, 714, 514]);
        assert_eq!(draw(42, "c", i64::MIN, i64::MAX), 4_445_564_327_700_195_540);
    }

    #[test]
    fn single_amount_and_swapped_bounds() {
        assert_eq!(draw(9, "c", 500, 500), 500);
        assert_eq!(draw(9, "c", 888, 100), draw(9, "c", 100, 888));
        assert_eq!(draw(9, "c", -3, -3), -3);
    }

    #[test]
    fn every_amount_comes_up() {
        let mut seen = [false; 7];
        for seed in 0..200 {
            let amount = draw(seed, "c", 10, 16);
            seen[usize::try_from(amount - 10).expect("in range")] = true;
        }
        assert!(seen.iter().all(|&s| s), "{seen:?}");
    }

    proptest! {
        #[test]
        fn within_bounds_and_repeatable(seed: u64, id in "[a-z0-9-]{0,12}", a: i64, b: i64) {
            let amount = draw(seed, &id, a, b);
            prop_assert!(a.min(b) <= amount && amount <= a.max(b));
            prop_assert_eq!(amount, draw(seed, &id, a, b));
        }
    }
}
