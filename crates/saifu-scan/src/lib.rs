//! Frames -> payment payloads: Saifu's QR scanner.
//!
//! [`decode`] finds every QR code in a greyscale frame and parses each payload with
//! [`saifu_core::qr::parse`]. A fast pass comes first: one local-mean threshold of the frame
//! and a finder-pattern detector of this crate's own (`detect`: 1:1:3:1:1 runs, the grid's
//! size from its estimate or its version information, the alignment pattern matched by
//! shape, large codes sampled region by region), dark-on-light and light-on-dark, whose
//! sampled grids rqrr decodes (grids it refuses, such as Model 1 codes and GS1 payloads,
//! go to a decoder of this crate's own: `symbol`, `reed_solomon` and `bitstream`). A
//! camera frame is read there in a few milliseconds, and one showing nothing shaped like
//! a code is rejected there too. Otherwise a short cascade of
//! views runs rqrr's own detection and ours on each (local-mean thresholds; for small
//! frames a 2x upscale under several thresholds; inverted), stopping at the first that
//! yields a code. rqrr panics on some real photos: every call into it is contained, and
//! the panic message kept off stderr (the `contain` module says how the panic hook is
//! handled). Where panics abort instead of unwinding (wasm32-unknown-unknown by default),
//! such a photo aborts.
//!
//! Frames come from a [`FrameSource`]: [`ImageFileSource`] for a saved image,
//! [`SyntheticSource`] for frames in memory, and with the cargo feature `camera` a
//! `CameraSource` (nokhwa: a webcam's YUYV, NV12, greyscale or MJPEG frames as luma,
//! preferably 1280x720). A camera that is missing, denied or busy is a [`CameraState`] to
//! show, not an error. A [`ScanSession`] reads a source on a worker thread (of a camera's
//! frames, the sharpest of every three), reports the codes of a frame together and each once
//! while it stays in view, and can send a small preview of the frames for a viewfinder.

mod bitstream;
#[cfg(feature = "camera")]
mod camera;
mod cascade;
mod charset;
mod contain;
mod detect;
mod geometry;
mod preprocess;
mod reed_solomon;
#[cfg(not(target_family = "wasm"))]
mod session;
mod source;
mod symbol;

use std::io::Cursor;

use image::GrayImage;
use saifu_core::qr::{PaymentCode, QrError};

#[cfg(feature = "camera")]
pub use camera::{CameraChoice, CameraInfo, CameraSource, cameras};
pub use charset::Charset;
#[cfg(not(target_family = "wasm"))]
pub use session::{Preview, ScanEvent, ScanSession};
pub use source::{CameraState, FrameSource, ImageFileSource, SourceError, SyntheticSource};

/// Longest image side [`decode_bytes`] and [`ImageFileSource`] accept: beyond any camera,
/// and it bounds the memory a hostile file can make the decoder ask for.
pub const MAX_IMAGE_SIDE: u32 = 8192;

/// One QR code found in a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The payload bytes as the code carries them.
    pub raw: Vec<u8>,
    /// `raw` read in `charset`.
    pub text: String,
    pub charset: Charset,
    /// Where the code is, in frame pixels: its top-left, top-right, bottom-right and
    /// bottom-left corners as the code reads (a code upside down has its top-left corner
    /// at the bottom right of the frame), clamped to the frame.
    pub corners: [(u32, u32); 4],
    /// `text` read as a payment code.
    pub payment: Result<PaymentCode, QrError>,
}

impl Decoded {
    fn new(raw: Vec<u8>, corners: [(u32, u32); 4]) -> Self {
        let (text, charset) = charset::decode_text(&raw);
        let payment = saifu_core::qr::parse(&text);
        Decoded {
            raw,
            text,
            charset,
            corners,
            payment,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("not a readable image: {0}")]
    Image(#[from] image::ImageError),
}

/// Every QR code in the frame, each once. A frame on which rqrr panics yields no code.
pub fn decode(frame: &GrayImage) -> Vec<Decoded> {
    cascade::decode_frame(frame)
}

/// [`decode`] for a greyscale frame of `width` by `height` pixels, row by row, as a
/// browser's camera gives one; `None` when `pixels` are not that many.
pub fn decode_luma(width: u32, height: u32, pixels: Vec<u8>) -> Option<Vec<Decoded>> {
    GrayImage::from_raw(width, height, pixels).map(|frame| decode(&frame))
}

/// [`decode`] for an encoded image (PNG, JPEG or WebP).
pub fn decode_bytes(image: &[u8]) -> Result<Vec<Decoded>, ScanError> {
    Ok(decode(&load_grey(image)?))
}

/// Decodes an image file's bytes to greyscale, within [`MAX_IMAGE_SIDE`].
fn load_grey(bytes: &[u8]) -> Result<GrayImage, image::ImageError> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    reader.limits(limits);
    Ok(reader.decode()?.into_luma8())
}
