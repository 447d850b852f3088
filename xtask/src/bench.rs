//! `cargo xtask bench server`: the wallet service's signed payments per second and their
//! latency, next to the database's own rate of durable commits, on SQLite and on a throwaway
//! PostgreSQL cluster with the server's default durability (the test cluster turns fsync
//! off; this one must not). The benchmark is crates/saifu-server/benches/payments.rs, built
//! in release mode by `cargo bench`.
//!
//! `cargo xtask bench scan`: the QR scanner against the real-photo corpus (shared/qr-corpus),
//! synthetic 1280x720 camera frames and generated counter photos (one row per distortion,
//! from a seed range), for saifu-scan, rqrr alone, and zxing-cpp and ZBar for comparison
//! (their PyPI packages, and Debian's libzbar0, installed if missing; they are never
//! dependencies of the app). The Rust side is crates/saifu-scan/examples/scan_bench/, which
//! writes every image as PGM so that all decoders read the same pixels.

use std::path::PathBuf;

use crate::postgres::{Cluster, Durability};
use crate::setup;
use crate::step::{Failure, Step};

pub fn command(args: &[String]) -> Result<(), Failure> {
    match args.first().map(String::as_str) {
        Some("server") => server(&args[1..]),
        Some("scan") => scan(&args[1..]),
        Some("app") if args.len() == 1 => app(),
        _ => Err(Failure::new(
            "usage: cargo xtask bench server [--seconds N]\n       cargo xtask bench scan [--frames N] [--generated N] [--seed S] [--size WxH]\n       cargo xtask bench app",
        )),
    }
}

