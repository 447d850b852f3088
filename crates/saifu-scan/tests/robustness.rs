//! No input makes the scanner panic: rqrr's known panics, random frames, broken files.

mod common;

use std::path::Path;

use common::{PAYNOW, code_image};
use image::GrayImage;
use proptest::prelude::*;
use saifu_scan::{decode, decode_bytes};

/// rqrr 0.11 panics on this corpus photo in three passes of the cascade ("assertion failed:
/// x <= i32::MAX as f64" in its geometry code).
#[test]
fn a_photo_that_makes_rqrr_panic_is_decoded_without_panicking() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/qr-corpus/zxing-qrcode-6/7.png");
    let bytes = std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "the QR corpus is missing: cannot read {} ({error})",
            path.display()
        )
    });
    decode_bytes(&bytes).expect("a readable PNG");
}

#[test]
fn degenerate_frames_yield_nothing() {
    for (width, height) in [(0, 0), (0, 7), (7, 0), (1, 1), (1, 500), (500, 1), (2, 2)] {
        assert!(decode(&GrayImage::new(width, height)).is_empty());
    }
}

fn png_of_a_code() -> Vec<u8> {
    let mut png = Vec::new();
    code_image(PAYNOW.as_bytes(), 2)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode a PNG");
    png
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_frames_do_not_panic(
        (width, height, pixels) in (0u32..48, 0u32..48).prop_flat_map(|(width, height)| {
            (Just(width), Just(height), proptest::collection::vec(any::<u8>(), (width * height) as usize))
        })
    ) {
        let frame = GrayImage::from_raw(width, height, pixels).expect("pixel count matches");
        decode(&frame);
    }

    #[test]
    fn random_bytes_are_refused_or_decoded_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_bytes(&bytes);
    }

    #[test]
    fn a_truncated_png_is_refused_or_decoded_without_panic(keep in 0.0f64..1.0) {
        let png = png_of_a_code();
        let _ = decode_bytes(&png[..(png.len() as f64 * keep) as usize]);
    }

    #[test]
    fn a_corrupted_png_is_refused_or_decoded_without_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut png = png_of_a_code();
        for (index, value) in flips {
            let at = index.index(png.len());
            png[at] = value;
        }
        let _ = decode_bytes(&png);
    }
}
