//! `decode` on frames drawn for the purpose: what it reports for each code.

mod common;

use common::{PAYNOW, code_image, noisy_frame};
use image::GrayImage;
use saifu_core::qr::PaymentCode;
use saifu_scan::{Charset, decode, decode_bytes};

#[test]
fn a_payment_code_in_a_camera_frame_is_read_parsed_and_located() {
    let code = code_image(PAYNOW.as_bytes(), 4);
    let frame = noisy_frame(1280, 720, &code, (500, 200));
    let found = decode(&frame);
    assert_eq!(found.len(), 1, "{found:?}");
    let decoded = &found[0];
    assert_eq!(decoded.text, PAYNOW);
    assert_eq!(decoded.raw, PAYNOW.as_bytes());
    assert_eq!(decoded.charset, Charset::Utf8);
    assert!(matches!(decoded.payment, Ok(PaymentCode::EmvMpm(_))));
    // The corners lie on the code's symbol, inside its quiet zone (16 px each side here).
    let (left, top) = (500 + 16, 200 + 16);
    let (right, bottom) = (500 + code.width() - 16, 200 + code.height() - 16);
    let expected = [(left, top), (right, top), (right, bottom), (left, bottom)];
    for (corner, expected) in decoded.corners.iter().zip(expected) {
        assert!(
            corner.0.abs_diff(expected.0) <= 8 && corner.1.abs_diff(expected.1) <= 8,
            "corner {corner:?}, expected about {expected:?}"
        );
    }
}

#[test]
fn every_code_in_the_frame_is_reported_once() {
    let first = code_image(b"upi://pay?pa=shop@okicici&pn=Shop&am=12.50&cu=INR", 4);
    let second = code_image(b"wxp://f2f0Abc", 4);
    let mut frame = GrayImage::from_pixel(800, 400, image::Luma([255]));
    image::imageops::replace(&mut frame, &first, 20, 20);
    image::imageops::replace(&mut frame, &second, 450, 60);
    let mut formats: Vec<&str> = decode(&frame)
        .iter()
        .map(|code| {
            code.payment
                .as_ref()
                .expect("a valid payment code")
                .format()
        })
        .collect();
    formats.sort();
    assert_eq!(formats, ["upi", "wechat-link"]);
}

#[test]
fn an_invalid_payment_code_is_still_reported_with_its_error() {
    // An EMV header announces the format, and the checksum is missing.
    let found = decode(&code_image(b"000201010211", 6));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].text, "000201010211");
    assert_eq!(found[0].payment, Err(saifu_core::qr::QrError::MissingCrc));
}

#[test]
fn a_light_on_dark_code_is_read() {
    let mut code = code_image(b"https://example.com/pay", 5);
    image::imageops::invert(&mut code);
    let found = decode(&code);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].text, "https://example.com/pay");
}

#[test]
fn shift_jis_text_is_recognised() {
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("Google モバイル\nhttp://google.jp");
    let found = decode(&code_image(&bytes, 4));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].charset, Charset::ShiftJis);
    assert_eq!(found[0].text, "Google モバイル\nhttp://google.jp");
    assert_eq!(found[0].raw, bytes.as_ref());
}

#[test]
fn a_frame_without_a_code_yields_nothing() {
    assert!(decode(&GrayImage::from_pixel(320, 240, image::Luma([128]))).is_empty());
    assert!(decode(&noisy_frame(640, 480, &GrayImage::new(0, 0), (0, 0))).is_empty());
}

#[test]
fn image_files_are_decoded_from_their_bytes() {
    let mut png = Vec::new();
    code_image(b"taler://pay/example.com/order/", 4)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode a PNG");
    let found = decode_bytes(&png).expect("a valid PNG");
    assert_eq!(found.len(), 1);
    assert!(matches!(found[0].payment, Ok(PaymentCode::Taler(_))));
    assert!(decode_bytes(b"GIF89a but not really").is_err());
}

#[test]
fn a_code_at_a_slant_with_its_alignment_pattern_covered_is_read() {
    let payload = b"upi://pay?pa=shop@okicici&pn=Shop&am=12.50&cu=INR";
    let mut code = code_image(payload, 8);
    // Version 4: the alignment pattern is centred on module 26 (4 more for the quiet zone).
    for y in 28 * 8..33 * 8 {
        for x in 28 * 8..33 * 8 {
            code.put_pixel(x, y, image::Luma([255]));
        }
    }
    // Seen from above its top-left corner: the far corner is foreshortened most.
    let side = f64::from(code.width());
    let (span, pull) = (360.0, 0.35);
    let frame = GrayImage::from_fn(400, 400, |x, y| {
        let (p, q) = ((f64::from(x) - 20.0) / span, (f64::from(y) - 20.0) / span);
        let w = 1.0 / (1.0 - pull * (p + q));
        let (u, v) = (p * w, q * w);
        let inside = w > 0.0 && (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v);
        if inside {
            *code.get_pixel((u * side) as u32, (v * side) as u32)
        } else {
            image::Luma([255])
        }
    });
    let found = decode(&frame);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].raw, payload);
}
