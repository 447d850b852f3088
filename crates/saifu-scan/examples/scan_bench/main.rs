//! The Rust half of `cargo xtask bench scan`: reads the QR corpus and a set of synthetic
//! 1280x720 camera frames with saifu-scan and with rqrr alone, timing each, and writes
//! every image as greyscale PGM so that the comparison decoders (zxing-cpp, ZBar, run by
//! the xtask's Python script) read exactly the same pixels.
//!
//! `scan_bench --corpus DIR --out DIR [--frames N] [--repeats N] [--generated N --seed S
//! --size WxH]`
//! writes into DIR: `cases.tsv` (kind, id, set, PGM path, expected-text path),
//! `frames/*.png|pgm|txt`, `corpus/*.pgm`, `generated/*.png|pgm|txt` (N photos per
//! condition of `conditions`, seeds S to S+N-1, 800x600 unless `--size` says), and one `results-<decoder>.tsv` per decoder
//! (kind, id, correct, ms, wrong: a text was read, and it was not the code's).

mod conditions;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};

struct Case {
    kind: &'static str,
    id: String,
    set: String,
    image: GrayImage,
    expected: String,
    expected_path: PathBuf,
}

fn main() {
    let mut corpus = None;
    let mut out = None;
    let mut frames = 12usize;
    let mut repeats = 5usize;
    let mut generated = 0usize;
    let mut seed = 0u64;
    let mut size = (800u32, 600u32);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| fail(&format!("{arg} takes a value")))
        };
        match arg.as_str() {
            "--corpus" => corpus = Some(PathBuf::from(value())),
            "--out" => out = Some(PathBuf::from(value())),
            "--frames" => frames = value().parse().unwrap_or_else(|_| fail("--frames N")),
            "--repeats" => repeats = value().parse().unwrap_or_else(|_| fail("--repeats N")),
            "--generated" => generated = value().parse().unwrap_or_else(|_| fail("--generated N")),
            "--seed" => seed = value().parse().unwrap_or_else(|_| fail("--seed S")),
            "--size" => {
                size = value()
                    .split_once('x')
                    .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
                    .filter(|&(w, h)| (320..=4096).contains(&w) && (240..=4096).contains(&h))
                    .unwrap_or_else(|| fail("--size WxH, from 320x240 to 4096x4096"));
            }
            other => fail(&format!("unexpected argument {other}")),
        }
    }
    let corpus = corpus.unwrap_or_else(|| fail("--corpus DIR is required"));
    let out = out.unwrap_or_else(|| fail("--out DIR is required"));
    for dir in ["corpus", "frames", "generated"] {
        std::fs::create_dir_all(out.join(dir))
            .unwrap_or_else(|e| fail(&format!("{}: {e}", out.display())));
    }

    let mut cases = corpus_cases(&corpus);
    cases.extend(frame_cases(&out, frames));
    cases.extend(generated_cases(&out, generated, seed, size));
    let mut listing = String::from("kind\tid\tset\tpgm\texpected\n");
    for (index, case) in cases.iter().enumerate() {
        let pgm = out.join(case.kind).join(format!("{index:03}.pgm"));
        write_pgm(&pgm, &case.image);
        let _ = writeln!(
            listing,
            "{}\t{}\t{}\t{}\t{}",
            case.kind,
            case.id,
            case.set,
            pgm.display(),
            case.expected_path.display()
        );
    }
    write(&out.join("cases.tsv"), &listing);

    // rqrr panics on some photos: keep its messages off the terminal, count them as misses.
    std::panic::set_hook(Box::new(|_| {}));
    for (name, decoder) in [
        (
            "saifu-scan",
            saifu_scan_texts as fn(&GrayImage) -> Vec<String>,
        ),
        ("rqrr", rqrr_texts),
    ] {
        let mut results = String::from("kind\tid\tcorrect\tms\twrong\n");
        for case in &cases {
            // Corpus photos once each; frames several times, for a median.
            let runs = if case.kind == "frames" {
                repeats.max(1)
            } else {
                1
            };
            let mut times = Vec::with_capacity(runs);
            let mut correct = false;
            let mut wrong = false;
            for _ in 0..runs {
                let started = Instant::now();
                let texts = std::panic::catch_unwind(|| decoder(&case.image)).unwrap_or_default();
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                correct = if case.expected.is_empty() {
                    texts.is_empty()
                } else {
                    texts
                        .iter()
                        .any(|text| normalise(text) == normalise(&case.expected))
                };
                wrong = !texts.is_empty() && !correct;
            }
            times.sort_by(f64::total_cmp);
            let _ = writeln!(
                results,
                "{}\t{}\t{}\t{:.3}\t{}",
                case.kind,
                case.id,
                u8::from(correct),
                times[times.len() / 2],
                u8::from(wrong)
            );
        }
        write(&out.join(format!("results-{name}.tsv")), &results);
        eprintln!("scan_bench: {name} done");
    }
    let _ = std::panic::take_hook();
}

