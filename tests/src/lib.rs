//! Harness for Saifu's full-stack tests: where the workspace is, a WebDriver session on the
//! real app binary through tauri-driver and WebKitWebDriver, and one on the shop's console
//! in headless Chromium.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::common::capabilities::chromium::ChromiumLikeCapabilities as _;
use thirtyfour::prelude::*;

pub mod service;

/// The workspace root (this package lives in `<root>/tests`).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package sits inside the workspace")
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where UI tests keep their screenshots for people to look at.
pub fn screenshot_dir() -> PathBuf {
    let dir = target_dir().join("ui-shots");
    std::fs::create_dir_all(&dir).expect("create target/ui-shots");
    dir
}

/// A running tauri-driver; stopped with SIGTERM on drop so it also stops the
/// WebKitWebDriver it started (SIGKILL would leave that one holding its port).
#[derive(Debug)]
pub struct TauriDriver {
    child: Child,
    pub url: String,
}

impl TauriDriver {
    pub fn start() -> TauriDriver {
        TauriDriver::start_with_env(&[])
    }

    /// A tauri-driver whose apps see `env`: the app inherits it through WebKitWebDriver.
    pub fn start_with_env(env: &[(&str, &std::ffi::OsStr)]) -> TauriDriver {
        let port = free_port();
        let native_port = free_port();
        let child = Command::new(tauri_driver_binary())
            .envs(env.iter().copied())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("start tauri-driver (`cargo xtask test` installs it)");
        wait_for_port(port, Duration::from_secs(20));
        TauriDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Opens the app binary, started with `args`, in a new WebDriver session.
    pub async fn open_app(&self, args: &[&str]) -> WebDriver {
        open_app(&self.url, args).await
    }

    /// Opens another Tauri binary in a new WebDriver session.
    pub async fn open_binary(&self, binary: &Path) -> WebDriver {
        open_binary(&self.url, binary, &[]).await
    }
}

/// Opens the app binary, started with `args`, in a new session of the tauri-driver at `url`.
async fn open_app(url: &str, args: &[&str]) -> WebDriver {
    open_binary(url, &app_binary(), args).await
}

async fn open_binary(url: &str, app: &Path, args: &[&str]) -> WebDriver {
    assert!(
        app.exists(),
        "{} is missing: build the UI and the app first (`cargo xtask test` does)",
        app.display()
    );
    let mut capabilities = thirtyfour::Capabilities::new();
    capabilities
        .set("browserName", "wry")
        .and_then(|()| {
            capabilities.set(
                "tauri:options",
                serde_json::json!({ "application": app, "args": args }),
            )
        })
        .expect("capabilities serialize");
    WebDriver::new(url, capabilities)
        .await
        .expect("start a WebDriver session on the app")
}

/// `cargo xtask run --webdriver` as a person would start the demo, in a process group of its
/// own (cargo, xtask, the service, the keyring's session bus, tauri-driver), all stopped on
/// drop. What it prints goes to `log`.
#[derive(Debug)]
pub struct XtaskRun {
    child: Child,
    url: String,
    log: PathBuf,
}

impl XtaskRun {
    /// Starts it with `env` on top of this process's, and waits (through any build) until
    /// its WebDriver server listens.
    pub fn start(env: &[(&str, &std::ffi::OsStr)], log: &Path) -> XtaskRun {
        use std::os::unix::process::CommandExt as _;
        let (port, native_port) = (free_port(), free_port());
        let output = std::fs::File::create(log).expect("create the log");
        let child = Command::new(env!("CARGO"))
            .current_dir(workspace_root())
            .args(["xtask", "run", "--webdriver"])
            .args([port.to_string(), native_port.to_string()])
            .envs(env.iter().copied())
            .stdout(output.try_clone().expect("log"))
            .stderr(output)
            .process_group(0)
            .spawn()
            .expect("start cargo xtask run");
        let mut run = XtaskRun {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log: log.to_owned(),
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = run.child.try_wait() {
                panic!("cargo xtask run ended ({status}):\n{}", run.printed());
            }
            assert!(
                start.elapsed() < Duration::from_secs(900),
                "cargo xtask run never served WebDriver:\n{}",
                run.printed()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        run
    }

    pub async fn open_app(&self, args: &[&str]) -> WebDriver {
        open_app(&self.url, args).await
    }

    /// What it has printed so far.
    pub fn printed(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for XtaskRun {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A running chromedriver, for the shop's console in headless Chromium; stopped on drop.
#[derive(Debug)]
pub struct ChromeDriver {
    child: Child,
    url: String,
    /// Where the windows it opens save downloads.
    pub downloads: PathBuf,
}

impl ChromeDriver {
    pub fn start() -> ChromeDriver {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (`cargo xtask test` installs it)");
        wait_for_port(port, Duration::from_secs(20));
        let downloads = target_dir().join(format!("chromium-downloads-{port}"));
        let _ = std::fs::remove_dir_all(&downloads);
        std::fs::create_dir_all(&downloads).expect("a downloads directory");
        ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            downloads,
        }
    }

    /// A new headless Chromium window of `width` x `height` CSS pixels.
    pub async fn open(&self, width: u32, height: u32) -> WebDriver {
        self.open_with(width, height, &[]).await
    }

    /// [`ChromeDriver::open`] with more of Chromium's switches (`--force-dark-mode`).
    pub async fn open_with(&self, width: u32, height: u32, switches: &[&str]) -> WebDriver {
        let mut capabilities = DesiredCapabilities::chrome();
        let size = format!("--window-size={width},{height}");
        // Tests run as root, where Chromium's sandbox cannot start.
        for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", &size]
            .iter()
            .chain(switches)
        {
            capabilities.add_arg(arg).expect("a Chromium argument");
        }
        let prefs = serde_json::json!({
            "download.default_directory": self.downloads,
            "download.prompt_for_download": false,
        });
        capabilities
            .add_experimental_option("prefs", prefs)
            .expect("Chromium's download directory");
        WebDriver::new(&self.url, capabilities)
            .await
            .expect("start a Chromium session")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn app_binary() -> PathBuf {
    std::env::var_os("SAIFU_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug").join("saifu-app"))
}

fn tauri_driver_binary() -> PathBuf {
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin").join("tauri-driver"));
    in_cargo_home
        .filter(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from("tauri-driver"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("find a free port")
        .port()
}

fn wait_for_port(port: u16, limit: Duration) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < limit,
            "the WebDriver server did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The element carrying `data-test="name"`: stable hooks for what words cannot name.
pub fn by_test(name: &str) -> By {
    By::Css(format!("[data-test='{name}']"))
}

/// Finds the visible element a person would: by its role and its words.
pub fn button_named(name: &str) -> By {
    let name = xpath_literal(name);
    By::XPath(format!(
        "//button[normalize-space()={name} or @aria-label={name}]"
    ))
}

pub fn text(words: &str) -> By {
    By::XPath(format!(
        "//*[normalize-space(text())={}]",
        xpath_literal(words)
    ))
}

/// `words` as an XPath string literal; XPath 1 has no escapes, so quotes need concat().
pub fn xpath_literal(words: &str) -> String {
    if !words.contains('\'') {
        format!("'{words}'")
    } else if !words.contains('"') {
        format!("\"{words}\"")
    } else {
        let parts: Vec<String> = words.split('\'').map(|part| format!("'{part}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// Waits for `words` to be displayed, then lets two frames paint so a screenshot shows them.
pub async fn wait_for_text(driver: &WebDriver, words: &str) -> WebElement {
    let element = driver
        .query(text(words))
        .and_displayed()
        .wait(Duration::from_secs(15), Duration::from_millis(100))
        .first()
        .await
        .unwrap_or_else(|error| panic!("{words:?} never appeared: {error}"));
    settle(driver).await;
    element
}

async fn settle(driver: &WebDriver) {
    driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done()));",
            vec![],
        )
        .await
        .expect("wait for two animation frames");
    tokio::time::sleep(Duration::from_millis(500)).await;
}

pub async fn screenshot(driver: &WebDriver, name: &str) {
    let path = screenshot_dir().join(format!("{name}.png"));
    driver
        .screenshot(&path)
        .await
        .unwrap_or_else(|error| panic!("screenshot {}: {error}", path.display()));
}

/// What axe-core (WCAG 2.2 A and AA rules) finds wrong on the window's current screen: one
/// line a rule, with the elements it failed on. `cargo xtask test` puts axe-core in
/// target/axe.
pub async fn accessibility_violations(driver: &WebDriver) -> Vec<String> {
    let script = target_dir().join("axe/axe.min.js");
    let axe = std::fs::read_to_string(&script).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (`cargo xtask test` installs axe-core)",
            script.display()
        )
    });
    driver
        .execute(&axe, vec![])
        .await
        .expect("load axe-core into the window");
    let found = driver
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, {
                runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
            }).then(
                (result) => done(result.violations.map((v) =>
                    `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)),
                (error) => done([`axe failed: ${error}`]),
            );
            "#,
            vec![],
        )
        .await
        .expect("run axe-core")
        .json()
        .clone();
    serde_json::from_value(found).expect("a list of violations")
}
