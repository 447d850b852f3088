//! A detector and sampler of our own in front of rqrr's decoder, for the codes rqrr's own
//! detection misses: finder patterns found by their 1:1:3:1:1 runs (so round finders,
//! codes touching the image's edge and codes a few pixels per module across are found),
//! the grid's size tried at its nearest estimates, the alignment pattern located by
//! matching its shape (or, on a small code where it is not found, the perspective taken
//! from the finders' sides), and on large codes every alignment pattern located so that
//! each region of the code gets its own perspective (paper that bends). The module grid
//! sampled is handed to rqrr's `Grid::decode_to`, and if rqrr refuses it to our own
//! decoder (`symbol`), which also reads QR Model 1 codes and GS1 (FNC1) payloads.

use image::GrayImage;

use crate::contain::QuietPanics;
use crate::geometry::{Homography, Point};
use crate::preprocess::{DARK, LIGHT};
use crate::symbol;

/// A binarised image; pixels outside it are light, so a code cut at the image's edge
/// keeps a quiet zone.
#[derive(Clone, Copy)]
pub(crate) struct Binary<'a> {
    pixels: &'a [u8],
    width: i32,
    height: i32,
    /// The pixel value read as dark: [`DARK`], or [`LIGHT`] for light-on-dark codes.
    dark_value: u8,
}

impl<'a> Binary<'a> {
    pub(crate) fn new(image: &'a GrayImage) -> Self {
        Binary {
            pixels: image.as_raw(),
            width: i32::try_from(image.width()).unwrap_or(0),
            height: i32::try_from(image.height()).unwrap_or(0),
            dark_value: DARK,
        }
    }

    #[inline]
    fn dark(&self, x: i32, y: i32) -> bool {
        x >= 0
            && y >= 0
            && x < self.width
            && y < self.height
            && self.pixels[(y * self.width + x) as usize] == self.dark_value
    }

    #[inline]
    fn dark_at(&self, p: Point) -> bool {
        // `as` saturates, and NaN becomes 0: a wild point reads as some pixel, never panics.
        self.dark(p.x.floor() as i32, p.y.floor() as i32)
    }
}

/// A finder pattern's centre and module size, and how many scan lines confirmed it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Finder {
    center: Point,
    module: f64,
    count: u32,
}

/// At most this many finder candidates are kept per image: a noisy frame yields many
/// false ones, and each is compared with every other.
const MAX_CANDIDATES: usize = 400;
/// Triples are formed from this many of the best-confirmed finders.
const MAX_FINDERS_IN_TRIPLES: usize = 14;
/// Triples tried per image, best-shaped first.
const MAX_TRIPLES_TRIED: usize = 24;

/// Runs of 1:1:3:1:1 modules, each within half a module.
fn is_finder_ratio(counts: &[u32; 5]) -> bool {
    has_finder_ratio(counts, 2.0)
}

/// Looser, for diagonals: a finder seen at an angle.
fn is_rough_finder_ratio(counts: &[u32; 5]) -> bool {
    has_finder_ratio(counts, 1.333)
}

/// Runs of 1:1:3:1:1 modules, each within a module divided by `strictness`.
fn has_finder_ratio(counts: &[u32; 5], strictness: f64) -> bool {
    let total: u32 = counts.iter().sum();
    if total < 7 {
        return false;
    }
    let module = f64::from(total) / 7.0;
    let tolerance = module / strictness;
    let near = |count: u32, modules: f64| {
        (f64::from(count) - module * modules).abs() < tolerance * modules
    };
    near(counts[0], 1.0)
        && near(counts[1], 1.0)
        && near(counts[2], 3.0)
        && near(counts[3], 1.0)
        && near(counts[4], 1.0)
}

/// The runs through (x, y) along (dx, dy): the dark run holding (x, y), then light, dark
/// on either side. Returns the runs and where the middle run's centre lies along the line,
/// in steps from (x, y); `None` unless there are five runs, the outer four at most
/// `max_count` long.
fn runs_through(
    binary: &Binary,
    (x, y): (i32, i32),
    (dx, dy): (i32, i32),
    max_count: u32,
) -> Option<([u32; 5], f64)> {
    let max_count = max_count.max(1);
    let mut counts = [0u32; 5];
    let at = |i: i32| binary.dark(x + i * dx, y + i * dy);
    let mut i = 0;
    while at(-i) {
        counts[2] += 1;
        i += 1;
        if counts[2] > 4 * max_count {
            return None;
        }
    }
    if counts[2] == 0 {
        return None;
    }
    for (state, want_dark) in [(1, false), (0, true)] {
        while at(-i) == want_dark && counts[state] <= max_count {
            counts[state] += 1;
            i += 1;
        }
        if counts[state] > max_count {
            return None;
        }
    }
    let mut j = 1;
    while at(j) {
        counts[2] += 1;
        j += 1;
        if counts[2] > 4 * max_count {
            return None;
        }
    }
    for (state, want_dark) in [(3, false), (4, true)] {
        while at(j) == want_dark && counts[state] <= max_count {
            counts[state] += 1;
            j += 1;
        }
        if counts[state] > max_count {
            return None;
        }
    }
    // `j` is one past the last pixel of the run of counts[4].
    let center =
        f64::from(j) - f64::from(counts[4]) - f64::from(counts[3]) - f64::from(counts[2]) / 2.0;
    Some((counts, center))
}

