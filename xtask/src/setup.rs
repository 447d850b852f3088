//! Installs what a task needs and is missing: Debian/Ubuntu packages, the wasm32 target,
//! and the cargo tools, each from its registry (apt, rustup, crates.io), never a
//! downloaded binary. Every check is cheap, so running it again costs nothing.

use std::path::Path;

use crate::step::{Failure, Step, output_of};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Run,
    Test,
}

/// What Tauri 2 needs to build and open a window on Linux.
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libwebkit2gtk-4.1-dev",
    "libjavascriptcoregtk-4.1-dev",
    "libsoup-3.0-dev",
    "libssl-dev",
    "libxdo-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libclang-dev",
];

/// What the tests need: a virtual display, WebKit's WebDriver, CJK glyphs for screenshots
/// of the Chinese and Japanese screens, a Secret Service on a private session bus for the
/// device keys, a PostgreSQL server for the conformance run, and Chromium with its
/// WebDriver for the shop's console (and pdftoppm to read its printed sheet back).
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "dbus-daemon",
    "gnome-keyring",
    "webkit2gtk-driver",
    "fonts-noto-cjk",
    "postgresql",
    "chromium",
    "chromium-driver",
    "poppler-utils",
];

/// What the demo needs where no Secret Service answers (a machine without a desktop
/// session): a private session bus with a throwaway keyring.
const RUN_PACKAGES: &[&str] = &["dbus-daemon", "gnome-keyring"];

const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn ensure(purpose: Purpose) -> Result<(), Failure> {
    let mut packages = BUILD_PACKAGES.to_vec();
    packages.extend_from_slice(match purpose {
        Purpose::Run => RUN_PACKAGES,
        Purpose::Test => TEST_PACKAGES,
    });
    ensure_system_packages(&packages)?;
    ensure_rust_target(WASM_TARGET)?;
    ensure_cargo_tool(
        "trunk",
        Some("trunk 0.21."),
        &["--locked", "trunk", "--version", "^0.21"],
    )?;
    let wasm_bindgen = locked_wasm_bindgen_version()?;
    check_trunk_pins(&wasm_bindgen)?;
    // wasm-bindgen-cli's own lockfile wants crates this registry lacks: no --locked.
    ensure_cargo_tool(
        "wasm-bindgen",
        Some(&format!("wasm-bindgen {wasm_bindgen}")),
        &["wasm-bindgen-cli", "--version", &format!("={wasm_bindgen}")],
    )?;
    if purpose == Purpose::Test {
        ensure_cargo_tool(
            "tauri-driver",
            None,
            &["--locked", "tauri-driver", "--version", "^2"],
        )?;
        ensure_axe()?;
    }
    Ok(())
}

/// axe-core, the accessibility rules the UI tests run inside the real window: JavaScript
/// from the npm registry, pinned by the tarball's SHA-256.
const AXE_VERSION: &str = "4.14.1";
const AXE_SHA256: &str = "e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745";

/// Unpacks axe-core's `axe.min.js` (and its licence) to target/axe unless it is there.
fn ensure_axe() -> Result<(), Failure> {
    let dir = crate::target_dir().join("axe");
    let stamp = dir.join(format!("axe-core-{AXE_VERSION}"));
    if stamp.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir)
        .map_err(|error| Failure::new(format!("cannot create {}: {error}", dir.display())))?;
    let tarball = dir.join("axe-core.tgz");
    Step::new(
        format!("download axe-core {AXE_VERSION} (npm registry)"),
        "curl",
    )
    .args(["-fsSL", "-o"])
    .arg(&tarball)
    .arg(format!(
        "https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
    ))
    .run()?;
    let digest = output_of("sha256sum", &[&tarball.to_string_lossy()]).unwrap_or_default();
    if !digest.starts_with(AXE_SHA256) {
        return Err(Failure::new(format!(
            "{} does not have the pinned SHA-256 {AXE_SHA256}",
            tarball.display()
        )));
    }
    Step::new("unpack axe-core", "tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&dir)
        .args([
            "--strip-components=1",
            "package/axe.min.js",
            "package/LICENSE",
        ])
        .run()?;
    std::fs::write(&stamp, "")
        .map_err(|error| Failure::new(format!("cannot write {}: {error}", stamp.display())))
}

/// Whether a Secret Service (GNOME Keyring, KWallet) answers on this session's bus: where
/// the app keeps device keys on a desktop.
pub fn secret_service_answers() -> bool {
    output_of(
        "dbus-send",
        &[
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.DBus.Peer.Ping",
        ],
    )
    .is_some()
}

pub fn has_display() -> bool {
    !cfg!(target_os = "linux")
        || ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|var| std::env::var_os(var).is_some_and(|value| !value.is_empty()))
}

