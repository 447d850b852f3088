//! A decoder of our own for sampled module grids, tried when rqrr's refuses one: it also
//! reads QR Model 1 codes (their own codeword placement and block table) and GS1 payloads
//! (FNC1 mode, which rqrr does not know). Format information, the data mask, codeword
//! placement and block interleaving follow ISO 18004; the error correction and the
//! payload are `reed_solomon`'s and `bitstream`'s.

use rqrr::BitGrid;

use crate::bitstream;
use crate::detect::{FORMAT_MASK, alignment_positions, format_cells, format_codeword};
use crate::reed_solomon;

/// Error-correction codewords per block, by version and level (L, M, Q, H): ISO 18004
/// Table 9.
const EC_PER_BLOCK: [[u8; 4]; 40] = [
    [7, 10, 13, 17],
    [10, 16, 22, 28],
    [15, 26, 18, 22],
    [20, 18, 26, 16],
    [26, 24, 18, 22],
    [18, 16, 24, 28],
    [20, 18, 18, 26],
    [24, 22, 22, 26],
    [30, 22, 20, 24],
    [18, 26, 24, 28],
    [20, 30, 28, 24],
    [24, 22, 26, 28],
    [26, 22, 24, 22],
    [30, 24, 20, 24],
    [22, 24, 30, 24],
    [24, 28, 24, 30],
    [28, 28, 28, 28],
    [30, 26, 28, 28],
    [28, 26, 26, 26],
    [28, 26, 30, 28],
    [28, 26, 28, 30],
    [28, 28, 30, 24],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [26, 28, 30, 30],
    [28, 28, 28, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
];

/// Blocks, by version and level (L, M, Q, H): ISO 18004 Table 9. Where the codewords do
/// not divide evenly, the last blocks hold one data codeword more.
const BLOCKS: [[u8; 4]; 40] = [
    [1, 1, 1, 1],
    [1, 1, 1, 1],
    [1, 1, 2, 2],
    [1, 2, 2, 4],
    [1, 2, 4, 4],
    [2, 4, 4, 4],
    [2, 4, 6, 5],
    [2, 4, 6, 6],
    [2, 5, 8, 8],
    [4, 5, 8, 8],
    [4, 5, 8, 11],
    [4, 8, 10, 11],
    [4, 9, 12, 16],
    [4, 9, 16, 16],
    [6, 10, 12, 18],
    [6, 10, 17, 16],
    [6, 11, 16, 19],
    [6, 13, 18, 21],
    [7, 14, 21, 25],
    [8, 16, 20, 25],
    [8, 17, 23, 25],
    [9, 17, 23, 34],
    [9, 18, 25, 30],
    [10, 20, 27, 32],
    [12, 21, 29, 35],
    [12, 23, 34, 37],
    [12, 25, 34, 40],
    [13, 26, 35, 42],
    [14, 28, 38, 45],
    [15, 29, 40, 48],
    [16, 31, 43, 51],
    [17, 33, 45, 54],
    [18, 35, 48, 57],
    [19, 37, 51, 60],
    [19, 38, 53, 63],
    [20, 40, 56, 66],
    [21, 43, 59, 70],
    [22, 45, 62, 74],
    [24, 47, 65, 77],
    [25, 49, 68, 81],
];

/// Model 1 blocks, by version (1-14) and level (L, M, Q, H): error-correction codewords
/// per block, blocks, and data codewords per block (ISO 18004:2000 Annex M). All blocks
/// of a code are alike; codewords left over are remainder.
const MODEL_1_BLOCKS: [[(u8, u8, u8); 4]; 14] = [
    [(7, 1, 19), (10, 1, 16), (13, 1, 13), (17, 1, 9)],
    [(10, 1, 36), (16, 1, 30), (22, 1, 24), (30, 1, 16)],
    [(15, 1, 57), (28, 1, 44), (36, 1, 36), (48, 1, 24)],
    [(20, 1, 80), (40, 1, 60), (50, 1, 50), (66, 1, 34)],
    [(26, 1, 108), (52, 1, 82), (66, 1, 68), (44, 2, 23)],
    [(34, 1, 136), (32, 2, 53), (42, 2, 43), (56, 2, 29)],
    [(42, 1, 170), (40, 2, 66), (52, 2, 54), (46, 3, 24)],
    [(24, 2, 104), (48, 2, 80), (64, 2, 64), (56, 3, 29)],
    [(30, 2, 123), (60, 2, 93), (50, 3, 52), (68, 3, 34)],
    [(34, 2, 145), (68, 2, 111), (58, 3, 61), (58, 4, 31)],
    [(40, 2, 168), (40, 4, 64), (52, 4, 52), (54, 5, 29)],
    [(46, 2, 192), (46, 4, 73), (58, 4, 61), (62, 5, 33)],
    [(36, 3, 144), (52, 4, 83), (66, 4, 69), (58, 6, 32)],
    [(40, 3, 163), (60, 4, 92), (60, 5, 62), (66, 6, 35)],
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Model {
    One,
    Two,
}

/// The grid as sampled, or mirrored (rows read as columns), as a few encoders draw codes.
struct Modules<'a> {
    grid: &'a dyn BitGrid,
    transposed: bool,
}

impl Modules<'_> {
    fn dark(&self, y: usize, x: usize) -> bool {
        if self.transposed {
            self.grid.bit(x, y)
        } else {
            self.grid.bit(y, x)
        }
    }
}