/// Confirms a horizontal 1:1:3:1:1 hit ending before pixel `end` on row `y` by crossing
/// it vertically, horizontally again and diagonally; adds or merges the finder.
fn confirm_finder(
    binary: &Binary,
    counts: &[u32; 5],
    y: i32,
    end: i32,
    finders: &mut Vec<Finder>,
) -> bool {
    let total: u32 = counts.iter().sum();
    let cx =
        f64::from(end) - f64::from(counts[4]) - f64::from(counts[3]) - f64::from(counts[2]) / 2.0;
    let x = cx.floor() as i32;
    let Some((vertical, offset)) = runs_through(binary, (x, y), (0, 1), counts[2]) else {
        return false;
    };
    let vertical_total: u32 = vertical.iter().sum();
    if !is_finder_ratio(&vertical) || 5 * vertical_total.abs_diff(total) >= 2 * total {
        return false;
    }
    let cy = f64::from(y) + offset;
    let y = cy.floor() as i32;
    let Some((horizontal, offset)) = runs_through(binary, (x, y), (1, 0), counts[2]) else {
        return false;
    };
    let horizontal_total: u32 = horizontal.iter().sum();
    if !is_finder_ratio(&horizontal) || 5 * horizontal_total.abs_diff(total) >= 2 * total {
        return false;
    }
    let cx = f64::from(x) + offset;
    let x = cx.floor() as i32;
    let diagonal_max = counts[2].max(vertical[2]);
    if !runs_through(binary, (x, y), (1, 1), diagonal_max)
        .is_some_and(|(diagonal, _)| is_rough_finder_ratio(&diagonal))
    {
        return false;
    }
    let module = f64::from(horizontal_total + vertical_total) / 14.0;
    let center = Point::new(cx, cy);
    for finder in finders.iter_mut() {
        let near = (finder.center.x - cx).abs() <= finder.module
            && (finder.center.y - cy).abs() <= finder.module;
        if near && (module - finder.module).abs() <= finder.module.max(module) * 0.4 {
            let n = f64::from(finder.count);
            finder.center = finder.center.times(n).plus(center).times(1.0 / (n + 1.0));
            finder.module = (finder.module * n + module) / (n + 1.0);
            finder.count += 1;
            return true;
        }
    }
    if finders.len() < MAX_CANDIDATES {
        finders.push(Finder {
            center,
            module,
            count: 1,
        });
    }
    true
}

/// Every finder pattern found on the image's rows, every `row_step`th row: of dark-on-light
/// codes if `want[0]`, of light-on-dark ones if `want[1]`, from one pass over the rows.
/// Each row is cut into runs first (without branching per pixel, which noise makes
/// unpredictable), then every five consecutive runs are compared with 1:1:3:1:1.
fn scan_rows(binary: &Binary, row_step: usize, want: [bool; 2]) -> [Vec<Finder>; 2] {
    let polarities = [
        Binary {
            dark_value: DARK,
            ..*binary
        },
        Binary {
            dark_value: LIGHT,
            ..*binary
        },
    ];
    let mut finders = [Vec::new(), Vec::new()];
    let width = binary.width.max(0) as usize;
    if width == 0 {
        return finders;
    }
    let mut ends = vec![0i32; width];
    for y in (0..binary.height).step_by(row_step.max(1)) {
        let row = &binary.pixels[y as usize * width..][..width];
        let mut runs = 0;
        for x in 1..width {
            ends[runs] = x as i32;
            runs += usize::from(row[x] != row[x - 1]);
        }
        ends[runs] = width as i32;
        runs += 1;
        let first_is_dark = row[0] == DARK;
        for k in 0..runs.saturating_sub(4) {
            let start = if k == 0 { 0 } else { ends[k - 1] };
            let counts = [
                (ends[k] - start) as u32,
                (ends[k + 1] - ends[k]) as u32,
                (ends[k + 2] - ends[k + 1]) as u32,
                (ends[k + 3] - ends[k + 2]) as u32,
                (ends[k + 4] - ends[k + 3]) as u32,
            ];
            // Run k is dark in the image when it has the first run's colour and that is dark.
            let polarity = usize::from((k % 2 == 0) != first_is_dark);
            if want[polarity] && is_finder_ratio(&counts) {
                confirm_finder(
                    &polarities[polarity],
                    &counts,
                    y,
                    ends[k + 4],
                    &mut finders[polarity],
                );
            }
        }
    }
    for list in &mut finders {
        // A finder is crossed by several scan lines; one seen once is most likely noise.
        list.retain(|finder| finder.count >= 2);
        list.sort_by_key(|finder| std::cmp::Reverse(finder.count));
    }
    finders
}

/// Three finders as the code's top-left, top-right and bottom-left, and how far the
/// triangle is from a code's (lower is better).
struct Triple {
    corners: [usize; 3],
    badness: f64,
}

fn triples(finders: &[Finder]) -> Vec<Triple> {
    let n = finders.len().min(MAX_FINDERS_IN_TRIPLES);
    let mut triples = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                if let Some(triple) = shape_triple(finders, [i, j, k]) {
                    triples.push(triple);
                }
            }
        }
    }
    triples.sort_by(|a, b| a.badness.total_cmp(&b.badness));
    triples
}

