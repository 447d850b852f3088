//! `saifu qr scan`, run as a user runs it, on PNGs drawn here and a photo from the corpus.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use image::{GrayImage, Luma};
use qrcode::{Color, QrCode};

/// The EMVCo specification's own example (crates/saifu-core/tests/vectors/emv_mpm.json):
/// Chinese text in its language template makes it UTF-8 beyond ASCII.
const BEST_TRANSPORT: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

fn saifu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_saifu"))
        .args(args)
        .output()
        .expect("run saifu")
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A folder of its own for each test, as tests run in parallel.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("qr_scan")
        .join(test);
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    dir
}

/// `payload` as a black-on-white PNG, 4 pixels a module, with a four-module quiet zone.
fn code_png(dir: &Path, name: &str, payload: &str) -> String {
    const MODULE: u32 = 4;
    let code = QrCode::new(payload).expect("the payload fits in a QR code");
    let modules = code.width() as u32;
    let colors = code.to_colors();
    let side = (modules + 8) * MODULE;
    let image = GrayImage::from_fn(side, side, |x, y| {
        let (column, row) = ((x / MODULE).checked_sub(4), (y / MODULE).checked_sub(4));
        let dark = match (column, row) {
            (Some(column), Some(row)) if column < modules && row < modules => {
                colors[(row * modules + column) as usize] == Color::Dark
            }
            _ => false,
        };
        Luma([if dark { 0 } else { 255 }])
    });
    save(dir, name, &image)
}

fn blank_png(dir: &Path, name: &str) -> String {
    save(dir, name, &GrayImage::from_pixel(200, 200, Luma([255])))
}

fn save(dir: &Path, name: &str, image: &GrayImage) -> String {
    let path = dir.join(name);
    image.save(&path).expect("save the PNG");
    path.to_str().expect("a UTF-8 path").to_owned()
}

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