/// The payload of the code in `grid`, read as a Model 2 and then as a Model 1 code, each
/// as sampled and mirrored; `None` unless error correction succeeds and the data parse.
/// The format information is expected under the standard mask, as the sampler leaves it.
pub(crate) fn decode(grid: &dyn BitGrid) -> Option<Vec<u8>> {
    let size = grid.size();
    if !(21..=177).contains(&size) || !(size - 17).is_multiple_of(4) {
        return None;
    }
    [false, true].into_iter().find_map(|transposed| {
        let modules = Modules { grid, transposed };
        let (level, mask) = read_format(&modules)?;
        [Model::Two, Model::One]
            .into_iter()
            .find_map(|model| decode_as(&modules, model, level, mask))
    })
}

/// The error-correction level (0-3 for L, M, Q, H) and data mask, from the nearer of the
/// two copies of the format information if within three bits of a codeword.
fn read_format(modules: &Modules) -> Option<(usize, u8)> {
    let copies = format_cells(modules.grid.size()).map(|cells| {
        cells.iter().fold(0u16, |bits, &(y, x)| {
            (bits << 1) | u16::from(modules.dark(y, x))
        })
    });
    let (distance, data) = (0..32u16)
        .flat_map(|data| {
            copies.map(|bits| {
                (
                    (bits ^ FORMAT_MASK ^ format_codeword(data)).count_ones(),
                    data,
                )
            })
        })
        .min()?;
    if distance > 3 {
        return None;
    }
    // The level's two bits encode L, M, Q, H as 01, 00, 11, 10.
    let level = [1, 0, 3, 2][usize::from(data >> 3)];
    Some((level, (data & 7) as u8))
}

fn decode_as(modules: &Modules, model: Model, level: usize, mask: u8) -> Option<Vec<u8>> {
    let size = modules.grid.size();
    let version = (size - 17) / 4;
    let (codewords, blocks) = match model {
        Model::Two => {
            let codewords = read_model_2(modules, mask);
            let blocks = model_2_blocks(version, level, codewords.len());
            (codewords, blocks)
        }
        Model::One => {
            let &(ec, count, data) = MODEL_1_BLOCKS.get(version - 1)?.get(level)?;
            let mut codewords: Vec<u8> = model_1_codewords(size)
                .iter()
                .map(|cells| read_codeword(modules, cells, mask))
                .collect();
            // The first codeword's upper half (the bottom-right corner) carries the four zero
            // bits Model 1 streams lead with; some encoders draw it otherwise.
            if let Some(first) = codewords.first_mut() {
                *first &= 0x0f;
            }
            let blocks = vec![(usize::from(data), usize::from(ec)); usize::from(count)];
            (codewords, blocks)
        }
    };
    let data = correct_blocks(&codewords, &blocks, model == Model::Two)?;
    bitstream::parse(&data, version, model == Model::One)
}

/// (data, error-correction) codewords of each Model 2 block, from the code's capacity.
fn model_2_blocks(version: usize, level: usize, total: usize) -> Vec<(usize, usize)> {
    let ec = usize::from(EC_PER_BLOCK[version - 1][level]);
    let count = usize::from(BLOCKS[version - 1][level]);
    let short = total / count;
    let long_blocks = total % count;
    (0..count)
        .map(|i| {
            let length = short + usize::from(i >= count - long_blocks);
            (length.saturating_sub(ec), ec)
        })
        .collect()
}

