//! `cargo xtask <task>`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! Every task first installs what it needs and is missing (see [`setup`]), so the two
//! commands in the README work on a fresh Debian or Ubuntu machine.

mod bench;
mod mobile;
mod postgres;
mod setup;
mod step;

use std::path::PathBuf;
use std::process::ExitCode;

use step::{Failure, Step};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  run [--webdriver PORT NATIVE_PORT]
          install what is missing, build the UI, the app and the wallet service, start
          the service with demo merchants, open the app window; with --webdriver, start
          tauri-driver on PORT (WebKitWebDriver on NATIVE_PORT) in the window's place, for
          a WebDriver client to open the window and drive it (the tests do)
  test    install what is missing, then fmt, clippy, wasm32 and phone checks, every test
          (the UI tests drive the real app under Xvfb; screenshots in target/ui-shots/)
          and a short fuzzing smoke of every parser
  fuzz [--seconds N] [TARGET...]
          fuzz the parsers with libFuzzer (nightly + cargo-fuzz, installed if missing),
          N seconds per target (default 60), every target unless some are named
  check-mobile
          type-check the app and every crate it uses for Android (arm64, x86_64) and,
          where Xcode's SDK is present, iOS
  bench server [--seconds N]
          signed payments per second and p50/p99 latency at 1, 8 and 32 clients, on SQLite
          and on PostgreSQL, next to the database's durable commit rate (release build;
          N seconds per run, default 5)
  bench scan [--frames N]
          QR scanner on the real-photo corpus and N synthetic 720p camera frames (default
          12): saifu-scan, rqrr alone, and zxing-cpp and ZBar for comparison (installed from
          PyPI and apt if missing); table in target/bench/scan.md
  bench app
          the release app's cold start to its first screen, the idle memory of its
          processes and the gzipped size of the UI's wasm, beside a bare Tauri window's
          cold start and memory; table in target/bench/app.md
";

/// Where `cargo xtask run` serves the reference wallet service.
const DEMO_SERVICE_ADDR: &str = "127.0.0.1:8787";
/// The demo shop `cargo xtask run` prints an owner's invite for.
const DEMO_TILL_SHOP: &str = "sh-lanxin-noodles";

/// The service's HTTP suites: one test binary, run again on PostgreSQL.
const SERVICE_TESTS: &str = "http";

/// Seconds per fuzz target in `cargo xtask test`: a smoke, not a campaign.
const FUZZ_SMOKE_SECONDS: u32 = 10;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_command(&args[1..]),
        Some("test") => test(),
        Some("fuzz") => fuzz_command(&args[1..]),
        Some("bench") => bench::command(&args[1..]),
        Some("check-mobile") => build_ui().and_then(|()| mobile::check()),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("\nxtask: {failure}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives in `<root>/xtask`.
fn root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

/// What `cargo xtask run` ends with: the app's window, or a WebDriver server that opens it.
enum Opener {
    Window,
    WebDriver { port: u16, native_port: u16 },
}

/// Where cargo builds: `CARGO_TARGET_DIR`, else `<root>/target`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn run_command(args: &[String]) -> Result<(), Failure> {
    let port = |arg: &String| {
        arg.parse()
            .map_err(|_| Failure::new("--webdriver takes two port numbers"))
    };
    let opener = match args {
        [] => Opener::Window,
        [flag, webdriver, native] if flag == "--webdriver" => Opener::WebDriver {
            port: port(webdriver)?,
            native_port: port(native)?,
        },
        _ => return Err(Failure::new(format!("unexpected arguments\n\n{USAGE}"))),
    };
    run(opener)
}