fn fail(message: &str) -> ! {
    eprintln!("scan_bench: {message}");
    std::process::exit(2)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
}

fn write_pgm(path: &Path, image: &GrayImage) {
    let mut file =
        std::fs::File::create(path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
    let header = format!("P5\n{} {}\n255\n", image.width(), image.height());
    file.write_all(header.as_bytes())
        .and_then(|()| file.write_all(image.as_raw()))
        .unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
}

/// How the corpus's reference scores were taken: line ends as LF, trailing ones dropped.
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim_end_matches('\n')
        .to_owned()
}

fn corpus_cases(corpus: &Path) -> Vec<Case> {
    let manifest = std::fs::read_to_string(corpus.join("manifest.tsv"))
        .unwrap_or_else(|e| fail(&format!("{}/manifest.tsv: {e}", corpus.display())));
    manifest
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let [image, expected, set] = line.split('\t').collect::<Vec<_>>()[..] else {
                fail(&format!("manifest line {line:?}"))
            };
            let bytes = std::fs::read(corpus.join(image))
                .unwrap_or_else(|e| fail(&format!("{image}: {e}")));
            let grey = image::load_from_memory(&bytes)
                .unwrap_or_else(|e| fail(&format!("{image}: {e}")))
                .into_luma8();
            let expected_path = corpus.join(expected);
            Case {
                kind: "corpus",
                id: image.to_owned(),
                set: set.to_owned(),
                image: grey,
                expected: std::fs::read_to_string(&expected_path)
                    .unwrap_or_else(|e| fail(&format!("{expected}: {e}"))),
                expected_path,
            }
        })
        .collect()
}

fn saifu_scan_texts(frame: &GrayImage) -> Vec<String> {
    saifu_scan::decode(frame)
        .into_iter()
        .map(|code| code.text)
        .collect()
}

/// rqrr as its documentation uses it: its own binarisation, detection and decoding.
fn rqrr_texts(frame: &GrayImage) -> Vec<String> {
    let (width, pixels) = (frame.width() as usize, frame.as_raw());
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width, frame.height() as usize, |x, y| {
            pixels[y * width + x]
        });
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| {
            let mut raw = Vec::new();
            grid.decode_to(&mut raw).ok()?;
            Some(match String::from_utf8(raw) {
                Ok(text) => text,
                Err(error) => {
                    let raw = error.into_bytes();
                    encoding_rs::SHIFT_JIS
                        .decode_without_bom_handling_and_without_replacement(&raw)
                        .map(|text| text.into_owned())
                        .unwrap_or_else(|| raw.iter().map(|&b| char::from(b)).collect())
                }
            })
        })
        .collect()
}

/// `count` photos for each condition, seeds `seed` to `seed + count - 1`; saved as PNG (to
/// look at) and PGM, with the payload as text.
fn generated_cases(out: &Path, count: usize, seed: u64, size: (u32, u32)) -> Vec<Case> {
    let mut cases = Vec::new();
    for (condition, name) in conditions::CONDITIONS.iter().enumerate() {
        for seed in seed..seed + count as u64 {
            let photo = conditions::generate(condition, seed, size);
            let id = format!("{}-{seed}", name.replace(' ', "-"));
            let stem = out.join("generated").join(&id);
            photo
                .image
                .save(stem.with_extension("png"))
                .unwrap_or_else(|e| fail(&format!("{}: {e}", stem.display())));
            let expected_path = stem.with_extension("txt");
            write(&expected_path, &photo.payload);
            cases.push(Case {
                kind: "generated",
                id,
                set: format!("generated: {name}"),
                image: photo.image,
                expected: photo.payload,
                expected_path,
            });
        }
    }
    cases
}

/// A ~150-character EMV merchant-presented payload (PayNow-like), different per frame.
fn emv_payload(index: usize) -> String {
    let body = format!(
        "00020101021226500009SG.PAYNOW010100211+6512345{index:03}0301004082030123152040000530370254\
         07{:04}.{:02}5802SG5902ME6009Singapore62290106BILL{index:02}50150004TEST0103ABC6304",
        12 + index * 37 % 9000,
        index * 13 % 100
    );
    format!("{body}{:04X}", crc16(body.as_bytes()))
}