fn server(args: &[String]) -> Result<(), Failure> {
    let mut seconds = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args
                    .next()
                    .filter(|n| n.parse::<u32>().is_ok_and(|n| (1..=45).contains(&n)))
                    .ok_or_else(|| Failure::new("--seconds takes a whole number from 1 to 45"))?;
                seconds = Some(value.clone());
            }
            other => return Err(Failure::new(format!("bench server: unexpected {other}"))),
        }
    }
    setup::ensure_system_packages(&["postgresql"])?;

    let reports = crate::root().join("target/bench");
    let scratch = std::env::temp_dir().join(format!("saifu-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)
        .map_err(|error| Failure::new(format!("create {}: {error}", scratch.display())))?;
    let sqlite_url = format!("sqlite://{}", scratch.join("wallet.db").display());
    let sqlite = bench_on("SQLite", &sqlite_url, &reports, seconds.as_deref());
    let _ = std::fs::remove_dir_all(&scratch);
    let sqlite = sqlite?;

    let cluster = Cluster::start_with(Durability::Durable)?;
    let postgres = bench_on("PostgreSQL", &cluster.url, &reports, seconds.as_deref());
    drop(cluster);
    let postgres = postgres?;

    for (database, report) in [("SQLite", sqlite), ("PostgreSQL", postgres)] {
        let table = std::fs::read_to_string(&report)
            .map_err(|error| Failure::new(format!("read {}: {error}", report.display())))?;
        println!("\n==> {database}\n\n{table}");
    }
    Ok(())
}

/// Runs the benchmark against `url`; its table lands in the returned file.
fn bench_on(
    database: &str,
    url: &str,
    reports: &std::path::Path,
    seconds: Option<&str>,
) -> Result<PathBuf, Failure> {
    let report = reports.join(format!("server-{}.md", database.to_lowercase()));
    let _ = std::fs::remove_file(&report);
    let mut step = Step::cargo(
        format!("benchmark signed payments on {database} (release build)"),
        ["bench", "-p", "saifu-server", "--bench", "payments"],
    )
    .env("SAIFU_BENCH_DATABASE_URL", url)
    .env("SAIFU_BENCH_REPORT", &report);
    if let Some(seconds) = seconds {
        step = step.env("SAIFU_BENCH_SECONDS", seconds);
    }
    step.run()?;
    Ok(report)
}

/// The decoders compared with saifu-scan, as the Python script names them, and what to
/// install for each.
const COMPARED: [(&str, &str, &str); 2] = [
    ("zxing-cpp", "zxingcpp", "zxing-cpp"),
    ("zbar", "pyzbar.pyzbar", "pyzbar"),
];

/// Runs of each 720p frame per decoder; the median is reported.
const FRAME_REPEATS: &str = "5";

/// The generated photos' default seeds: a range kept for reporting. Tuning uses seeds below
/// it (`--seed 0`), so the reported table is on photos no change was fitted to.
const REPORT_SEED: &str = "1000000";

fn scan(args: &[String]) -> Result<(), Failure> {
    let mut frames = "12".to_owned();
    let mut generated = "25".to_owned();
    let mut seed = REPORT_SEED.to_owned();
    // A photo's size; 1280x720 is a desktop camera's frame.
    let mut size = "800x600".to_owned();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |range: std::ops::RangeInclusive<u64>| {
            args.next()
                .filter(|n| n.parse::<u64>().is_ok_and(|n| range.contains(&n)))
                .cloned()
                .ok_or_else(|| {
                    Failure::new(format!(
                        "{arg} takes a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ))
                })
        };
        match arg.as_str() {
            "--frames" => frames = number(1..=200)?,
            "--generated" => generated = number(0..=1000)?,
            "--seed" => seed = number(0..=u64::MAX / 2)?,
            // scan_bench checks the range.
            "--size" => {
                size = args
                    .next()
                    .cloned()
                    .ok_or_else(|| Failure::new("--size takes WxH, such as 1280x720"))?;
            }
            other => return Err(Failure::new(format!("bench scan: unexpected {other}"))),
        }
    }
    let corpus = crate::root().join("../shared/qr-corpus");
    if !corpus.join("manifest.tsv").is_file() {
        return Err(Failure::new(format!(
            "the QR corpus is missing: {} (shared/qr-corpus beside the repository)",
            corpus.display()
        )));
    }
    let reports = crate::root().join("target/bench");
    let out = reports.join("scan");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)
        .map_err(|error| Failure::new(format!("create {}: {error}", out.display())))?;
    Step::cargo(
        "read the corpus, 720p frames and generated photos with saifu-scan and rqrr (release build)",
        [
            "run",
            "--release",
            "-p",
            "saifu-scan",
            "--example",
            "scan_bench",
            "--",
        ],
    )
    .arg("--corpus")
    .arg(&corpus)
    .arg("--out")
    .arg(&out)
    .args(["--frames", &frames, "--repeats", FRAME_REPEATS])
    .args(["--generated", &generated, "--seed", &seed, "--size", &size])
    .run()?;

    let available = ensure_compared_decoders();
    if !available.is_empty() {
        let script = reports.join("scan_compare.py");
        std::fs::write(&script, COMPARE_SCRIPT)
            .map_err(|error| Failure::new(format!("write {}: {error}", script.display())))?;
        Step::new(
            format!("read the same images with {}", available.join(" and ")),
            "python3",
        )
        .arg(&script)
        .arg(&out)
        .arg(FRAME_REPEATS)
        .args(&available)
        .run()?;
    }

    let table = scan_table(&out, &size)?;
    let report = reports.join("scan.md");
    std::fs::write(&report, &table)
        .map_err(|error| Failure::new(format!("write {}: {error}", report.display())))?;
    println!("\n{table}\n(written to {})", report.display());
    Ok(())
}

/// Installs what the comparison needs when it is missing; returns the decoders that can run.
/// A failed install is not fatal: the table then has no column for that decoder, and the
/// command to install it by hand is printed.
fn ensure_compared_decoders() -> Vec<String> {
    if let Err(failure) = setup::ensure_system_packages(&["libzbar0"]) {
        println!("xtask: ZBar's library is missing and could not be installed: {failure}");
    }
    let mut available = Vec::new();
    for (name, module, package) in COMPARED {
        let importable = || {
            std::process::Command::new("python3")
                .args(["-c", &format!("import {module}")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        };
        if !importable() {
            let installed = Step::new(
                format!("install {package} from PyPI (for comparison only)"),
                "python3",
            )
            .args(["-m", "pip", "install", "--user", "--quiet", package])
            .run();
            if installed.is_err() || !importable() {
                println!(
                    "xtask: {name} is not available; to include it, run:\n    \
                     python3 -m pip install --user {package}"
                );
                continue;
            }
        }
        available.push(name.to_owned());
    }
    available
}

/// How one decoder did on one image.
#[derive(Clone, Copy)]
struct Outcome {
    correct: bool,
    ms: f64,
    /// A text was read, and it was not the code's.
    wrong: bool,
}

/// One decoder's results: (kind, id) -> outcome.
type Results = std::collections::BTreeMap<(String, String), Outcome>;

fn read_results(path: &std::path::Path) -> Option<Results> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .skip(1)
            .filter_map(|line| {
                let [kind, id, correct, ms, wrong] = line.split('\t').collect::<Vec<_>>()[..]
                else {
                    return None;
                };
                let outcome = Outcome {
                    correct: correct == "1",
                    ms: ms.parse().ok()?,
                    wrong: wrong == "1",
                };
                Some(((kind.to_owned(), id.to_owned()), outcome))
            })
            .collect(),
    )
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

/// The Markdown report: per corpus set and per generated condition, count correct (and any
/// wrong texts) and median milliseconds per image for each decoder; then the 720p frames,
/// with each decoder's median time as a ratio to zxing-cpp's (below 1 is faster).
fn scan_table(out: &std::path::Path, size: &str) -> Result<String, Failure> {
    let cases = std::fs::read_to_string(out.join("cases.tsv")).map_err(|error| {
        Failure::new(format!("read {}: {error}", out.join("cases.tsv").display()))
    })?;
    // set -> (kind, id), in listing order.
    let mut sets: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in cases.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, id, set, ..] = fields[..] else {
            continue;
        };
        let key = (kind.to_owned(), id.to_owned());
        match sets.iter_mut().find(|(name, _)| name == set) {
            Some((_, keys)) => keys.push(key),
            None => sets.push((set.to_owned(), vec![key])),
        }
    }
    let of_kind = |wanted: &str| -> Vec<&(String, Vec<(String, String)>)> {
        sets.iter()
            .filter(|(_, keys)| keys.first().is_some_and(|(kind, _)| kind == wanted))
            .collect()
    };
    let decoders: Vec<(&str, Results)> = ["saifu-scan", "rqrr", "zxing-cpp", "zbar"]
        .into_iter()
        .filter_map(|name| {
            Some((
                name,
                read_results(&out.join(format!("results-{name}.tsv")))?,
            ))
        })
        .collect();
    let mut table = String::from("# cargo xtask bench scan\n\n");
    table.push_str(
        "Correct / total per set (and wrong texts read, if any), and median ms per image \
         (release build, same greyscale pixels for every decoder).\n\n",
    );
    table.push_str(&count_table("corpus total", &of_kind("corpus"), &decoders));
    let generated = of_kind("generated");
    if !generated.is_empty() {
        table.push_str(&format!(
            "\nGenerated counter photos, {size}, one row per condition (`--generated`, `--seed`, `--size`).\n\n"
        ));
        table.push_str(&count_table("generated total", &generated, &decoders));
    }
    table.push_str("\n720p frames: median ms per frame, and as a ratio to zxing-cpp (below 1 is faster).\n\n| frames | decoder | median ms | × zxing-cpp |\n|---|---|---:|---:|\n");
    for (set, keys) in of_kind("frames") {
        let medians: Vec<(&str, f64)> = decoders
            .iter()
            .map(|(name, results)| {
                let times = keys
                    .iter()
                    .filter_map(|key| results.get(key).map(|outcome| outcome.ms))
                    .collect();
                (*name, median(times))
            })
            .collect();
        let reference = medians
            .iter()
            .find(|(name, _)| *name == "zxing-cpp")
            .map(|(_, ms)| *ms);
        for (name, ms) in &medians {
            let ratio = reference.map_or("–".to_owned(), |reference| {
                format!("{:.2}", ms / reference)
            });
            table.push_str(&format!("| {set} | {name} | {ms:.2} | {ratio} |\n"));
        }
    }
    Ok(table)
}

