//! `saifu qr parse`, run as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn saifu(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_saifu"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run saifu");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("saifu finishes")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// A dynamic UnionPay code of a Shanghai tea house, CN¥12.50.
const TEA: &str = "00020101021215196200000000000000123520458145303156540512.505802CN5915Chayan Teahouse6008Shanghai62150511ORDER-123456304";

fn with_crc(body: &str) -> String {
    format!(
        "{body}{:04X}",
        saifu_core::qr::emv::crc16_ccitt_false(body.as_bytes())
    )
}

#[test]
fn prints_an_emv_code_as_json() {
    let value = json(&saifu(&["qr", "parse", &with_crc(TEA)], None));
    assert_eq!(value["format"], "emv-mpm");
    assert_eq!(value["merchant"]["name"], "Chayan Teahouse");
    assert_eq!(value["merchant"]["city"], "Shanghai");
    assert_eq!(value["merchant"]["country"], "CN");
    assert_eq!(value["merchant"]["mcc"], "5814");
    assert_eq!(value["amount"], "12.50");
    assert_eq!(value["currency"], "CNY");
    assert_eq!(value["initiation"], "dynamic");
    assert_eq!(value["networks"], serde_json::json!(["unionpay"]));
}

#[test]
fn reads_the_payload_from_stdin() {
    let value = json(&saifu(
        &["qr", "parse", "-"],
        Some("upi://pay?pa=chai.wala@okaxis&pn=Chai%20Wala&am=20.00&cu=INR\n"),
    ));
    assert_eq!(value["format"], "upi");
    assert_eq!(value["merchant"]["name"], "Chai Wala");
    assert_eq!(value["amount"], "20.00");
    assert_eq!(value["currency"], "INR");
    assert_eq!(value["networks"], serde_json::json!(["upi"]));
}

#[test]
fn names_links_and_text() {
    for (payload, format) in [
        ("https://qr.alipay.com/fkx12345abcde", "alipay-link"),
        ("wxp://f2f0abcdefghijklmnop", "wechat-link"),
        ("https://example.com/menu", "url"),
        ("Table 12", "text"),
    ] {
        let value = json(&saifu(&["qr", "parse", payload], None));
        assert_eq!(value["format"], format, "{payload}");
        assert_eq!(value["amount"], serde_json::Value::Null);
    }
}

#[test]
fn refuses_a_bad_checksum_with_status_2_and_one_line() {
    let good = with_crc(TEA);
    let bad = format!("{}0000", &good[..good.len() - 4]);
    let output = saifu(&["qr", "parse", &bad], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("checksum"), "{stderr}");
    assert!(output.stdout.is_empty());
}
