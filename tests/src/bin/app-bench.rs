//! `cargo xtask bench app` runs this: the release app's cold start to its first rendered
//! screen, the idle memory of its processes, and the gzipped size of the UI's wasm; and,
//! in the same run, the first two for a bare Tauri window with one static page, the floor
//! the stack itself sets.
//!
//! Cold start is timed from asking WebDriver for a session (which launches the binary) to
//! the first screen's heading being displayed, so it includes WebKitWebDriver's own start-up;
//! every run of the app starts with a fresh data directory, as a first launch does.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use saifu_tests::service::temp_dir;
use saifu_tests::{TauriDriver, wait_for_text, workspace_root};

const RUNS: usize = 5;
/// How long a window sits untouched before its memory is read.
const IDLE: Duration = Duration::from_secs(5);

/// One binary's figures: cold starts, fastest first, and its idle memory.
struct Measured {
    starts: Vec<Duration>,
    /// KiB, summed over the binary and every process below it.
    pss: u64,
    rss: u64,
    processes: usize,
}

impl Measured {
    fn start(&self) -> String {
        format!(
            "{} ms ({}–{} ms)",
            self.starts[RUNS / 2].as_millis(),
            self.starts[0].as_millis(),
            self.starts[RUNS - 1].as_millis()
        )
    }

    fn memory(&self) -> String {
        format!(
            "{:.1} MiB / {:.1} MiB ({} processes)",
            self.pss as f64 / 1024.0,
            self.rss as f64 / 1024.0,
            self.processes
        )
    }
}

#[tokio::main]
async fn main() {
    let binary = |variable: &str| {
        PathBuf::from(std::env::var_os(variable).unwrap_or_else(|| panic!("{variable} is not set")))
    };
    let app = measure(&binary("SAIFU_APP_BINARY"), "Open your wallet").await;
    let bare = measure(&binary("SAIFU_BARE_WINDOW_BINARY"), "Bare window").await;
    let wasm = gzipped_wasm(&workspace_root().join("ui/dist"));
    let table = format!(
        "| measure | Saifu | bare Tauri window |\n|---|---|---|\n\
         | cold start to first screen, median of {RUNS} (fastest–slowest) | {} | {} |\n\
         | idle memory, PSS / RSS | {} | {} |\n\
         | idle memory above the bare window, PSS | {:.1} MiB | |\n\
         | UI wasm, gzip -9 (raw) | {:.1} KiB ({:.1} KiB) | |\n",
        app.start(),
        bare.start(),
        app.memory(),
        bare.memory(),
        app.pss.saturating_sub(bare.pss) as f64 / 1024.0,
        wasm.0 as f64 / 1024.0,
        wasm.1 as f64 / 1024.0,
    );
    print!("{table}");
    let out = saifu_tests::target_dir().join("bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    std::fs::write(out.join("app.md"), table).expect("write target/bench/app.md");
}

/// Launches `binary` [`RUNS`] times until `first_words` show, then lets the last run idle
/// and reads its memory.
async fn measure(binary: &Path, first_words: &str) -> Measured {
    let mut starts = Vec::new();
    let mut memory = None;
    for run in 0..RUNS {
        let data_dir = temp_dir("bench-app");
        let driver_process =
            TauriDriver::start_with_env(&[("SAIFU_DATA_DIR", data_dir.as_os_str())]);
        let started = Instant::now();
        let driver = driver_process.open_binary(binary).await;
        wait_for_text(&driver, first_words).await;
        // wait_for_text lets two frames paint and then pauses half a second: take that off.
        starts.push(started.elapsed().saturating_sub(Duration::from_millis(500)));
        if run == RUNS - 1 {
            tokio::time::sleep(IDLE).await;
            memory = Some(memory_of(binary));
        }
        driver.quit().await.expect("end the session");
    }
    starts.sort();
    let (rss, pss, processes) = memory.expect("memory read on the last run");
    Measured {
        starts,
        pss,
        rss,
        processes,
    }
}

/// PSS and RSS in KiB summed over the one running `binary` and every process below it
/// (WebKit's web and network processes), and how many there are.
fn memory_of(binary: &Path) -> (u64, u64, usize) {
    let name = binary.file_name().expect("a binary's name");
    let processes = std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .map(|pid| (pid, parent_of(pid)))
        .collect::<Vec<_>>();
    let apps: Vec<u32> = processes
        .iter()
        .filter(|(pid, _)| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .is_ok_and(|exe| exe.file_name() == Some(name))
        })
        .map(|(pid, _)| *pid)
        .collect();
    assert_eq!(apps.len(), 1, "exactly one {name:?} runs: {apps:?}");
    let mut family = apps;
    let mut index = 0;
    while index < family.len() {
        let parent = family[index];
        family.extend(
            processes
                .iter()
                .filter(|(_, p)| *p == Some(parent))
                .map(|(pid, _)| *pid),
        );
        index += 1;
    }
    let field = |pid: u32, file: &str, name: &str| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/{file}"))
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    let pss = family
        .iter()
        .map(|&pid| field(pid, "smaps_rollup", "Pss:"))
        .sum();
    let rss = family
        .iter()
        .map(|&pid| field(pid, "status", "VmRSS:"))
        .sum();
    (rss, pss, family.len())
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The UI's wasm as shipped (gzip -9) and raw, in bytes.
fn gzipped_wasm(dist: &Path) -> (u64, u64) {
    let wasm = std::fs::read_dir(dist)
        .expect("ui/dist: build the UI first")
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .expect("a wasm file in ui/dist");
    let raw = std::fs::metadata(&wasm).expect("wasm size").len();
    let gzip = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&wasm)
        .output()
        .expect("run gzip");
    (gzip.stdout.len() as u64, raw)
}
