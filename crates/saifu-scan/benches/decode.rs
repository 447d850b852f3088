//! Decoding time per frame: a few corpus photos, a synthetic camera frame with a payment
//! code, and the same frame without one (the common case while the user aims, which runs
//! the whole cascade).

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use image::GrayImage;

/// Photos of different sizes and difficulty: first pass, later passes, and a miss.
const CORPUS_IMAGES: [&str; 4] = [
    "zxing-qrcode-1/1.png",
    "zxing-qrcode-3/19.png",
    "zxing-qrcode-6/10.png",
    "zxing-qrcode-4/05.png",
];

fn decode_benchmarks(c: &mut Criterion) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/qr-corpus");
    for name in CORPUS_IMAGES {
        let path = corpus.join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|error| {
            panic!(
                "the QR corpus is missing: cannot read {} ({error})",
                path.display()
            )
        });
        let frame = image::load_from_memory(&bytes)
            .expect("a corpus image")
            .into_luma8();
        c.bench_function(&format!("corpus {name}"), |b| {
            b.iter(|| saifu_scan::decode(black_box(&frame)))
        });
    }

    // A 158-character EMV code about 30 % of the frame's height, on a noisy background.
    let code = common::code_image(common::PAYNOW.as_bytes(), 4);
    let with_code = common::noisy_frame(1280, 720, &code, (520, 240));
    assert_eq!(
        saifu_scan::decode(&with_code).len(),
        1,
        "the synthetic frame decodes"
    );
    c.bench_function("1280x720 frame with a payment code", |b| {
        b.iter(|| saifu_scan::decode(black_box(&with_code)))
    });
    let without_code = common::noisy_frame(1280, 720, &GrayImage::new(0, 0), (0, 0));
    c.bench_function("1280x720 frame without a code", |b| {
        b.iter(|| saifu_scan::decode(black_box(&without_code)))
    });
}

criterion_group!(benches, decode_benchmarks);
criterion_main!(benches);
