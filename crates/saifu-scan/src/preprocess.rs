//! The image operations of the preprocessing cascade, each a small pure function.
//!
//! Binary results are ordinary greyscale images holding only [`DARK`] and [`LIGHT`], so they
//! can be inspected like any other frame and handed to rqrr as a bitmap.

use image::GrayImage;

pub(crate) const DARK: u8 = 0;
pub(crate) const LIGHT: u8 = 255;

/// Summed-area table: the sum of any axis-aligned rectangle in four look-ups, which keeps a
/// local-mean threshold linear in the number of pixels whatever the window size. Sums are
/// u64: an 8192x8192 frame of white overflows u32.
struct IntegralImage {
    /// One column and one row wider than the image: `sums[y * stride + x]` is the sum of
    /// every pixel above and to the left of (x, y), exclusive.
    sums: Vec<u64>,
    stride: usize,
}

impl IntegralImage {
    fn new(image: &GrayImage) -> Self {
        let (width, height) = (image.width() as usize, image.height() as usize);
        let stride = width + 1;
        let mut sums = vec![0u64; stride * (height + 1)];
        for (y, row) in image
            .as_raw()
            .chunks_exact(width.max(1))
            .take(height)
            .enumerate()
        {
            let mut row_sum = 0u64;
            for (x, &luma) in row.iter().enumerate() {
                row_sum += u64::from(luma);
                sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1] + row_sum;
            }
        }
        IntegralImage { sums, stride }
    }

    /// The sums at row `y` (see `sums`).
    fn row(&self, y: usize) -> &[u64] {
        &self.sums[y * self.stride..][..self.stride]
    }
}

/// Local-mean threshold: a pixel is dark when it is more than `offset` below the mean of the
/// square window of `radius` around it. Unlike one global level this survives the shadows
/// and glare of a photographed code; the offset keeps flat regions (paper, noise) light.
pub(crate) fn adaptive_threshold(image: &GrayImage, radius: u32, offset: u8) -> GrayImage {
    let integral = IntegralImage::new(image);
    let (width, height) = (image.width() as usize, image.height() as usize);
    let radius = radius as usize;
    let mut binary = image.clone();
    // Row by row, looking the window's two rows of sums up once per row: half the time of
    // a per-pixel `from_fn` on a 1280x720 frame.
    for (y, row) in binary
        .chunks_exact_mut(width.max(1))
        .take(height)
        .enumerate()
    {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(height));
        let (above, below) = (integral.row(y0), integral.row(y1));
        for (x, luma) in row.iter_mut().enumerate() {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(width));
            let count = ((x1 - x0) * (y1 - y0)) as u64;
            let sum = below[x1] + above[x0] - above[x1] - below[x0];
            // Compared multiplied out, to stay in integers: luma + offset < sum / count.
            let is_dark = (u64::from(*luma) + u64::from(offset)) * count < sum;
            *luma = if is_dark { DARK } else { LIGHT };
        }
    }
    binary
}

/// Side of a [`block_threshold`] block, in pixels.
const BLOCK: usize = 8;

/// Block threshold: each 8x8 block's level is the mean of the block levels in the 5x5
/// blocks around it, a window 40 pixels across that follows a hard shadow edge far more
/// closely than [`adaptive_threshold`]'s wide one. A block whose darkest and lightest
/// pixels differ by no more than `flat_range` holds no edge (a finder's dark core, plain
/// paper): it takes its level from the blocks above and to its left when its darkest pixel
/// is below theirs (so a dark core stays dark), and otherwise half its darkest value (so
/// paper stays light). zxing's hybrid binarizer works this way, with a range of 24.
pub(crate) fn block_threshold(image: &GrayImage, flat_range: u8) -> GrayImage {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let (columns, rows) = (width.div_ceil(BLOCK), height.div_ceil(BLOCK));
    let pixels = image.as_raw();
    let mut levels = vec![0u32; columns * rows];
    for row in 0..rows {
        for column in 0..columns {
            let (x0, y0) = (column * BLOCK, row * BLOCK);
            let (x1, y1) = ((x0 + BLOCK).min(width), (y0 + BLOCK).min(height));
            let (mut sum, mut count, mut low, mut high) = (0u32, 0u32, u8::MAX, u8::MIN);
            for y in y0..y1 {
                for &luma in &pixels[y * width + x0..y * width + x1] {
                    sum += u32::from(luma);
                    low = low.min(luma);
                    high = high.max(luma);
                }
                count += (x1 - x0) as u32;
            }
            let mut level = sum / count.max(1);
            if high - low <= flat_range {
                level = u32::from(low) / 2;
                if row > 0 && column > 0 {
                    let at = |r: usize, c: usize| levels[r * columns + c];
                    let neighbours =
                        (at(row - 1, column) + 2 * at(row, column - 1) + at(row - 1, column - 1))
                            / 4;
                    if u32::from(low) < neighbours {
                        level = neighbours;
                    }
                }
            }
            levels[row * columns + column] = level;
        }
    }
    let mut binary = image.clone();
    for row in 0..rows {
        // The 5x5 neighbourhood, kept inside the grid at its edges.
        let top = row.saturating_sub(2).min(rows.saturating_sub(5));
        for column in 0..columns {
            let left = column.saturating_sub(2).min(columns.saturating_sub(5));
            let (mut sum, mut count) = (0u32, 0u32);
            for r in top..(top + 5).min(rows) {
                for c in left..(left + 5).min(columns) {
                    sum += levels[r * columns + c];
                    count += 1;
                }
            }
            let level = sum / count.max(1);
            let (x0, y0) = (column * BLOCK, row * BLOCK);
            let (x1, y1) = ((x0 + BLOCK).min(width), (y0 + BLOCK).min(height));
            for y in y0..y1 {
                for luma in &mut binary.as_mut()[y * width + x0..y * width + x1] {
                    *luma = if u32::from(*luma) <= level {
                        DARK
                    } else {
                        LIGHT
                    };
                }
            }
        }
    }
    binary
}

