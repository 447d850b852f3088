//! `saifu`: Saifu from the command line.

use std::io::Read;
use std::process::ExitCode;

use saifu_core::qr::PaymentCode;
use saifu_scan::{Charset, Decoded, ScanError};
use serde_json::{Value, json};

const USAGE: &str = "\
usage: saifu qr parse <PAYLOAD>           print a payment QR payload as JSON (`-` reads stdin)
       saifu qr scan [--json] <IMAGE>...  print the text of every QR code in PNG, JPEG or WebP
                                          images, one code a line (line breaks in a code print
                                          as \\n and \\r); --json prints one JSON object a line:
                                          file, text, charset, corners, and the payload as
                                          `qr parse` prints it (null and an error if invalid)

exit status: qr parse: 0 parsed, 2 invalid payload or usage
             qr scan:  0 a code in every image, 1 an image without a code,
                       2 a file unreadable or not an image, or usage
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["qr", "parse", payload] => qr_parse(payload),
        ["qr", "scan", args @ ..] => qr_scan(args),
        ["-h" | "--help" | "help"] => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_error(),
    }
}

fn usage_error() -> ExitCode {
    eprint!("{USAGE}");
    ExitCode::from(2)
}

fn qr_parse(argument: &str) -> ExitCode {
    let payload = if argument == "-" {
        let mut input = String::new();
        if let Err(error) = std::io::stdin().read_to_string(&mut input) {
            eprintln!("cannot read the payload from stdin: {error}");
            return ExitCode::from(2);
        }
        input
    } else {
        argument.to_owned()
    };
    match saifu_core::qr::parse(&payload) {
        Ok(code) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&payment_json(&code)).expect("JSON values print")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("invalid payment code: {error}");
            ExitCode::from(2)
        }
    }
}

/// The summary every format shares, with the format's own fields under "details".
fn payment_json(code: &PaymentCode) -> Value {
    let mut json = serde_json::to_value(code.summary()).expect("a summary is plain data");
    let tagged = serde_json::to_value(code).expect("a payment code is plain data");
    json["details"] = tagged["details"].clone();
    json
}

/// Every file is scanned even after a failure, so one bad file in a batch hides nothing;
/// the status is the worst any file called for.
fn qr_scan(args: &[&str]) -> ExitCode {
    let json = args.contains(&"--json");
    let files: Vec<&str> = args
        .iter()
        .copied()
        .filter(|&arg| arg != "--json")
        .collect();
    if files.is_empty() || files.iter().any(|file| file.starts_with('-')) {
        return usage_error();
    }
    let status = files
        .iter()
        .fold(0, |status, file| status.max(scan_file(file, json)));
    ExitCode::from(status)
}

/// Prints the codes in one image; returns the exit status it calls for.
fn scan_file(file: &str, json: bool) -> u8 {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{file}: cannot read: {error}");
            return 2;
        }
    };
    let codes = match saifu_scan::decode_bytes(&bytes) {
        Ok(codes) => codes,
        Err(ScanError::Image(error)) => {
            eprintln!("{file}: not an image: {error}");
            return 2;
        }
    };
    if codes.is_empty() {
        eprintln!("{file}: no QR code found");
        return 1;
    }
    for code in &codes {
        if json {
            println!("{}", code_json(file, code));
        } else {
            println!("{}", code.text.replace('\r', "\\r").replace('\n', "\\n"));
        }
    }
    0
}

fn code_json(file: &str, code: &Decoded) -> Value {
    let mut json = json!({
        "file": file,
        "text": code.text,
        "charset": charset_name(code.charset),
        "corners": code.corners.map(|(x, y)| [x, y]),
        "payload": null,
    });
    match &code.payment {
        Ok(payment) => json["payload"] = payment_json(payment),
        Err(error) => json["error"] = error.to_string().into(),
    }
    json
}

/// The names IANA registers, which other tools accept as they are.
fn charset_name(charset: Charset) -> String {
    match charset {
        Charset::Utf8 => "UTF-8".to_owned(),
        Charset::ShiftJis => "Shift_JIS".to_owned(),
        Charset::Latin1 => "ISO-8859-1".to_owned(),
        other => format!("{other:?}"),
    }
}