/// Splits codewords into blocks, corrects each, and joins their data. Model 2 interleaves
/// the blocks (their data codewords taken a column at a time across the blocks, then the
/// error-correction ones); Model 1 places the blocks' data back to back, then their
/// error-correction codewords.
fn correct_blocks(
    codewords: &[u8],
    blocks: &[(usize, usize)],
    interleaved: bool,
) -> Option<Vec<u8>> {
    let mut split: Vec<Vec<u8>> = blocks
        .iter()
        .map(|(d, e)| Vec::with_capacity(d + e))
        .collect();
    let mut next = codewords.iter().copied();
    for part in [|b: &(usize, usize)| b.0, |b: &(usize, usize)| b.1] {
        if interleaved {
            let longest = blocks.iter().map(part).max()?;
            for i in 0..longest {
                for (block, length) in split.iter_mut().zip(blocks.iter().map(part)) {
                    if i < length {
                        block.push(next.next()?);
                    }
                }
            }
        } else {
            for (block, length) in split.iter_mut().zip(blocks.iter().map(part)) {
                for _ in 0..length {
                    block.push(next.next()?);
                }
            }
        }
    }
    let mut data = Vec::new();
    for (mut block, &(length, ec)) in split.into_iter().zip(blocks) {
        reed_solomon::correct(&mut block, ec)?;
        data.extend_from_slice(&block[..length]);
    }
    Some(data)
}

/// Whether the data mask flips the module at row `y`, column `x` (ISO 18004, 7.8.2).
fn mask_flips(mask: u8, y: usize, x: usize) -> bool {
    match mask {
        0 => (y + x).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (y + x).is_multiple_of(3),
        4 => (y / 2 + x / 3).is_multiple_of(2),
        5 => (y * x) % 2 + (y * x) % 3 == 0,
        6 => ((y * x) % 2 + (y * x) % 3).is_multiple_of(2),
        _ => ((y + x) % 2 + (y * x) % 3).is_multiple_of(2),
    }
}

fn read_codeword(modules: &Modules, cells: &[(usize, usize); 8], mask: u8) -> u8 {
    cells.iter().fold(0, |byte, &(y, x)| {
        (byte << 1) | u8::from(modules.dark(y, x) != mask_flips(mask, y, x))
    })
}

/// Model 2's codewords: up and down two-module columns from the right, skipping the
/// vertical timing pattern's column and every function pattern; remainder bits dropped.
fn read_model_2(modules: &Modules, mask: u8) -> Vec<u8> {
    let size = modules.grid.size();
    let reserved = model_2_function_patterns(size);
    let mut bits = Vec::with_capacity(size * size);
    let mut upward = true;
    let mut right = size - 1;
    while right > 0 {
        if right == 6 {
            right = 5;
        }
        for i in 0..size {
            let y = if upward { size - 1 - i } else { i };
            for x in [right, right - 1] {
                if !reserved[y * size + x] {
                    bits.push(modules.dark(y, x) != mask_flips(mask, y, x));
                }
            }
        }
        upward = !upward;
        right = right.saturating_sub(2);
    }
    bits.chunks_exact(8)
        .map(|byte| byte.iter().fold(0, |b, &bit| (b << 1) | u8::from(bit)))
        .collect()
}

/// The modules of a Model 2 code that hold no data: finders with their separators and
/// the format information, timing patterns, alignment patterns, version information.
fn model_2_function_patterns(size: usize) -> Vec<bool> {
    let mut reserved = vec![false; size * size];
    let mut mark = |rows: std::ops::Range<usize>, columns: std::ops::Range<usize>| {
        for y in rows {
            for x in columns.clone() {
                reserved[y * size + x] = true;
            }
        }
    };
    mark(0..9, 0..9);
    mark(0..9, size - 8..size);
    mark(size - 8..size, 0..9);
    mark(6..7, 0..size);
    mark(0..size, 6..7);
    let positions = alignment_positions(size);
    let last = positions.last().copied().unwrap_or(0);
    for &y in &positions {
        for &x in &positions {
            // The three corners with finders have no alignment pattern.
            if (y == 6 && (x == 6 || x == last)) || (y == last && x == 6) {
                continue;
            }
            mark(y - 2..y + 3, x - 2..x + 3);
        }
    }
    if size >= 45 {
        mark(0..6, size - 11..size - 8);
        mark(size - 11..size - 8, 0..6);
    }
    reserved
}

