//! The preprocessing cascade: a fast pass (one local-mean threshold and our detector), then
//! cheap views of the frame tried in turn, each handed to rqrr and to our detector, until
//! one yields a code. A clean frame costs the fast pass; only hard frames pay for the rest,
//! and a large frame in which the fast pass saw nothing shaped like a code stops there.
//!
//! The passes and their parameters were chosen on the real-photo corpus (tests/corpus.rs).
//! Leaving out any local-mean or doubled pass loses one to four photos; the frame as
//! captured goes first as the cheapest pass that reads clean frames, and the inverted frame
//! is the one pass for light-on-dark codes in frames too large to double.
//!
//! The largest gain of the views is doubling small frames, which gives rqrr's integer
//! geometry sub-pixel room; it is limited to small frames because it quadruples the work.
//! Our detector (finder runs, size from version information, alignment by shape) reads
//! codes rqrr's detection misses: round finders, codes cut by the image's edge, codes a
//! few pixels per module across, rotated small codes (178 -> 186 of the 201 photos). Grids
//! rqrr refuses go to our own decoder (Model 1 codes, GS1 payloads: 186 -> 189), and a small
//! code without a usable alignment pattern is sampled through its outline (-> 190).
//!
//! The block-threshold passes come from generated counter photos instead (the scan bench's
//! tuning seeds): a window of 40 pixels follows a hard shadow edge and keeps a blurred
//! code's narrow gaps, where the wide local mean fills them in (seeds 0 to 19: shadow edges
//! 17 -> 19 of 20, Gaussian blur 3 -> 12, glare 18 -> 20). A second pair with half the flat
//! range keeps the faint edges left under glare (seeds 20 to 69: shadow edges 42 -> 45 of
//! 50, glare 45 -> 48). The corpus stays at 190. A sharpened view read nothing more.

use std::cell::OnceCell;

use image::GrayImage;
use rqrr::PreparedImage;

use crate::Decoded;
use crate::contain::QuietPanics;
use crate::detect;
use crate::preprocess::{self, DARK};

/// Frames whose longer side is at most this also get the doubled passes. A 1280x720
/// camera frame does not: its codes are large enough, and empty frames must stay cheap.
const SMALL_FRAME_SIDE: u32 = 800;

/// A window a quarter of the image's shorter side across, and a small offset: follows
/// uneven lighting, and spans a finder pattern's dark core at usual framings so its centre
/// is not hollowed out.
const COARSE_LOCAL_MEAN: Binarisation = Binarisation::LocalMean {
    radius_divisor: 8,
    offset: 2,
};
/// Half that window and a larger offset: separates modules blurred into each other.
const FINE_LOCAL_MEAN: Binarisation = Binarisation::LocalMean {
    radius_divisor: 16,
    offset: 5,
};

/// Blocks whose pixels span 24 levels or less are taken as flat, as in zxing.
const BLOCKS: Binarisation = Binarisation::Blocks { flat_range: 24 };
/// Half that range: the faint edges a glare spot or a deep shadow leaves are kept.
const FINE_BLOCKS: Binarisation = Binarisation::Blocks { flat_range: 12 };

/// No Otsu pass on the frame itself: on the corpus it rescued nothing the local mean did
/// not, and it would cost every empty camera frame a fourth rqrr run.
const CASCADE: [Pass; 12] = [
    Pass(Image::Frame, Binarisation::Rqrr),
    Pass(Image::Frame, BLOCKS),
    Pass(Image::Doubled, BLOCKS),
    Pass(Image::Frame, FINE_BLOCKS),
    Pass(Image::Doubled, FINE_BLOCKS),
    Pass(Image::Frame, COARSE_LOCAL_MEAN),
    Pass(Image::Doubled, COARSE_LOCAL_MEAN),
    Pass(Image::Doubled, FINE_LOCAL_MEAN),
    Pass(Image::Doubled, Binarisation::Rqrr),
    Pass(Image::Doubled, Binarisation::Otsu),
    Pass(Image::Inverted, Binarisation::Rqrr),
    Pass(Image::InvertedDoubled, FINE_LOCAL_MEAN),
];

#[derive(Clone, Copy, Debug)]
struct Pass(Image, Binarisation);

/// Which image a pass binarises.
#[derive(Clone, Copy, Debug)]
enum Image {
    Frame,
    /// Only for small frames.
    Doubled,
    /// Light-on-dark codes: dark-mode screens, negative prints.
    Inverted,
    /// Only for small frames.
    InvertedDoubled,
}