fn shape_triple(finders: &[Finder], [i, j, k]: [usize; 3]) -> Option<Triple> {
    let modules = [finders[i].module, finders[j].module, finders[k].module];
    let (smallest, largest) = (
        modules.iter().copied().fold(f64::MAX, f64::min),
        modules.iter().copied().fold(0.0, f64::max),
    );
    if largest > 2.0 * smallest {
        return None;
    }
    let p = |index: usize| finders[index].center;
    // The top-left finder is the one opposite the longest side.
    let sides = [
        (p(j).distance(p(k)), i, j, k),
        (p(i).distance(p(k)), j, i, k),
        (p(i).distance(p(j)), k, i, j),
    ];
    let &(_, top_left, mut top_right, mut bottom_left) =
        sides.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
    let (right, down) = (
        p(top_right).minus(p(top_left)),
        p(bottom_left).minus(p(top_left)),
    );
    if right.cross(down) < 0.0 {
        std::mem::swap(&mut top_right, &mut bottom_left);
    }
    let (a, b) = (
        p(top_right).distance(p(top_left)),
        p(bottom_left).distance(p(top_left)),
    );
    let module = modules.iter().sum::<f64>() / 3.0;
    let legs_ratio = a.max(b) / a.min(b).max(1e-9);
    let cosine = right.dot(down).abs() / (a * b).max(1e-9);
    let span = (a + b) / 2.0 / module;
    if legs_ratio > 2.0 || cosine > 0.6 || !(10.0..=200.0).contains(&span) {
        return None;
    }
    let badness = legs_ratio.ln() + cosine + (largest / smallest).ln();
    Some(Triple {
        corners: [top_left, top_right, bottom_left],
        badness,
    })
}

/// Size of one module along the line from `from` towards `to`: the finder at `from` is
/// seven modules across along any line through its centre.
fn module_towards(binary: &Binary, from: Point, to: Point, fallback: f64) -> f64 {
    let length = from.distance(to);
    if length < 1.0 {
        return fallback;
    }
    let step = to.minus(from).times(1.0 / length);
    let limit = (fallback * 12.0).max(8.0) as i32;
    let half = |direction: f64| {
        // Dark centre, light ring, dark ring: ends where the quiet or data area begins.
        let mut state = 0;
        for t in 0..limit {
            let dark = binary.dark_at(from.plus(step.times(direction * f64::from(t))));
            match (state, dark) {
                (0, false) | (2, false) => {
                    if state == 2 {
                        return Some(f64::from(t));
                    }
                    state = 1;
                }
                (1, true) => state = 2,
                _ => {}
            }
        }
        None
    };
    match (half(1.0), half(-1.0)) {
        (Some(forward), Some(back)) => {
            let measured = (forward + back) / 7.0;
            if measured > fallback * 0.5 && measured < fallback * 2.0 {
                measured
            } else {
                fallback
            }
        }
        _ => fallback,
    }
}

/// The grid sizes worth trying for an estimate, nearest first.
fn sizes_near(estimate: f64) -> Vec<usize> {
    let version = ((estimate - 17.0) / 4.0).clamp(1.0, 40.0);
    let mut versions: Vec<i64> = vec![version.round() as i64];
    let (floor, ceil) = (version.floor() as i64, version.ceil() as i64);
    let other = if version.round() as i64 == floor {
        ceil
    } else {
        floor
    };
    versions.push(other);
    if version >= 6.0 {
        versions.push(version.round() as i64 * 2 - other);
    }
    let mut sizes = Vec::new();
    for version in versions {
        if (1..=40).contains(&version) {
            let size = 17 + 4 * version as usize;
            if !sizes.contains(&size) {
                sizes.push(size);
            }
        }
    }
    sizes
}