/// Model 1's codeword placement: each codeword is a block of modules, two wide and four
/// tall in two strips along the right edge and four strips along the left, four wide and
/// two tall in the strips between; codewords run up each strip, strips from right to
/// left. A block's bits run right to left, then a row up. Model 1 has extension patterns
/// where Model 2 has alignment patterns: they take every other block inside the outer
/// right strip, and the bottom block of every other middle strip.
fn model_1_codewords(size: usize) -> Vec<[(usize, usize); 8]> {
    let block = |bottom: usize, right: usize, width: usize| -> [(usize, usize); 8] {
        std::array::from_fn(|bit| (bottom - bit / width, right - bit % width))
    };
    let mut codewords = Vec::new();
    // Right strips: from the bottom up to the top-right finder's format information.
    let tall = (size - 9) / 4;
    for strip in 0..2 {
        for i in 0..tall {
            if strip == 0 && i % 2 == 0 && i > 0 && i < tall - 1 {
                continue;
            }
            codewords.push(block(size - 1 - 4 * i, size - 1 - 2 * strip, 2));
        }
    }
    // Middle strips, columns 9 to size-5: the whole height but the timing row; the first
    // stops below the top-right finder.
    let strips = (size - 13) / 4;
    let bottoms: Vec<usize> = (8..size).rev().step_by(2).chain([5, 3, 1]).collect();
    for strip in 0..strips {
        for (i, &bottom) in bottoms.iter().enumerate() {
            let finder = strip == 0 && bottom <= 8;
            let extension = i == 0 && strip % 2 == 1 && strip + 1 < strips;
            if !finder && !extension {
                codewords.push(block(bottom, size - 5 - 4 * strip, 4));
            }
        }
    }
    // Left strips, beside the timing column: between the finders.
    for right in [8, 5, 3, 1] {
        for i in 0..(size - 17) / 4 {
            codewords.push(block(size - 9 - 4 * i, right, 2));
        }
    }
    codewords
}

#[cfg(test)]
mod tests {
    use qrcode::{Color, EcLevel, QrCode, Version};

    use super::*;
    use crate::reed_solomon::encode;

    fn grid_of(code: &QrCode) -> rqrr::SimpleGrid {
        let size = code.width();
        let colors = code.to_colors();
        rqrr::SimpleGrid::from_func(size, |x, y| colors[y * size + x] == Color::Dark)
    }