fn run(opener: Opener) -> Result<(), Failure> {
    if !setup::has_display() {
        return Err(Failure::new(
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset).\n\
             On a machine without a screen, run it under a virtual display:\n    \
             xvfb-run -a cargo xtask run\n\
             or run the tests, which drive the app headless: cargo xtask test",
        ));
    }
    setup::ensure(setup::Purpose::Run)?;
    build_ui()?;
    Step::cargo("build the app and the service", ["build", "--workspace"]).run()?;
    let server = target_dir().join("debug/saifu-server");
    let db = format!("sqlite://{}", target_dir().join("saifu-demo.db").display());
    Step::new("seed the demo merchants", &server)
        .args(["seed-demo", "--db", &db])
        .run()?;
    println!(
        "\nThe demo shops' codes to pay: {} (the app's Home opens them in the scanner, or Scan › choose an image).\nSandbox cards: 4242 4242 4242 4242 (Visa), 6200 0000 0000 0005 (UnionPay), any future expiry, any three-digit security code.",
        root().join("assets/demo-codes").display()
    );
    let invite = std::process::Command::new(&server)
        .args(["invite", DEMO_TILL_SHOP, "--db", &db])
        .output()
        .map_err(|error| Failure::new(format!("could not run {}: {error}", server.display())))?;
    let invite = String::from_utf8_lossy(&invite.stdout).trim().to_owned();
    println!(
        "\nThe shop's console: http://{DEMO_SERVICE_ADDR}/merchant/ (open it in a browser beside the app). Invite code for a till of Lanxin Noodle House (Shanghai): {invite}"
    );
    println!("\n==> start the wallet service on http://{DEMO_SERVICE_ADDR}");
    let mut service = std::process::Command::new(&server)
        .args(["serve", "--db", &db, "--addr", DEMO_SERVICE_ADDR])
        .arg("--console")
        .arg(root().join("merchant/dist"))
        .spawn()
        .map_err(|error| Failure::new(format!("could not start {}: {error}", server.display())))?;
    let (title, program, args) = match opener {
        Opener::Window => (
            "open the Saifu window",
            target_dir().join("debug/saifu-app").into_os_string(),
            Vec::new(),
        ),
        Opener::WebDriver { port, native_port } => (
            "serve WebDriver sessions on the Saifu window",
            "tauri-driver".into(),
            vec![
                "--port".to_owned(),
                port.to_string(),
                "--native-port".to_owned(),
                native_port.to_string(),
            ],
        ),
    };
    let app = if setup::secret_service_answers() {
        Step::new(title, program).args(args).run()
    } else {
        println!(
            "\nNo system keyring answers on this session: the demo keeps its device keys in a throwaway one (target/demo-keyring), gone when the window closes."
        );
        with_throwaway_keyring(title, "target/demo-keyring")?
            .arg(program)
            .args(args)
            .run()
    };
    // The service lives as long as the window.
    let _ = service.kill();
    let _ = service.wait();
    app
}