/// One row per set: each decoder's correct / total (wrong texts marked ✗) and median ms,
/// then a bold total row.
fn count_table(
    total_label: &str,
    sets: &[&(String, Vec<(String, String)>)],
    decoders: &[(&str, Results)],
) -> String {
    let mut table = String::from("| set |");
    for (name, _) in decoders {
        table.push_str(&format!(" {name} | ms |"));
    }
    table.push_str("\n|---|");
    table.push_str(&"---:|---:|".repeat(decoders.len()));
    table.push('\n');
    let mut totals = vec![(0usize, 0usize, 0usize); decoders.len()];
    let count = |correct: usize, total: usize, wrong: usize| match wrong {
        0 => format!("{correct}/{total}"),
        wrong => format!("{correct}/{total} ({wrong} ✗)"),
    };
    for (set, keys) in sets {
        table.push_str(&format!("| {set} |"));
        for (index, (_, results)) in decoders.iter().enumerate() {
            let rows: Vec<Outcome> = keys
                .iter()
                .filter_map(|key| results.get(key).copied())
                .collect();
            let correct = rows.iter().filter(|outcome| outcome.correct).count();
            let wrong = rows.iter().filter(|outcome| outcome.wrong).count();
            totals[index].0 += correct;
            totals[index].1 += keys.len();
            totals[index].2 += wrong;
            let ms = median(rows.iter().map(|outcome| outcome.ms).collect());
            table.push_str(&format!(
                " {} | {ms:.2} |",
                count(correct, keys.len(), wrong)
            ));
        }
        table.push('\n');
    }
    table.push_str(&format!("| **{total_label}** |"));
    for (correct, total, wrong) in totals {
        table.push_str(&format!(" **{}** | |", count(correct, total, wrong)));
    }
    table.push('\n');
    table
}