/// Otsu's global level: the one that best separates the histogram into two classes (the
/// largest between-class variance). Pixels at or below it are dark.
pub(crate) fn otsu_level(image: &GrayImage) -> u8 {
    let mut histogram = [0u64; 256];
    for &luma in image.as_raw() {
        histogram[usize::from(luma)] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let total_weighted: u64 = (0u64..).zip(histogram).map(|(luma, n)| luma * n).sum();
    let (mut dark_count, mut dark_weighted) = (0u64, 0u64);
    let (mut best_level, mut best_variance) = (0u8, 0.0f64);
    for (level, n) in (0u8..=255).zip(histogram) {
        dark_count += n;
        dark_weighted += u64::from(level) * n;
        let light_count = total - dark_count;
        if dark_count == 0 || light_count == 0 {
            continue;
        }
        let dark_mean = dark_weighted as f64 / dark_count as f64;
        let light_mean = (total_weighted - dark_weighted) as f64 / light_count as f64;
        let variance = dark_count as f64 * light_count as f64 * (dark_mean - light_mean).powi(2);
        if variance > best_variance {
            (best_level, best_variance) = (level, variance);
        }
    }
    best_level
}

/// Global threshold: pixels at or below `level` become dark.
pub(crate) fn threshold(image: &GrayImage, level: u8) -> GrayImage {
    let mut binary = image.clone();
    for luma in binary.iter_mut() {
        *luma = if *luma <= level { DARK } else { LIGHT };
    }
    binary
}

/// Doubles both sides with bilinear weights (9:3:3:1 from the four nearest source pixels),
/// so codes whose modules are one or two pixels wide get edges rqrr can follow.
pub(crate) fn upscale_2x(image: &GrayImage) -> GrayImage {
    let (width, height) = (image.width(), image.height());
    let at = |x: u32, y: u32| u32::from(image.as_raw()[(y * width + x) as usize]);
    // The neighbour on the side of the source pixel the output pixel lies towards.
    let neighbour = |v: u32, towards_next: bool, len: u32| {
        if towards_next {
            (v + 1).min(len - 1)
        } else {
            v.saturating_sub(1)
        }
    };
    GrayImage::from_fn(width * 2, height * 2, |out_x, out_y| {
        let (x, y) = (out_x / 2, out_y / 2);
        let nx = neighbour(x, out_x % 2 == 1, width);
        let ny = neighbour(y, out_y % 2 == 1, height);
        let weighted = 9 * at(x, y) + 3 * at(nx, y) + 3 * at(x, ny) + at(nx, ny);
        image::Luma([((weighted + 8) / 16) as u8])
    })
}

/// Light-on-dark codes (dark mode screens, engraved or negative prints) turned into the
/// dark-on-light ones a decoder expects.
pub(crate) fn invert(image: &GrayImage) -> GrayImage {
    let mut inverted = image.clone();
    image::imageops::invert(&mut inverted);
    inverted
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn image(width: u32, pixels: &[u8]) -> GrayImage {
        let height = pixels.len() as u32 / width;
        GrayImage::from_raw(width, height, pixels.to_vec()).expect("pixel count matches")
    }

    #[test]
    fn integral_image_rows_hold_the_sums_above_and_left() {
        let integral = IntegralImage::new(&image(3, &[1, 2, 3, 4, 5, 6]));
        assert_eq!(integral.row(0), [0, 0, 0, 0]);
        assert_eq!(integral.row(1), [0, 1, 3, 6]);
        assert_eq!(integral.row(2), [0, 5, 12, 21]);
    }

    #[test]
    fn adaptive_threshold_follows_a_gradient_a_global_level_cannot() {
        // A dark stripe on a background that brightens left to right: the stripe on the
        // right is brighter than the background on the left.
        let mut img = GrayImage::from_fn(40, 5, |x, _| image::Luma([(40 + x * 5) as u8]));
        for y in 0..5 {
            img.put_pixel(5, y, image::Luma([10]));
            img.put_pixel(35, y, image::Luma([130]));
        }
        let binary = adaptive_threshold(&img, 3, 10);
        assert_eq!(binary.get_pixel(5, 2)[0], DARK);
        assert_eq!(binary.get_pixel(35, 2)[0], DARK);
        assert_eq!(binary.get_pixel(20, 2)[0], LIGHT);
        assert_eq!(binary.get_pixel(0, 0)[0], LIGHT);
    }

    #[test]
    fn adaptive_threshold_keeps_flat_regions_light() {
        let img = GrayImage::from_pixel(10, 10, image::Luma([77]));
        assert!(adaptive_threshold(&img, 2, 1).iter().all(|&l| l == LIGHT));
    }

    #[test]
    fn block_threshold_reads_both_sides_of_a_hard_shadow() {
        // A checkerboard of 4-pixel squares, its right half in a shade so deep that the
        // shaded light squares are darker than the lit dark ones.
        let board = |x: u32, y: u32| (x / 4 + y / 4).is_multiple_of(2);
        let img = GrayImage::from_fn(128, 64, |x, y| {
            let luma = if board(x, y) { 70.0 } else { 220.0 };
            let shade = if x < 64 { 1.0 } else { 0.3 };
            image::Luma([(luma * shade) as u8])
        });
        let global = threshold(&img, otsu_level(&img));
        let blocks = block_threshold(&img, 24);
        let matches =
            |binary: &GrayImage, x: u32, y: u32| (binary.get_pixel(x, y)[0] == DARK) == board(x, y);
        // Beyond the 40-pixel window's reach of the edge, every pixel is right.
        for y in 0..64 {
            for x in (0..40).chain(88..128) {
                assert!(matches(&blocks, x, y), "({x}, {y})");
            }
        }
        assert!((88..128).any(|x| !matches(&global, x, 10)));
    }

    proptest::proptest! {
        #[test]
        fn block_threshold_never_panics_and_keeps_the_size(
            (width, height, pixels) in (1u32..50, 1u32..50).prop_flat_map(|(w, h)| {
                (Just(w), Just(h), proptest::collection::vec(any::<u8>(), (w * h) as usize))
            }),
            flat_range in any::<u8>(),
        ) {
            let image = GrayImage::from_raw(width, height, pixels).expect("sized to fit");
            let binary = block_threshold(&image, flat_range);
            prop_assert_eq!(binary.dimensions(), (width, height));
            prop_assert!(binary.iter().all(|&luma| luma == DARK || luma == LIGHT));
        }
    }

    #[test]
    fn otsu_splits_two_populations_between_them() {
        let img = image(4, &[20, 22, 25, 30, 200, 210, 220, 230]);
        let level = otsu_level(&img);
        assert!((30..200).contains(&level), "level {level}");
        assert_eq!(
            threshold(&img, level).as_raw(),
            &[0, 0, 0, 0, 255, 255, 255, 255]
        );
    }

    #[test]
    fn otsu_of_a_flat_image_does_not_fail() {
        assert_eq!(
            otsu_level(&GrayImage::from_pixel(3, 3, image::Luma([9]))),
            0
        );
        assert_eq!(otsu_level(&GrayImage::new(0, 0)), 0);
    }

    #[test]
    fn upscale_doubles_and_interpolates() {
        let img = image(2, &[0, 160]);
        let big = upscale_2x(&img);
        assert_eq!(big.dimensions(), (4, 2));
        // Edges keep their value; inner pixels lean 3:1 towards their own source pixel.
        assert_eq!(big.get_pixel(0, 0)[0], 0);
        assert_eq!(big.get_pixel(1, 0)[0], 40);
        assert_eq!(big.get_pixel(2, 1)[0], 120);
        assert_eq!(big.get_pixel(3, 1)[0], 160);
    }

    #[test]
    fn operations_accept_empty_images() {
        let empty = GrayImage::new(0, 0);
        assert_eq!(adaptive_threshold(&empty, 4, 5).dimensions(), (0, 0));
        assert_eq!(block_threshold(&empty, 24).dimensions(), (0, 0));
        assert_eq!(upscale_2x(&empty).dimensions(), (0, 0));
        assert_eq!(invert(&empty).dimensions(), (0, 0));
    }

    #[test]
    fn invert_swaps_dark_and_light() {
        assert_eq!(invert(&image(3, &[0, 100, 255])).as_raw(), &[255, 155, 0]);
    }
}