/// The alignment patterns' centres in modules for a grid `size` across (ISO 18004, Annex E).
pub(crate) fn alignment_positions(size: usize) -> Vec<usize> {
    let version = (size - 17) / 4;
    if version < 2 {
        return Vec::new();
    }
    let count = version / 7 + 2;
    let last = size - 7;
    let step = if version == 32 {
        26
    } else {
        (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
    };
    let mut positions: Vec<usize> = (0..count - 1).map(|i| last - i * step).collect();
    positions.push(6);
    positions.reverse();
    positions
}

/// Where the module pattern of an alignment pattern (dark ring, light ring, dark centre)
/// best matches the image near `predicted`, with `right` and `down` one module along the
/// grid; `None` if nothing within `radius` modules matches well.
const MIN_ALIGNMENT_SCORE: i32 = 19;
fn locate_alignment(
    binary: &Binary,
    predicted: Point,
    right: Point,
    down: Point,
    radius: f64,
) -> Option<Point> {
    // Quarter-module steps near the prediction, half-module ones in a wide search.
    let per_module = if radius > 4.0 { 2.0 } else { 4.0 };
    let steps = (radius * per_module) as i32;
    let mut best = (i32::MIN, Vec::new());
    for b in -steps..=steps {
        for a in -steps..=steps {
            let center = predicted
                .plus(right.times(f64::from(a) / per_module))
                .plus(down.times(f64::from(b) / per_module));
            let mut score = 0;
            for j in -2i32..=2 {
                for i in -2i32..=2 {
                    let want_dark = i.abs().max(j.abs()) != 1;
                    let p = center
                        .plus(right.times(f64::from(i)))
                        .plus(down.times(f64::from(j)));
                    score += if binary.dark_at(p) == want_dark {
                        1
                    } else {
                        -1
                    };
                }
            }
            if score > best.0 {
                best = (score, vec![center]);
            } else if score == best.0 {
                best.1.push(center);
            }
        }
    }
    let (score, centers) = best;
    if score < MIN_ALIGNMENT_SCORE {
        return None;
    }
    // Ties cluster around the true centre: average those next to the nearest one.
    let nearest = *centers
        .iter()
        .min_by(|p, q| p.distance(predicted).total_cmp(&q.distance(predicted)))?;
    let module = right
        .distance(Point::new(0.0, 0.0))
        .max(down.distance(Point::new(0.0, 0.0)));
    let close: Vec<Point> = centers
        .into_iter()
        .filter(|p| p.distance(nearest) <= module)
        .collect();
    let n = close.len() as f64;
    Some(
        close
            .iter()
            .fold(Point::new(0.0, 0.0), |sum, p| sum.plus(*p))
            .times(1.0 / n),
    )
}

/// A sampled module grid, for rqrr's decoder.
#[derive(Clone)]
pub(crate) struct ModuleGrid {
    size: usize,
    dark: Vec<bool>,
}

impl rqrr::BitGrid for &ModuleGrid {
    fn size(&self) -> usize {
        self.size
    }

    fn bit(&self, y: usize, x: usize) -> bool {
        self.dark[y * self.size + x]
    }
}

const SPREAD: f64 = 0.0;
fn sample(binary: &Binary, size: usize, map: impl Fn(f64, f64) -> Point) -> ModuleGrid {
    let mut dark = Vec::with_capacity(size * size);
    for v in 0..size {
        for u in 0..size {
            let (u, v) = (u as f64 + 0.5, v as f64 + 0.5);
            let spread = SPREAD;
            if spread > 0.0 {
                let votes = [
                    (0.0, 0.0),
                    (-spread, -spread),
                    (spread, -spread),
                    (spread, spread),
                    (-spread, spread),
                ]
                .iter()
                .filter(|(du, dv)| binary.dark_at(map(u + du, v + dv)))
                .count();
                dark.push(votes >= 3);
            } else {
                dark.push(binary.dark_at(map(u, v)));
            }
        }
    }
    let mut grid = ModuleGrid { size, dark };
    grid.standardise_format();
    grid
}

/// The mask ISO 18004 applies to a Model 2 code's format information.
pub(crate) const FORMAT_MASK: u16 = 0x5412;
/// The mask of Model 1 codes, which some Model 2 encoders use too.
const FORMAT_MASK_MODEL_1: u16 = 0x2825;

/// The 15-bit format information for 5 data bits (BCH(15,5)), unmasked.
pub(crate) fn format_codeword(data: u16) -> u16 {
    let mut remainder = data << 10;
    for bit in (10..15).rev() {
        if remainder & (1 << bit) != 0 {
            remainder ^= 0x537 << (bit - 10);
        }
    }
    (data << 10) | remainder
}

/// The 18-bit version information for a version (BCH(18,6)).
fn version_codeword(version: u32) -> u32 {
    let mut remainder = version << 12;
    for bit in (12..18).rev() {
        if remainder & (1 << bit) != 0 {
            remainder ^= 0x1F25 << (bit - 12);
        }
    }
    (version << 12) | remainder
}

/// The version whose codeword is within three bits of `bits`.
fn version_from_bits(bits: u32) -> Option<u32> {
    (7..=40).find(|&version| (version_codeword(version) ^ bits).count_ones() <= 3)
}

impl ModuleGrid {
    /// Whether the grid shows a code's fixed patterns: its three finders and two timing
    /// patterns, mostly. Garbage is refused here, before the decoder's error correction
    /// is run on it; a grid of the wrong size fails on its timing patterns.
    fn looks_like_a_code(&self) -> bool {
        let n = self.size;
        let at = |y: usize, x: usize| self.dark[y * n + x];
        let mut finder_hits = 0;
        for (top, left) in [(0, 0), (0, n - 7), (n - 7, 0)] {
            for y in 0..7 {
                for x in 0..7 {
                    let ring = (x as i32 - 3).abs().max((y as i32 - 3).abs());
                    finder_hits += usize::from(at(top + y, left + x) == (ring != 2));
                }
            }
        }
        let mut timing_hits = 0;
        for i in 8..n - 8 {
            timing_hits += usize::from(at(6, i) == (i % 2 == 0));
            timing_hits += usize::from(at(i, 6) == (i % 2 == 0));
        }
        // 60 %: round finders sampled as squares match some 70 %, noise half.
        10 * finder_hits >= 6 * 3 * 49 && 10 * timing_hits >= 6 * 2 * (n - 16)
    }

    /// Rewrites format information masked as in Model 1 codes, or left unmasked, with the
    /// standard mask, so that rqrr (which knows only the standard one) reads the code.
    fn standardise_format(&mut self) {
        if self.size < 21 {
            return;
        }
        let copies = format_cells(self.size).map(|cells| {
            cells.iter().fold(0u16, |bits, &(y, x)| {
                (bits << 1) | u16::from(self.dark[y * self.size + x])
            })
        });
        let mut best = (u32::MAX, FORMAT_MASK, 0);
        for mask in [FORMAT_MASK, 0, FORMAT_MASK_MODEL_1] {
            for bits in copies {
                for data in 0..32 {
                    let distance = ((bits ^ mask) ^ format_codeword(data)).count_ones();
                    if distance < best.0 {
                        best = (distance, mask, data);
                    }
                }
            }
        }
        let (distance, mask, data) = best;
        if distance > 3 || mask == FORMAT_MASK {
            return;
        }
        let standard = format_codeword(data) ^ FORMAT_MASK;
        for cells in format_cells(self.size) {
            for (i, (y, x)) in cells.into_iter().enumerate() {
                self.dark[y * self.size + x] = standard & (1 << (14 - i)) != 0;
            }
        }
    }
}

/// The grid size the version information beside the top-right or bottom-left finder
/// gives, read in each finder's own frame (so a size estimate is not needed).
fn size_from_version_info(
    binary: &Binary,
    [top_left, top_right, bottom_left]: [Point; 3],
    modules: [f64; 2],
) -> Option<usize> {
    // The module size is an estimate: a few scales around it, each read checked by BCH.
    [1.0, 0.95, 1.05, 0.9, 1.1, 0.85]
        .into_iter()
        .find_map(|scale| {
            let right = top_right
                .minus(top_left)
                .times(scale * modules[0] / top_right.distance(top_left).max(1.0));
            let down = bottom_left
                .minus(top_left)
                .times(scale * modules[1] / bottom_left.distance(top_left).max(1.0));
            let read = |origin: Point, across: bool| {
                (0..18).rev().fold(0u32, |bits, i| {
                    let (du, dv) = if across {
                        (f64::from(i % 3) - 7.0, f64::from(i / 3) - 3.0)
                    } else {
                        (f64::from(i / 3) - 3.0, f64::from(i % 3) - 7.0)
                    };
                    (bits << 1)
                        | u32::from(
                            binary.dark_at(origin.plus(right.times(du)).plus(down.times(dv))),
                        )
                })
            };
            // A random 18 bits lie within three of some version's codeword one time in eight:
            // both copies must agree, or one be exact.
            let (beside_right, beside_bottom) = (read(top_right, true), read(bottom_left, false));
            let version = match (
                version_from_bits(beside_right),
                version_from_bits(beside_bottom),
            ) {
                (Some(a), Some(b)) if a == b => Some(a),
                _ => [beside_right, beside_bottom]
                    .into_iter()
                    .find_map(|bits| (7..=40).find(|&version| version_codeword(version) == bits)),
            };
            version.map(|version| 17 + 4 * version as usize)
        })
}

/// Format information's modules, most significant bit first: the copy around the
/// top-left finder, then the one split between the other two.
pub(crate) fn format_cells(n: usize) -> [[(usize, usize); 15]; 2] {
    let mut first = [(0, 0); 15];
    let mut second = [(0, 0); 15];
    let around: [(usize, usize); 15] = [
        (8, 0),
        (8, 1),
        (8, 2),
        (8, 3),
        (8, 4),
        (8, 5),
        (8, 7),
        (8, 8),
        (7, 8),
        (5, 8),
        (4, 8),
        (3, 8),
        (2, 8),
        (1, 8),
        (0, 8),
    ];
    first.copy_from_slice(&around);
    for (i, cell) in second.iter_mut().enumerate() {
        *cell = if i < 7 {
            (n - 1 - i, 8)
        } else {
            (8, n - 15 + i)
        };
    }
    [first, second]
}

/// A code found by this detector: its raw payload, and its corners in the image.
pub(crate) struct Found {
    pub raw: Vec<u8>,
    pub corners: [Point; 4],
}

/// rqrr's decoder first, and ours for what it refuses (Model 1 codes, GS1 payloads): a
/// grid rqrr reads costs what it did before ours existed.
fn decode_grid(grid: ModuleGrid, quiet: &QuietPanics) -> Option<Vec<u8>> {
    let mut raw = Vec::new();
    match quiet.contain(|| rqrr::Grid::new(&grid).decode_to(&mut raw)) {
        Some(Ok(_)) => Some(raw),
        _ => symbol::decode(&&grid),
    }
}

/// What [`detect`] read, and whether it saw anything shaped like a code.
pub(crate) struct Detection {
    pub codes: Vec<Found>,
    /// Whether any grid sampled showed a code's finder and timing patterns.
    pub plausible: bool,
}

/// Every code this detector reads in the binarised image.
pub(crate) fn detect(binary: &Binary, row_step: usize, quiet: &QuietPanics) -> Detection {
    let want = [binary.dark_value == DARK, binary.dark_value != DARK];
    let [dark_on_light, light_on_dark] = scan_rows(binary, row_step, want);
    let finders = if want[0] {
        dark_on_light
    } else {
        light_on_dark
    };
    read_finders(binary, finders, quiet)
}

/// [`detect`] for dark-on-light codes in `binary` (a view as [`Binary::new`] makes) and then,
/// if there are none, for light-on-dark ones, from one scan of the rows.
pub(crate) fn detect_either(
    binary: &Binary,
    row_step: usize,
    quiet: &QuietPanics,
) -> [Detection; 2] {
    let [dark_on_light, light_on_dark] = scan_rows(binary, row_step, [true, true]);
    let first = read_finders(binary, dark_on_light, quiet);
    if !first.codes.is_empty() {
        return [
            first,
            Detection {
                codes: Vec::new(),
                plausible: false,
            },
        ];
    }
    let inverted = Binary {
        dark_value: LIGHT,
        ..*binary
    };
    [first, read_finders(&inverted, light_on_dark, quiet)]
}

fn read_finders(binary: &Binary, finders: Vec<Finder>, quiet: &QuietPanics) -> Detection {
    if finders.len() < 3 {
        return Detection {
            codes: Vec::new(),
            plausible: false,
        };
    }
    let mut used = vec![false; finders.len()];
    let mut plausible = false;
    let mut found = Vec::new();
    for triple in triples(&finders).iter().take(MAX_TRIPLES_TRIED) {
        if triple.corners.iter().any(|&i| used[i]) {
            continue;
        }
        if let Some(code) = read_triple(binary, &finders, triple.corners, &mut plausible, quiet) {
            for i in triple.corners {
                used[i] = true;
            }
            found.push(code);
        }
    }
    Detection {
        codes: found,
        plausible,
    }
}

fn read_triple(
    binary: &Binary,
    finders: &[Finder],
    [tl, tr, bl]: [usize; 3],
    plausible: &mut bool,
    quiet: &QuietPanics,
) -> Option<Found> {
    let (top_left, top_right, bottom_left) =
        (finders[tl].center, finders[tr].center, finders[bl].center);
    let average = (finders[tl].module + finders[tr].module + finders[bl].module) / 3.0;
    let across = (module_towards(binary, top_left, top_right, average)
        + module_towards(binary, top_right, top_left, average))
        / 2.0;
    let along = (module_towards(binary, top_left, bottom_left, average)
        + module_towards(binary, bottom_left, top_left, average))
        / 2.0;
    let estimate = (top_left.distance(top_right) / across + top_left.distance(bottom_left) / along)
        / 2.0
        + 7.0;
    let mut sizes: Vec<(usize, bool)> = sizes_near(estimate)
        .into_iter()
        .map(|size| (size, false))
        .collect();
    if estimate > 38.0
        && let Some(size) =
            size_from_version_info(binary, [top_left, top_right, bottom_left], [across, along])
    {
        sizes.retain(|&(s, _)| s != size);
        sizes.insert(0, (size, true));
    }
    for (size, read_from_code) in sizes {
        if let Some(found) = read_size(
            binary,
            size,
            read_from_code,
            [top_left, top_right, bottom_left],
            plausible,
            quiet,
        ) {
            return Some(found);
        }
    }
    None
}

/// `exact` when the size was read from the code's version information: only then is a
/// large code sampled region by region, which costs a search per alignment pattern.
fn read_size(
    binary: &Binary,
    size: usize,
    exact: bool,
    [top_left, top_right, bottom_left]: [Point; 3],
    plausible: &mut bool,
    quiet: &QuietPanics,
) -> Option<Found> {
    let s = size as f64;
    let span = s - 7.0;
    let right = top_right.minus(top_left).times(1.0 / span);
    let down = bottom_left.minus(top_left).times(1.0 / span);
    let affine = |u: f64, v: f64| {
        top_left
            .plus(right.times(u - 3.5))
            .plus(down.times(v - 3.5))
    };
    let finder_modules = [
        Point::new(3.5, 3.5),
        Point::new(s - 3.5, 3.5),
        Point::new(3.5, s - 3.5),
    ];
    let mut maps = Vec::new();
    if size > 21 {
        let predicted = affine(s - 6.5, s - 6.5);
        for radius in [4.0, 8.0] {
            if let Some(alignment) = locate_alignment(binary, predicted, right, down, radius) {
                if let Some(map) = Homography::between(
                    [
                        finder_modules[0],
                        finder_modules[1],
                        Point::new(s - 6.5, s - 6.5),
                        finder_modules[2],
                    ],
                    [top_left, top_right, alignment, bottom_left],
                ) {
                    maps.push(map);
                }
                break;
            }
        }
    }
    maps.extend(Homography::between(
        [
            finder_modules[0],
            finder_modules[1],
            Point::new(s - 3.5, s - 3.5),
            finder_modules[2],
        ],
        [top_left, top_right, affine(s - 3.5, s - 3.5), bottom_left],
    ));
    let mut looked_like_a_code = false;
    let mut found = maps
        .iter()
        .find_map(|map| read_mapped(binary, size, exact, map, &mut looked_like_a_code, quiet));
    // A code seen at a slant whose alignment pattern was not found (hidden, or absent on
    // version 1): its perspective from its outline instead. The outline's corner is
    // extrapolated from finders' sides, a few modules long, and curved paper or lens
    // distortion bend the code's edges: corners around it are tried too.
    if found.is_none() && maps.len() == 1 && size <= MAX_OUTLINE_SIZE {
        let module =
            (right.distance(Point::new(0.0, 0.0)) + down.distance(Point::new(0.0, 0.0))) / 2.0;
        if let Some(corner) = outer_corner(binary, [top_left, top_right, bottom_left], module)
            .filter(|corner| corner.distance(affine(s, s)) < s * module / 4.0)
        {
            found = OUTLINE_OFFSETS.iter().find_map(|&(du, dv)| {
                let corner = corner.plus(right.times(du)).plus(down.times(dv));
                let map = Homography::between(
                    [
                        finder_modules[0],
                        finder_modules[1],
                        Point::new(s, s),
                        finder_modules[2],
                    ],
                    [top_left, top_right, corner, bottom_left],
                )?;
                read_mapped(binary, size, false, &map, &mut looked_like_a_code, quiet)
            });
        }
    }
    *plausible |= looked_like_a_code;
    found
}

/// Codes up to this size (version 7) whose alignment pattern is not found are also read
/// through their outline: beyond it the search costs more than the codes it finds.
const MAX_OUTLINE_SIZE: usize = 45;

/// Where the outline's corner is tried, in modules along the code's axes from the estimate
/// (tried first), in steps narrower than the corner's tolerance (about a module).
const OUTLINE_OFFSETS: [(f64, f64); 25] = {
    let mut offsets = [(0.0, 0.0); 25];
    let order = [0.0, -0.75, 0.75, -1.5, 1.5];
    let mut i = 0;
    while i < 25 {
        offsets[i] = (order[i % 5], order[i / 5]);
        i += 1;
    }
    offsets
};

/// The code read through `map`, whose grid is `size` modules across; `looked` is set if
/// the grid shows a code's fixed patterns.
fn read_mapped(
    binary: &Binary,
    size: usize,
    exact: bool,
    map: &Homography,
    looked: &mut bool,
    quiet: &QuietPanics,
) -> Option<Found> {
    let s = size as f64;
    let corners = [
        map.map(0.0, 0.0),
        map.map(s, 0.0),
        map.map(s, s),
        map.map(0.0, s),
    ];
    if !corners.iter().all(|c| c.is_finite()) {
        return None;
    }
    let grid = sample(binary, size, |u, v| map.map(u, v));
    if grid.looks_like_a_code() {
        *looked = true;
        if let Some(raw) = decode_grid(grid, quiet) {
            return Some(Found { raw, corners });
        }
    }
    if exact && alignment_positions(size).len() > 2 {
        let raw = read_meshed(binary, size, map, quiet)?;
        return Some(Found { raw, corners });
    }
    None
}

/// The code's outer bottom-right corner: where the outer side of the top-right finder
/// that faces away from the top-left one meets that of the bottom-left finder.
fn outer_corner(
    binary: &Binary,
    [top_left, top_right, bottom_left]: [Point; 3],
    module: f64,
) -> Option<Point> {
    let (point, along) = finder_side(binary, top_right, top_right.minus(top_left), module)?;
    let (other, other_along) =
        finder_side(binary, bottom_left, bottom_left.minus(top_left), module)?;
    let denominator = along.cross(other_along);
    if denominator.abs() < 1e-6 {
        return None;
    }
    Some(point.plus(along.times(other.minus(point).cross(other_along) / denominator)))
}

/// The line along the side of a finder's outer dark ring that faces `facing`: a point on
/// it and its direction. Rays from the centre within 30° of `facing` or its opposite
/// (clear of the ring's corners) cross the edges of the dark centre, the light ring and
/// the dark ring on either side: six nearly parallel lines, whose mean direction is far
/// steadier than the outer side's alone.
fn finder_side(
    binary: &Binary,
    center: Point,
    facing: Point,
    module: f64,
) -> Option<(Point, Point)> {
    const STEP: f64 = 0.25;
    if !binary.dark_at(center) {
        return None;
    }
    let facing = facing.times(1.0 / facing.distance(Point::new(0.0, 0.0)).max(1e-9));
    let mut direction = Point::new(0.0, 0.0);
    let mut outer = None;
    for sign in [1.0, -1.0] {
        let mut edges: [Vec<Point>; 3] = Default::default();
        for k in -6..=6 {
            let (sin, cos) = (f64::from(k) * 5.0_f64.to_radians()).sin_cos();
            let ray = Point::new(
                facing.x * cos - facing.y * sin,
                facing.x * sin + facing.y * cos,
            )
            .times(sign);
            let mut was_dark = true;
            let mut changes = 0;
            let mut t = 0.0;
            // The ring's side is 3.5 modules out; its corners, which these rays miss, 5.
            while t < 6.0 * module && changes < 3 {
                let dark = binary.dark_at(center.plus(ray.times(t)));
                if dark != was_dark {
                    edges[changes].push(center.plus(ray.times(t - STEP / 2.0)));
                    changes += 1;
                    was_dark = dark;
                }
                t += STEP;
            }
        }
        for (i, points) in edges.iter().enumerate() {
            let (mean, along) = fit_line(points)?;
            // Every direction counted pointing the same way along the side.
            direction = direction.plus(if along.cross(facing) < 0.0 {
                along.times(-1.0)
            } else {
                along
            });
            if sign > 0.0 && i == 2 {
                outer = Some(mean);
            }
        }
    }
    Some((outer?, direction))
}

/// The least-squares line through at least seven points: their centroid, and the unit
/// vector along their principal axis.
fn fit_line(points: &[Point]) -> Option<(Point, Point)> {
    if points.len() < 7 {
        return None;
    }
    let n = points.len() as f64;
    let mean = points
        .iter()
        .fold(Point::new(0.0, 0.0), |sum, p| sum.plus(*p))
        .times(1.0 / n);
    let (mut xx, mut xy, mut yy) = (0.0, 0.0, 0.0);
    for p in points {
        let d = p.minus(mean);
        xx += d.x * d.x;
        xy += d.x * d.y;
        yy += d.y * d.y;
    }
    let angle = 0.5 * (2.0 * xy).atan2(xx - yy);
    Some((mean, Point::new(angle.cos(), angle.sin())))
}

/// Samples a large code region by region: every alignment pattern is located, starting
/// from the top-left and predicting each from its located neighbours, and the modules
/// between four of them are mapped by the perspective of those four.
fn read_meshed(
    binary: &Binary,
    size: usize,
    global: &Homography,
    quiet: &QuietPanics,
) -> Option<Vec<u8>> {
    let positions = alignment_positions(size);
    let n = positions.len();
    let center = |i: usize| positions[i] as f64 + 0.5;
    let mut mesh: Vec<Point> = vec![Point::new(0.0, 0.0); n * n];
    for sum in 0..2 * n - 1 {
        for j in 0..n {
            let Some(i) = sum.checked_sub(j).filter(|&i| i < n) else {
                continue;
            };
            let (u, v) = (center(i), center(j));
            let predicted = if i > 0 && j > 0 {
                mesh[j * n + i - 1]
                    .plus(mesh[(j - 1) * n + i])
                    .minus(mesh[(j - 1) * n + i - 1])
            } else if i > 0 {
                global
                    .map(u, v)
                    .plus(mesh[j * n + i - 1].minus(global.map(center(i - 1), v)))
            } else if j > 0 {
                global
                    .map(u, v)
                    .plus(mesh[(j - 1) * n + i].minus(global.map(u, center(j - 1))))
            } else {
                global.map(u, v)
            };
            let is_finder = (i == 0 || j == 0) && (i + j == 0 || i + j == n - 1);
            mesh[j * n + i] = if is_finder {
                global.map(u, v)
            } else {
                let right = global.map(u + 1.0, v).minus(global.map(u, v));
                let down = global.map(u, v + 1.0).minus(global.map(u, v));
                locate_alignment(binary, predicted, right, down, 2.0).unwrap_or(predicted)
            };
        }
    }
    let mut cells = Vec::with_capacity((n - 1) * (n - 1));
    for j in 0..n - 1 {
        for i in 0..n - 1 {
            let from = [
                Point::new(center(i), center(j)),
                Point::new(center(i + 1), center(j)),
                Point::new(center(i + 1), center(j + 1)),
                Point::new(center(i), center(j + 1)),
            ];
            let to = [
                mesh[j * n + i],
                mesh[j * n + i + 1],
                mesh[(j + 1) * n + i + 1],
                mesh[(j + 1) * n + i],
            ];
            cells.push(Homography::between(from, to)?);
        }
    }
    let cell_of = |module: f64| {
        positions[1..n - 1]
            .iter()
            .take_while(|&&p| module >= p as f64 + 0.5)
            .count()
    };
    let grid = sample(binary, size, |u, v| {
        cells[cell_of(v) * (n - 1) + cell_of(u)].map(u, v)
    });
    decode_grid(grid, quiet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_positions_follow_the_standard() {
        assert_eq!(alignment_positions(21), Vec::<usize>::new());
        assert_eq!(alignment_positions(25), [6, 18]);
        assert_eq!(alignment_positions(45), [6, 22, 38]);
        assert_eq!(alignment_positions(17 + 4 * 32), [6, 34, 60, 86, 112, 138]);
        assert_eq!(alignment_positions(177), [6, 30, 58, 86, 114, 142, 170]);
        assert_eq!(alignment_positions(17 + 4 * 15), [6, 26, 48, 70]);
    }

    #[test]
    fn sizes_are_tried_nearest_first() {
        assert_eq!(sizes_near(21.4), [21, 25]);
        assert_eq!(sizes_near(28.0), [29, 25]);
        assert_eq!(sizes_near(47.5), [49, 45, 53]);
        assert_eq!(sizes_near(3.0), [21]);
    }

    #[test]
    fn format_and_version_codewords_match_the_standard() {
        // ISO 18004 Annex C: data 00000 masked is 0x5412; M-mask-0 (00000 is M/0) ...
        assert_eq!(format_codeword(0) ^ FORMAT_MASK, 0x5412);
        assert_eq!(format_codeword(0x17) ^ FORMAT_MASK, 0x083B);
        assert_eq!(format_codeword(0x1F) ^ FORMAT_MASK, 0x2BED);
        // Annex D: version 7 is 0x07C94, version 40 is 0x28C69.
        assert_eq!(version_codeword(7), 0x07C94);
        assert_eq!(version_codeword(40), 0x28C69);
        assert_eq!(version_from_bits(0x07C94 ^ 0b101), Some(7));
        assert_eq!(version_from_bits(0x07C94 ^ 0b1111), None);
    }

    #[test]
    fn model_1_masked_format_information_is_rewritten_with_the_standard_mask() {
        let size = 25;
        let mut grid = ModuleGrid {
            size,
            dark: vec![false; size * size],
        };
        let quirky = format_codeword(0x17) ^ FORMAT_MASK_MODEL_1;
        for cells in format_cells(grid.size) {
            for (i, (y, x)) in cells.into_iter().enumerate() {
                grid.dark[y * size + x] = quirky & (1 << (14 - i)) != 0;
            }
        }
        grid.standardise_format();
        for cells in format_cells(grid.size) {
            let bits = cells.iter().fold(0u16, |bits, &(y, x)| {
                (bits << 1) | u16::from(grid.dark[y * size + x])
            });
            assert_eq!(bits, 0x083B);
        }
    }
}