/// CRC-16/CCITT-FALSE, as EMV QR payloads end with.
fn crc16(bytes: &[u8]) -> u16 {
    let mut crc = 0xFFFFu16;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// Camera-like 1280x720 frames: a payment code about 30 % of the frame's height, turned a
/// few degrees, on a textured background, blurred and with sensor noise. Saved as PNG (to
/// look at) and PGM, with the payload as text.
/// A third as many frames again without a code: what the camera sees while the user aims.
fn frame_cases(out: &Path, count: usize) -> Vec<Case> {
    let mut random = XorShift(0x5EED_F00D_1234_5678);
    let empty = count.div_ceil(3);
    (0..count + empty)
        .map(|index| {
            let has_code = index < count;
            let payload = if has_code {
                emv_payload(index)
            } else {
                String::new()
            };
            let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
                .unwrap_or_else(|e| fail(&format!("encode: {e}")));
            let frame = camera_frame(has_code.then_some(&code), &mut random);
            let stem = out.join("frames").join(format!("frame-{index:02}"));
            frame
                .save(stem.with_extension("png"))
                .unwrap_or_else(|e| fail(&format!("{}: {e}", stem.display())));
            let expected_path = stem.with_extension("txt");
            write(&expected_path, &payload);
            Case {
                kind: "frames",
                id: format!("frame-{index:02}"),
                set: if has_code {
                    "720p with a code"
                } else {
                    "720p without a code"
                }
                .to_owned(),
                image: frame,
                expected: payload,
                expected_path,
            }
        })
        .collect()
}

fn camera_frame(code: Option<&QrCode>, random: &mut XorShift) -> GrayImage {
    let (width, height) = (1280u32, 720u32);
    let empty = QrCode::new(b"").unwrap_or_else(|e| fail(&format!("encode: {e}")));
    let (code, on_frame) = match code {
        Some(code) => (code, true),
        None => (&empty, false),
    };
    let modules = code.width() as f64;
    let colors = code.to_colors();
    // The symbol (without quiet zone) spans 30 % of the height, give or take 3 %.
    let side = f64::from(height) * (0.27 + 0.06 * random.unit());
    let module = side / modules;
    let angle = (random.unit() * 2.0 - 1.0) * 12f64.to_radians();
    let center = (
        f64::from(width) * (0.3 + 0.4 * random.unit()),
        f64::from(height) * (0.4 + 0.2 * random.unit()),
    );
    let (sin, cos) = angle.sin_cos();
    // Paper a little brighter on one side: uneven light.
    let (paper, ink) = (200.0 + 30.0 * random.unit(), 40.0 + 20.0 * random.unit());
    let texture_seed = random.next();
    let sharp = GrayImage::from_fn(width, height, |x, y| {
        let (dx, dy) = (f64::from(x) + 0.5 - center.0, f64::from(y) + 0.5 - center.1);
        // Into the code's frame: turned back by the angle, in modules from its top-left.
        let u = (cos * dx + sin * dy) / module + modules / 2.0;
        let v = (-sin * dx + cos * dy) / module + modules / 2.0;
        let shade = 1.0 - 0.15 * (f64::from(x) / f64::from(width));
        let value =
            if on_frame && (-4.0..modules + 4.0).contains(&u) && (-4.0..modules + 4.0).contains(&v)
            {
                let (column, row) = (u.floor(), v.floor());
                let dark = column >= 0.0
                    && row >= 0.0
                    && column < modules
                    && row < modules
                    && colors[row as usize * code.width() + column as usize] == Color::Dark;
                if dark { ink } else { paper * shade }
            } else {
                // A desk or a counter: smooth blotches of grey.
                let blotch = ((f64::from(x) / 97.0 + (texture_seed % 7) as f64).sin()
                    * (f64::from(y) / 61.0).cos()
                    + (f64::from(x + y) / 143.0).sin())
                    * 35.0;
                110.0 + blotch
            };
        Luma([value.clamp(0.0, 255.0) as u8])
    });
    let blurred = box_blur(&box_blur(&sharp));
    let mut noisy = blurred;
    for pixel in noisy.iter_mut() {
        let noise = (random.next() % 25) as i32 - 12;
        *pixel = (i32::from(*pixel) + noise).clamp(0, 255) as u8;
    }
    noisy
}

/// A 3x3 box blur (twice is close to a small Gaussian): out-of-focus edges.
fn box_blur(image: &GrayImage) -> GrayImage {
    let (width, height) = image.dimensions();
    GrayImage::from_fn(width, height, |x, y| {
        let mut sum = 0u32;
        for dy in [-1i32, 0, 1] {
            for dx in [-1i32, 0, 1] {
                let sx = (x as i32 + dx).clamp(0, width as i32 - 1) as u32;
                let sy = (y as i32 + dy).clamp(0, height as i32 - 1) as u32;
                sum += u32::from(image.get_pixel(sx, sy)[0]);
            }
        }
        Luma([(sum / 9) as u8])
    })
}
