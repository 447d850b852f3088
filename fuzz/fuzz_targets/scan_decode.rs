//! Whatever a file picker or camera hands the scanner: the input as an encoded image, and
//! as a small raw greyscale frame (a byte for each side, then its pixels, padded white).
//! Decoding never panics (rqrr's panics are contained inside saifu-scan) or hangs, and a
//! code's corners lie in the frame.
#![no_main]

use image::GrayImage;
use libfuzzer_sys::fuzz_target;

/// Room for a version-6 code at a pixel a module, or version 1 at two. A frame without a
/// code goes through the whole cascade, which under the sanitiser costs about 4 µs a
/// pixel: 255x255 frames held the fuzzer at 22 runs a second.
const MAX_SIDE: u8 = 64;

fuzz_target!(|data: &[u8]| {
    let _ = saifu_scan::decode_bytes(data);

    if let [width, height, pixels @ ..] = data {
        let side = |byte: u8| u32::from(byte % (MAX_SIDE + 1));
        let (width, height) = (side(*width), side(*height));
        let mut pixels = pixels.to_vec();
        pixels.resize((width * height) as usize, 255);
        let frame =
            GrayImage::from_raw(width, height, pixels).expect("as many pixels as the sides say");
        for code in saifu_scan::decode(&frame) {
            for (x, y) in code.corners {
                assert!(
                    x < width && y < height,
                    "corner ({x}, {y}) outside {width}x{height}"
                );
            }
        }
    }
});