#[derive(Clone, Copy, Debug)]
enum Binarisation {
    /// rqrr's own: a moving average along each row.
    Rqrr,
    /// [`preprocess::adaptive_threshold`] with a radius of the image's shorter side divided
    /// by `radius_divisor`.
    LocalMean {
        radius_divisor: u32,
        offset: u8,
    },
    Otsu,
    /// [`preprocess::block_threshold`]: a window of 40 pixels, for hard shadow edges.
    Blocks {
        flat_range: u8,
    },
}

/// The derived images of one frame, each made at most once and only if a pass needs it.
struct Images<'a> {
    frame: &'a GrayImage,
    is_small: bool,
    doubled: OnceCell<GrayImage>,
    inverted: OnceCell<GrayImage>,
    inverted_doubled: OnceCell<GrayImage>,
}

impl<'a> Images<'a> {
    fn new(frame: &'a GrayImage) -> Self {
        Images {
            frame,
            is_small: frame.width().max(frame.height()) <= SMALL_FRAME_SIDE,
            doubled: OnceCell::new(),
            inverted: OnceCell::new(),
            inverted_doubled: OnceCell::new(),
        }
    }

    /// The image and its scale relative to the frame, or `None` if it is not made for
    /// this frame.
    fn get(&self, image: Image) -> Option<(&GrayImage, u32)> {
        let doubled = || {
            self.doubled
                .get_or_init(|| preprocess::upscale_2x(self.frame))
        };
        match image {
            Image::Frame => Some((self.frame, 1)),
            Image::Inverted => Some((
                self.inverted.get_or_init(|| preprocess::invert(self.frame)),
                1,
            )),
            Image::Doubled => self.is_small.then(|| (doubled(), 2)),
            Image::InvertedDoubled => self.is_small.then(|| {
                let inverted = self
                    .inverted_doubled
                    .get_or_init(|| preprocess::invert(doubled()));
                (inverted, 2)
            }),
        }
    }
}

/// What rqrr is given: greyscale for it to binarise, or a ready bitmap.
enum View<'a> {
    Greyscale(&'a GrayImage),
    Binary(GrayImage),
}

impl<'a> View<'a> {
    fn new(image: &'a GrayImage, binarisation: Binarisation) -> Self {
        match binarisation {
            Binarisation::Rqrr => View::Greyscale(image),
            Binarisation::LocalMean {
                radius_divisor,
                offset,
            } => {
                let radius = (image.width().min(image.height()) / radius_divisor).max(1);
                View::Binary(preprocess::adaptive_threshold(image, radius, offset))
            }
            Binarisation::Otsu => {
                View::Binary(preprocess::threshold(image, preprocess::otsu_level(image)))
            }
            Binarisation::Blocks { flat_range } => {
                View::Binary(preprocess::block_threshold(image, flat_range))
            }
        }
    }
}

/// Every code in the frame: from the fast pass if it reads any, else from the first pass of
/// the cascade that does.
pub(crate) fn decode_frame(frame: &GrayImage) -> Vec<Decoded> {
    let quiet = QuietPanics::enter();
    let images = Images::new(frame);
    let fast = fast_pass(frame, images.is_small, &quiet);
    if !fast.codes.is_empty() {
        return fast.codes;
    }
    // A camera frame in which the fast pass saw nothing shaped like a code (three finder
    // patterns with timing patterns between them) holds none the cascade would read:
    // rejecting it here keeps aiming cheap.
    if !images.is_small && !fast.plausible {
        return Vec::new();
    }
    CASCADE
        .into_iter()
        .filter_map(|pass @ Pass(image, binarisation)| {
            let (image, scale) = images.get(image)?;
            let view = View::new(image, binarisation);
            let mut codes = read_codes(&view, scale, frame, &quiet);
            // The fast pass ran our detector on this view already.
            if codes.is_empty()
                && !pass.is_fast_pass()
                && let View::Binary(binary) = &view
            {
                codes = detect_on(&detect::Binary::new(binary), scale, 1, frame, &quiet).codes;
            }
            Some(codes)
        })
        .find(|codes| !codes.is_empty())
        .unwrap_or_default()
}

impl Pass {
    fn is_fast_pass(self) -> bool {
        matches!(
            self,
            Pass(
                Image::Frame,
                Binarisation::LocalMean {
                    radius_divisor: 8,
                    offset: 2
                }
            )
        )
    }
}

