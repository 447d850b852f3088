//! `saifu`: Saifu from the command line.

use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "\
usage: saifu qr parse <PAYLOAD>    print a payment QR payload as JSON (`-` reads stdin)

exit status: 0 parsed, 2 invalid payload or usage
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["qr", "parse", payload] => qr_parse(payload),
        ["-h" | "--help" | "help"] => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
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
            let mut json = serde_json::to_value(code.summary()).expect("a summary is plain data");
            let tagged = serde_json::to_value(&code).expect("a payment code is plain data");
            json["details"] = tagged["details"].clone();
            println!(
                "{}",
                serde_json::to_string_pretty(&json).expect("JSON values print")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("invalid payment code: {error}");
            ExitCode::from(2)
        }
    }
}