pub fn ensure_system_packages(packages: &[&str]) -> Result<(), Failure> {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    if output_of("dpkg-query", &["--version"]).is_none() {
        println!(
            "xtask: not a Debian or Ubuntu system, so system packages are not checked.\n\
             Tauri's Linux prerequisites must be installed by hand: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing = missing_packages(packages);
    if missing.is_empty() {
        return Ok(());
    }
    let as_root = output_of("id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
    let with_sudo = !as_root && output_of("sudo", &["-n", "true"]).is_some();
    if !as_root && !with_sudo {
        return Err(Failure::new(format!(
            "missing system packages, and no root or password-less sudo to install them.\n\
             Install them, then run this again:\n    sudo apt-get install {}",
            missing.join(" ")
        )));
    }
    let apt = |title: &str| {
        let step = if as_root {
            Step::new(title, "apt-get")
        } else {
            Step::new(title, "sudo").arg("apt-get")
        };
        step.env("DEBIAN_FRONTEND", "noninteractive")
    };
    apt("update the package lists")
        .args(["update", "-q"])
        .run()?;
    apt(&format!("install {}", missing.join(" ")))
        .args(["install", "-y", "-q"])
        .args(&missing)
        .run()
}

fn missing_packages<'a>(packages: &[&'a str]) -> Vec<&'a str> {
    let mut query = vec!["-W", "-f=${Package} ${db:Status-Status}\\n"];
    query.extend_from_slice(packages);
    // dpkg-query fails when any package is unknown, but still lists the others.
    let listed = std::process::Command::new("dpkg-query")
        .args(&query)
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    let installed: Vec<&str> = listed
        .lines()
        .filter_map(|line| line.strip_suffix(" installed"))
        .map(|name| name.split(':').next().unwrap_or(name))
        .collect();
    packages
        .iter()
        .copied()
        .filter(|package| !installed.contains(package))
        .collect()
}

/// Adds a compilation target to the toolchain unless it is there.
pub fn ensure_rust_target(target: &str) -> Result<(), Failure> {
    let Some(installed) = output_of("rustup", &["target", "list", "--installed"]) else {
        return Err(Failure::new(format!(
            "rustup is not on PATH: install the {target} target for your toolchain by hand"
        )));
    };
    if installed.lines().any(|line| line.trim() == target) {
        return Ok(());
    }
    Step::new(format!("add the {target} target"), "rustup")
        .args(["target", "add", target])
        .run()
}

/// Installs `tool` with `cargo install <install_args>` unless `tool --version` already
/// starts with `wanted`; with no `wanted`, unless `tool --help` answers at all.
fn ensure_cargo_tool(
    tool: &str,
    wanted: Option<&str>,
    install_args: &[&str],
) -> Result<(), Failure> {
    let present = match wanted {
        Some(wanted) => {
            output_of(tool, &["--version"]).is_some_and(|v| v.trim_start().starts_with(wanted))
        }
        None => output_of(tool, &["--help"]).is_some(),
    };
    if present {
        return Ok(());
    }
    Step::cargo(
        format!("install {tool} from crates.io (once per machine)"),
        ["install"],
    )
    .args(install_args)
    .run()
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
fn locked_wasm_bindgen_version() -> Result<String, Failure> {
    let lock_path = crate::root().join("Cargo.lock");
    if !lock_path.exists() {
        Step::cargo("resolve dependencies (Cargo.lock)", ["generate-lockfile"]).run()?;
    }
    let lock = read(&lock_path)?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err(Failure::new("Cargo.lock has no wasm-bindgen package"))
}

/// Trunk runs offline with the wasm-bindgen named in ui/Trunk.toml; a stale pin there would
/// make it look for a CLI that is not installed.
fn check_trunk_pins(wasm_bindgen: &str) -> Result<(), Failure> {
    let trunk_toml = read(&crate::root().join("ui/Trunk.toml"))?;
    let pin = format!("wasm_bindgen = \"{wasm_bindgen}\"");
    if trunk_toml.lines().any(|line| line.trim() == pin) {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "ui/Trunk.toml must pin the wasm-bindgen of Cargo.lock: [tools] {pin}"
        )))
    }
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|error| Failure::new(format!("read {}: {error}", path.display())))
}

/// Fuzzing needs a nightly toolchain (for the sanitizers) and cargo-fuzz.
pub fn ensure_fuzzing() -> Result<(), Failure> {
    let toolchains = output_of("rustup", &["toolchain", "list"]).unwrap_or_default();
    if !toolchains.lines().any(|line| line.starts_with("nightly")) {
        Step::new("install the nightly toolchain (fuzzing only)", "rustup")
            .args(["toolchain", "install", "nightly", "--profile", "minimal"])
            .run()?;
    }
    ensure_cargo_tool("cargo-fuzz", None, &["--locked", "cargo-fuzz"])
}

/// The fuzz targets declared in fuzz/Cargo.toml.
pub fn fuzz_targets() -> Result<Vec<String>, Failure> {
    let manifest = read(&crate::root().join("fuzz/Cargo.toml"))?;
    let mut targets = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(name) = line.strip_prefix("name = \"") {
            targets.push(name.trim_end_matches('"').to_owned());
        }
    }
    Ok(targets)
}