#[test]
fn prints_the_text_of_a_code() {
    let dir = scratch("prints_the_text_of_a_code");
    let png = code_png(&dir, "emv.png", BEST_TRANSPORT);
    let output = saifu(&["qr", "scan", &png]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{BEST_TRANSPORT}\n"));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

#[test]
fn json_carries_the_payload_as_qr_parse_prints_it() {
    let dir = scratch("json_carries_the_payload_as_qr_parse_prints_it");
    let png = code_png(&dir, "emv.png", BEST_TRANSPORT);
    let output = saifu(&["qr", "scan", "--json", &png]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let [code] = &json_lines(&output)[..] else {
        panic!("one line for one code: {}", stdout(&output));
    };
    assert_eq!(code["file"], png.as_str());
    assert_eq!(code["text"], BEST_TRANSPORT);
    assert_eq!(code["charset"], "UTF-8");
    assert!(code.get("error").is_none(), "{code}");
    let corners = code["corners"].as_array().expect("corners");
    assert_eq!(corners.len(), 4);
    let side = image::open(&png).expect("the PNG").width();
    for corner in corners {
        let [x, y] = [&corner[0], &corner[1]].map(|v| v.as_u64().expect("a pixel"));
        assert!(x <= u64::from(side) && y <= u64::from(side), "{corner}");
    }

    let parsed = saifu(&["qr", "parse", BEST_TRANSPORT]);
    let parsed: serde_json::Value = serde_json::from_slice(&parsed.stdout).expect("JSON");
    assert_eq!(code["payload"], parsed);
    assert_eq!(code["payload"]["merchant"]["name"], "BEST TRANSPORT");
    assert_eq!(code["payload"]["amount"], "23.72");
    assert_eq!(code["payload"]["currency"], "CNY");
}

#[test]
fn an_invalid_payment_code_is_still_a_code() {
    let dir = scratch("an_invalid_payment_code_is_still_a_code");
    let bad_crc = format!("{}0000", &BEST_TRANSPORT[..BEST_TRANSPORT.len() - 4]);
    let png = code_png(&dir, "bad-crc.png", &bad_crc);
    let output = saifu(&["qr", "scan", &png, "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let [code] = &json_lines(&output)[..] else {
        panic!("one line for one code: {}", stdout(&output));
    };
    assert_eq!(code["text"], bad_crc.as_str());
    assert_eq!(code["payload"], serde_json::Value::Null);
    let error = code["error"].as_str().expect("an error message");
    assert!(error.contains("checksum"), "{error}");
}

#[test]
fn line_breaks_print_escaped_and_json_keeps_them() {
    let dir = scratch("line_breaks_print_escaped_and_json_keeps_them");
    let text = "Table 12\r\nSeat 3\nthanks";
    let png = code_png(&dir, "lines.png", text);
    let output = saifu(&["qr", "scan", &png]);
    assert_eq!(stdout(&output), "Table 12\\r\\nSeat 3\\nthanks\n");
    let output = saifu(&["qr", "scan", "--json", &png]);
    assert_eq!(json_lines(&output)[0]["text"], text);
}

#[test]
fn an_image_without_a_code_exits_1() {
    let dir = scratch("an_image_without_a_code_exits_1");
    let png = blank_png(&dir, "blank.png");
    let output = saifu(&["qr", "scan", &png]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert_eq!(stderr(&output), format!("{png}: no QR code found\n"));
}

#[test]
fn a_file_that_is_no_image_exits_2() {
    let dir = scratch("a_file_that_is_no_image_exits_2");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not a picture\n").expect("write the text file");
    let text = text.to_str().expect("a UTF-8 path");
    let output = saifu(&["qr", "scan", text]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr(&output);
    assert!(
        stderr.starts_with(&format!("{text}: not an image: ")),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_missing_file_exits_2() {
    let dir = scratch("a_missing_file_exits_2");
    let missing = dir.join("missing.png");
    let missing = missing.to_str().expect("a UTF-8 path");
    let output = saifu(&["qr", "scan", missing]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr(&output);
    assert!(
        stderr.starts_with(&format!("{missing}: cannot read: ")),
        "{stderr}"
    );
}

#[test]
fn every_file_is_scanned_and_the_worst_status_wins() {
    let dir = scratch("every_file_is_scanned_and_the_worst_status_wins");
    let first = code_png(&dir, "first.png", "https://example.com/menu");
    let blank = blank_png(&dir, "blank.png");
    let missing = dir.join("missing.png");
    let missing = missing.to_str().expect("a UTF-8 path");
    let last = code_png(&dir, "last.png", "Table 12");

    let output = saifu(&["qr", "scan", &first, &blank, &last]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "https://example.com/menu\nTable 12\n");
    assert_eq!(stderr(&output), format!("{blank}: no QR code found\n"));

    let output = saifu(&["qr", "scan", &first, missing, &blank, &last]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "https://example.com/menu\nTable 12\n");
    let stderr = stderr(&output);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].starts_with(&format!("{missing}: cannot read: ")));
    assert_eq!(lines[1], format!("{blank}: no QR code found"));
}

#[test]
fn no_image_is_a_usage_error() {
    for args in [
        &["qr", "scan"][..],
        &["qr", "scan", "--json"],
        &["qr", "scan", "--jsn", "a.png"],
    ] {
        let output = saifu(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).starts_with("usage: "), "{args:?}");
    }
}

/// A phone photo of a printed code, slightly blurred: `zxing-qrcode-1/1.png` in
/// shared/qr-corpus, beside the repository.
#[test]
fn reads_a_real_photo() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/qr-corpus");
    let expected =
        std::fs::read_to_string(corpus.join("zxing-qrcode-1/1.txt")).unwrap_or_else(|error| {
            panic!(
                "the QR corpus is missing: cannot read {}/zxing-qrcode-1/1.txt ({error}); \
                 it lives in shared/qr-corpus beside the repository",
                corpus.display()
            )
        });
    let photo = corpus.join("zxing-qrcode-1/1.png");
    let output = saifu(&["qr", "scan", photo.to_str().expect("a UTF-8 path")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // One line, so printed as it is; the corpus's files may end in a line break.
    assert_eq!(
        stdout(&output),
        format!("{}\n", expected.trim_end_matches('\n'))
    );
}
