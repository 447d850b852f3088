//! Frames for tests and benchmarks, drawn with the qrcode crate. Each test binary uses its
//! own subset of these helpers.
#![allow(dead_code)]

use image::{GrayImage, Luma};
use qrcode::{Color, QrCode};

/// A public PayNow test vector (EMV merchant-presented, 158 characters).
pub const PAYNOW: &str = "00020101021126500009SG.PAYNOW010100211+65123456780301004082030123152040000530370254071234.565802SG5902ME6009Singapore62290106BILLNO50150004TEST0103ABC6304B301";

/// `payload` as a black-on-white code, `module` pixels per module, with the standard
/// four-module quiet zone.
pub fn code_image(payload: &[u8], module: u32) -> GrayImage {
    let code = QrCode::new(payload).expect("the payload fits in a QR code");
    let modules = code.width() as u32;
    let colors = code.to_colors();
    let side = (modules + 8) * module;
    GrayImage::from_fn(side, side, |x, y| {
        let (column, row) = ((x / module).checked_sub(4), (y / module).checked_sub(4));
        let is_dark = match (column, row) {
            (Some(column), Some(row)) if column < modules && row < modules => {
                colors[(row * modules + column) as usize] == Color::Dark
            }
            _ => false,
        };
        Luma([if is_dark { 0 } else { 255 }])
    })
}

/// A camera-like frame: `code` pasted at `at` on a background of random grey, with sensor
/// noise over everything. Deterministic (fixed seed), so benchmarks compare like with like.
pub fn noisy_frame(width: u32, height: u32, code: &GrayImage, at: (u32, u32)) -> GrayImage {
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    GrayImage::from_fn(width, height, |x, y| {
        let inside = |origin: u32, v: u32, side: u32| v >= origin && v - origin < side;
        let base = if inside(at.0, x, code.width()) && inside(at.1, y, code.height()) {
            i32::from(code.get_pixel(x - at.0, y - at.1)[0])
        } else {
            60 + (random.next() % 140) as i32
        };
        let noise = (random.next() % 41) as i32 - 20;
        Luma([(base + noise).clamp(0, 255) as u8])
    })
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