/// One local-mean threshold of the frame as captured and our finder-pattern detector on it,
/// dark-on-light and then light-on-dark: reads a camera frame's code in a few milliseconds.
/// A large frame is scanned on every other row: its codes' finders are many rows tall.
fn fast_pass(frame: &GrayImage, is_small: bool, quiet: &QuietPanics) -> Detected {
    let View::Binary(binary) = View::new(frame, COARSE_LOCAL_MEAN) else {
        unreachable!("a local-mean view is binary")
    };
    let row_step = if is_small { 1 } else { 2 };
    let [dark_on_light, light_on_dark] =
        detect::detect_either(&detect::Binary::new(&binary), row_step, quiet);
    let plausible = dark_on_light.plausible || light_on_dark.plausible;
    let mut codes = to_frame(dark_on_light.codes, 1, frame);
    if codes.is_empty() {
        codes = to_frame(light_on_dark.codes, 1, frame);
    }
    Detected { codes, plausible }
}

struct Detected {
    codes: Vec<Decoded>,
    /// Whether a grid showed a code's finder and timing patterns.
    plausible: bool,
}

/// Our detector on a binary view of the frame `scale` times its size, its codes in frame
/// pixels.
fn detect_on(
    binary: &detect::Binary,
    scale: u32,
    row_step: usize,
    frame: &GrayImage,
    quiet: &QuietPanics,
) -> Detected {
    let detection = detect::detect(binary, row_step, quiet);
    Detected {
        codes: to_frame(detection.codes, scale, frame),
        plausible: detection.plausible,
    }
}

/// Codes our detector found in a view `scale` times the frame's size, in frame pixels and
/// each once.
fn to_frame(found: Vec<detect::Found>, scale: u32, frame: &GrayImage) -> Vec<Decoded> {
    let mut codes: Vec<Decoded> = Vec::new();
    for found in found {
        if codes.iter().any(|code| code.raw == found.raw) {
            continue;
        }
        let corners = found.corners.map(|corner| {
            frame_point(
                rqrr::Point {
                    x: corner.x.round() as i32,
                    y: corner.y.round() as i32,
                },
                scale,
                frame,
            )
        });
        codes.push(Decoded::new(found.raw, corners));
    }
    codes
}

/// The codes rqrr finds and decodes in one view, without duplicates.
fn read_codes(view: &View, scale: u32, frame: &GrayImage, quiet: &QuietPanics) -> Vec<Decoded> {
    // rqrr's image type cannot be named outside it, so both kinds are prepared right here.
    let Some(mut prepared) = quiet.contain(|| match view {
        View::Greyscale(image) => {
            let (width, pixels) = (image.width() as usize, image.as_raw());
            PreparedImage::prepare_from_greyscale(width, image.height() as usize, |x, y| {
                pixels[y * width + x]
            })
        }
        View::Binary(image) => {
            let (width, pixels) = (image.width() as usize, image.as_raw());
            PreparedImage::prepare_from_bitmap(width, image.height() as usize, |x, y| {
                pixels[y * width + x] == DARK
            })
        }
    }) else {
        return Vec::new();
    };
    let prepared = &mut prepared;
    let Some(grids) = quiet.contain(move || prepared.detect_grids()) else {
        return Vec::new();
    };
    let mut codes: Vec<Decoded> = Vec::new();
    for grid in grids {
        let mut raw = Vec::new();
        // decode_to may have written part of a payload before failing: only a success counts.
        if !matches!(quiet.contain(|| grid.decode_to(&mut raw)), Some(Ok(_))) {
            continue;
        }
        // rqrr can group the same finder patterns into a code twice.
        if codes.iter().any(|code| code.raw == raw) {
            continue;
        }
        let corners = grid.bounds.map(|corner| frame_point(corner, scale, frame));
        codes.push(Decoded::new(raw, corners));
    }
    codes
}

/// A corner rqrr reported in a view, in frame pixels. rqrr extrapolates corners from the
/// finder patterns, so they can fall outside the image: clamp them to the frame.
fn frame_point(point: rqrr::Point, scale: u32, frame: &GrayImage) -> (u32, u32) {
    let to_frame =
        |v: i32, side: u32| (v.max(0).unsigned_abs() / scale).min(side.saturating_sub(1));
    (
        to_frame(point.x, frame.width()),
        to_frame(point.y, frame.height()),
    )
}