fn test() -> Result<(), Failure> {
    setup::ensure(setup::Purpose::Test)?;
    Step::cargo("check formatting", ["fmt", "--all", "--check"]).run()?;
    build_ui()?;
    Step::cargo(
        "lint (clippy, warnings are errors)",
        [
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )
    .run()?;
    Step::cargo(
        "check the wasm32 crates",
        [
            "check",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "saifu-core",
            "-p",
            "saifu-ipc",
            "-p",
            "saifu-ui",
            "-p",
            "saifu-merchant",
        ],
    )
    .run()?;
    mobile::check()?;
    Step::cargo(
        "build everything",
        ["build", "--workspace", "--all-targets"],
    )
    .run()?;
    Step::cargo(
        "run every test that needs no window",
        ["test", "--workspace"],
    )
    .run()?;
    // The tests a plain `cargo test` ignores open the real app window on a virtual display
    // and keep device keys in a real keyring: one Xvfb and one Secret Service for them all.
    let window_tests = |title: &str| {
        with_display_and_keyring(title).map(|step| {
            step.arg(step::cargo())
                .args(["test", "--workspace", "--", "--ignored"])
        })
    };
    if window_tests("run the UI and keyring tests under Xvfb with a Secret Service")?
        .run()
        .is_err()
    {
        // WebKitGTK's web process now and then dies as it starts under Xvfb (GLib:
        // "getauxval () failed: Interrupted system call"), failing whichever test opened
        // it. A failure that is the product's fails again.
        println!(
            "\nxtask: the UI and keyring tests failed; running them once more, as a WebKit web process that died at start-up fails one now and then"
        );
        window_tests("run the UI and keyring tests again")?.run()?;
    }
    let cluster = postgres::Cluster::start()?;
    // The service's tests again on PostgreSQL; `--workspace` keeps the feature set, and so
    // the build, of the run above.
    Step::cargo(
        "run the service's tests on PostgreSQL",
        ["test", "--workspace", "--test", SERVICE_TESTS],
    )
    .env("SAIFU_TEST_DATABASE_URL", &cluster.url)
    .run()?;
    drop(cluster);
    println!(
        "\nScreenshots of every screen: {}",
        root().join("target/ui-shots").display()
    );
    fuzz(FUZZ_SMOKE_SECONDS, &[])
}

/// A step that runs its program under a virtual display and a private session bus with a
/// Secret Service: a throwaway GNOME Keyring in target/test-keyring, unlocked with a known
/// password. Add the program and its arguments.
pub fn with_display_and_keyring(title: &str) -> Result<Step, Failure> {
    Ok(with_throwaway_keyring(title, "target/test-keyring")?.args([
        "xvfb-run",
        "-a",
        "-s",
        "-screen 0 1920x1200x24",
    ]))
}

/// A step that runs its program on a private session bus with a Secret Service: a
/// throwaway GNOME Keyring in `dir` (under the workspace), unlocked with a known password.
/// Add the program and its arguments.
fn with_throwaway_keyring(title: &str, dir: &str) -> Result<Step, Failure> {
    let keyring_home = root().join(dir);
    let _ = std::fs::remove_dir_all(&keyring_home);
    std::fs::create_dir_all(&keyring_home).map_err(|error| {
        Failure::new(format!("cannot create {}: {error}", keyring_home.display()))
    })?;
    Ok(Step::new(title, "dbus-run-session")
        .args([
            "--",
            "sh",
            "-c",
            "printf saifu-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"",
            "sh",
        ])
        .env("XDG_DATA_HOME", &keyring_home))
}

fn fuzz_command(args: &[String]) -> Result<(), Failure> {
    let mut seconds = 60;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            seconds = args
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| Failure::new("--seconds takes a whole number"))?;
        } else {
            targets.push(arg.clone());
        }
    }
    fuzz(seconds, &targets)
}

/// Runs each fuzz target for `seconds`, starting from the seeds in fuzz/seeds/<target>;
/// what libFuzzer learns goes to target/fuzz/corpus, keeping the work tree clean.
fn fuzz(seconds: u32, targets: &[String]) -> Result<(), Failure> {
    setup::ensure_fuzzing()?;
    let targets = if targets.is_empty() {
        setup::fuzz_targets()?
    } else {
        targets.to_vec()
    };
    let fuzz_target_dir = root().join("target/fuzz");
    for target in &targets {
        let corpus = fuzz_target_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .map_err(|error| Failure::new(format!("create {}: {error}", corpus.display())))?;
        Step::new(format!("fuzz {target} for {seconds} s"), "rustup")
            .args([
                "run",
                "nightly",
                "cargo",
                "fuzz",
                "run",
                "--fuzz-dir",
                "fuzz",
                target,
            ])
            .arg(&corpus)
            .arg(root().join("fuzz/seeds").join(target))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .env("CARGO_TARGET_DIR", &fuzz_target_dir)
            .run()?;
    }
    Ok(())
}

/// Builds the app's UI and the shop's console with Trunk.
pub fn build_ui() -> Result<(), Failure> {
    Step::new("build the UI (trunk)", "trunk")
        .arg("build")
        .current_dir(root().join("ui"))
        .run()?;
    Step::new("build the shop's console (trunk)", "trunk")
        .arg("build")
        .current_dir(root().join("merchant"))
        .run()
}