/// Reads every case with the decoders named after the output folder and the repeat count,
/// writing results-<decoder>.tsv as the Rust side does. Greyscale PGM in, no imaging
/// library needed.
const COMPARE_SCRIPT: &str = r#"import os, statistics, sys, time

out, repeats, wanted = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, size, depth, pixels = data.split(b"\n", 3)
    assert magic == b"P5" and depth == b"255", path
    width, height = map(int, size.split())
    return width, height, pixels

def normalise(text):
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")

decoders = {}
if "zxing-cpp" in wanted:
    import zxingcpp
    def read_zxing(width, height, pixels):
        view = memoryview(pixels).cast("B", (height, width))
        return [r.text for r in zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode)]
    decoders["zxing-cpp"] = read_zxing
if "zbar" in wanted:
    from pyzbar import pyzbar
    def read_zbar(width, height, pixels):
        found = pyzbar.decode((pixels, width, height), symbols=[pyzbar.ZBarSymbol.QRCODE])
        return [r.data.decode("utf-8", "replace") for r in found]
    decoders["zbar"] = read_zbar

with open(os.path.join(out, "cases.tsv"), encoding="utf-8") as f:
    cases = [line.split("\t") for line in f.read().splitlines()[1:] if line]

for name, read in decoders.items():
    lines = ["kind\tid\tcorrect\tms\twrong"]
    for kind, case_id, _set, pgm, expected_path in cases:
        width, height, pixels = read_pgm(pgm)
        with open(expected_path, encoding="utf-8") as f:
            expected = normalise(f.read())
        times, texts = [], []
        for _ in range(repeats if kind == "frames" else 1):
            started = time.perf_counter()
            texts = read(width, height, pixels)
            times.append((time.perf_counter() - started) * 1000)
        if expected == "":
            correct = not texts
        else:
            correct = any(normalise(text) == expected for text in texts)
        wrong = bool(texts) and not correct
        lines.append(f"{kind}\t{case_id}\t{int(correct)}\t{statistics.median(times):.3f}\t{int(wrong)}")
    with open(os.path.join(out, f"results-{name}.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"scan_compare: {name} done", file=sys.stderr)
"#;

/// The release app, measured by tests/src/bin/app-bench.rs over WebDriver: cold start to the
/// first screen (median of five fresh launches), idle memory of its processes, and the
/// gzipped wasm of the release UI.
fn app() -> Result<(), Failure> {
    setup::ensure(setup::Purpose::Test)?;
    Step::new("build the UI for release (trunk)", "trunk")
        .args(["build", "--release"])
        .current_dir(crate::root().join("ui"))
        .run()?;
    Step::cargo(
        "build the app for release",
        ["build", "--release", "-p", "saifu-app"],
    )
    .run()?;
    Step::cargo(
        "build a bare Tauri window for release, the stack's own floor",
        [
            "build",
            "--release",
            "-p",
            "saifu-app",
            "--example",
            "bare-window",
            "--features",
            "bare-window",
        ],
    )
    .run()?;
    Step::cargo(
        "build the measuring harness",
        ["build", "-p", "saifu-tests", "--bin", "app-bench"],
    )
    .run()?;
    let target = crate::root().join("target");
    let measured = crate::with_display_and_keyring(
        "launch the app and a bare window five times each, then let each idle",
    )?
    .arg(target.join("debug/app-bench"))
    .env("SAIFU_APP_BINARY", target.join("release/saifu-app"))
    .env(
        "SAIFU_BARE_WINDOW_BINARY",
        target.join("release/examples/bare-window"),
    )
    .run();
    // Leave the UI as the other tasks build it.
    crate::build_ui()?;
    measured
}