    #[test]
    fn model_2_codes_of_every_size_class_and_level_are_read() {
        let text = "saifu:pay?to=ACME%20Ltd&amount=12.50&ref=0123456789".repeat(3);
        for version in [1, 4, 7, 12, 27, 40] {
            for level in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
                let payload = &text.as_bytes()[..text.len().min(version * 4)];
                let code = QrCode::with_version(payload, Version::Normal(version as i16), level)
                    .expect("the payload fits");
                assert_eq!(
                    decode(&grid_of(&code)).as_deref(),
                    Some(payload),
                    "version {version} {level:?}"
                );
            }
        }
    }

    #[test]
    fn damaged_and_mirrored_model_2_codes_are_read() {
        let code = QrCode::with_version(b"0123456789", Version::Normal(3), EcLevel::H)
            .expect("the payload fits");
        let size = code.width();
        let mut colors = code.to_colors();
        // A smudge of 4x4 modules in the data area: well within level H's capacity.
        for y in 14..18 {
            for x in 14..18 {
                colors[y * size + x] = Color::Light;
            }
        }
        let smudged = rqrr::SimpleGrid::from_func(size, |x, y| colors[y * size + x] == Color::Dark);
        assert_eq!(decode(&smudged).as_deref(), Some(&b"0123456789"[..]));
        let mirrored =
            rqrr::SimpleGrid::from_func(size, |x, y| colors[x * size + y] == Color::Dark);
        assert_eq!(decode(&mirrored).as_deref(), Some(&b"0123456789"[..]));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_grids_are_refused_or_read_without_panicking(
            version in 1usize..=40,
            format in 0u16..32,
            seed in proptest::collection::vec(proptest::prelude::any::<u64>(), 16),
        ) {
            // Valid format information, so that placement, blocks and correction are reached.
            let size = 17 + 4 * version;
            let mut dark: Vec<bool> = (0..size * size)
                .map(|i| seed[i / 64 % seed.len()] >> (i % 64) & 1 == 1)
                .collect();
            let bits = format_codeword(format) ^ FORMAT_MASK;
            for cells in format_cells(size) {
                for (i, (y, x)) in cells.into_iter().enumerate() {
                    dark[y * size + x] = bits & (1 << (14 - i)) != 0;
                }
            }
            let grid = rqrr::SimpleGrid::from_func(size, |x, y| dark[y * size + x]);
            let _ = decode(&grid);
        }

        #[test]
        fn arbitrary_streams_are_refused_or_parsed_without_panicking(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            version in 0usize..=41,
            model_1 in proptest::prelude::any::<bool>(),
        ) {
            let _ = bitstream::parse(&data, version, model_1);
        }
    }

    #[test]
    fn model_1_blocks_tile_the_data_area_exactly() {
        // Codewords per version (ISO 18004:2000 Annex M): every block table fits in them.
        let capacities = [
            26, 46, 72, 100, 134, 170, 212, 256, 306, 358, 416, 476, 542, 610,
        ];
        for (version, capacity) in (1..=14).zip(capacities) {
            let size = 17 + 4 * version;
            let codewords = model_1_codewords(size);
            assert_eq!(codewords.len(), capacity, "version {version}");
            let mut seen = vec![false; size * size];
            for &(y, x) in codewords.iter().flatten() {
                assert!(!seen[y * size + x], "version {version}: ({y}, {x}) twice");
                seen[y * size + x] = true;
                let finder = (y < 9 && (x < 9 || x >= size - 8)) || (y >= size - 8 && x < 9);
                assert!(!finder && y != 6 && x != 6, "version {version}: ({y}, {x})");
            }
            for &(ec, count, data) in &MODEL_1_BLOCKS[version - 1] {
                assert!(usize::from(count) * usize::from(ec + data) <= capacity);
            }
        }
    }

    /// A Model 1 code of `version` at `level` (0-3 for L, M, Q, H) with mask `mask`,
    /// holding `payload` in byte mode, with only what the decoder reads drawn: format
    /// information and data.
    fn model_1_grid(version: usize, level: usize, mask: u8, payload: &[u8]) -> rqrr::SimpleGrid {
        let size = 17 + 4 * version;
        let (ec, count, data_len) = MODEL_1_BLOCKS[version - 1][level];
        let (ec, count, data_len) = (usize::from(ec), usize::from(count), usize::from(data_len));
        // Four zero bits, byte mode, the count, the bytes, a terminator; then padding.
        let mut bits = vec![false; 4];
        let mut push = |value: usize, width: usize| {
            bits.extend((0..width).rev().map(|i| value >> i & 1 == 1));
        };
        push(0b0100, 4);
        push(payload.len(), if version < 10 { 8 } else { 16 });
        payload.iter().for_each(|&byte| push(byte.into(), 8));
        push(0, 4);
        let mut data: Vec<u8> = bits
            .chunks(8)
            .map(|chunk| {
                chunk.iter().fold(0, |b, &bit| (b << 1) | u8::from(bit)) << (8 - chunk.len())
            })
            .collect();
        let pads = [0xec, 0x11].into_iter().cycle();
        data.extend(pads.take(count * data_len - data.len()));
        let blocks: Vec<Vec<u8>> = data
            .chunks(data_len)
            .map(|block| encode(block, ec))
            .collect();
        let mut codewords: Vec<u8> = blocks.iter().flat_map(|b| b[..data_len].to_vec()).collect();
        codewords.extend(blocks.iter().flat_map(|b| b[data_len..].to_vec()));
        let mut dark = vec![false; size * size];
        for (cells, byte) in model_1_codewords(size).iter().zip(codewords) {
            for (i, &(y, x)) in cells.iter().enumerate() {
                dark[y * size + x] = (byte >> (7 - i) & 1 == 1) != mask_flips(mask, y, x);
            }
        }
        let level_bits = [0b01, 0b00, 0b11, 0b10][level];
        let format = format_codeword(level_bits << 3 | u16::from(mask)) ^ FORMAT_MASK;
        for cells in format_cells(size) {
            for (i, (y, x)) in cells.into_iter().enumerate() {
                dark[y * size + x] = format & (1 << (14 - i)) != 0;
            }
        }
        rqrr::SimpleGrid::from_func(size, |x, y| dark[y * size + x])
    }

    #[test]
    fn model_1_codes_are_read_with_their_blocks_back_to_back() {
        // Version 1-L has one block, 5-H two, 14-H six.
        for (version, level, mask) in [(1, 0, 3), (5, 3, 7), (14, 3, 0)] {
            let payload = b"QR Code Model 1";
            let grid = model_1_grid(version, level, mask, payload);
            assert_eq!(
                decode(&grid).as_deref(),
                Some(&payload[..]),
                "version {version}"
            );
        }
    }
}
