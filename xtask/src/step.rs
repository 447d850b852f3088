//! Running the commands a task is made of: each announced, timed, and failing loudly.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Why a task stopped, in words for the person who ran it.
#[derive(Debug)]
pub struct Failure(String);

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One command of a task, run from the workspace root with the cargo bin dir on PATH.
#[derive(Debug)]
pub struct Step {
    title: String,
    command: Command,
}

impl Step {
    pub fn new(title: impl Into<String>, program: impl AsRef<OsStr>) -> Self {
        let mut command = Command::new(program);
        command
            .current_dir(crate::root())
            .env("PATH", search_path());
        Self {
            title: title.into(),
            command,
        }
    }

    pub fn cargo<I, S>(title: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Self::new(title, cargo()).args(args)
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    pub fn run(mut self) -> Result<(), Failure> {
        println!("\n==> {}", self.title);
        let started = Instant::now();
        let status = self.command.status().map_err(|error| {
            Failure::new(format!(
                "{}: could not start {:?}: {error}",
                self.title,
                self.command.get_program()
            ))
        })?;
        let seconds = started.elapsed().as_secs_f32();
        if status.success() {
            println!("==> {} done in {seconds:.1} s", self.title);
            Ok(())
        } else {
            Err(Failure::new(format!(
                "{} failed ({status}) after {seconds:.1} s",
                self.title
            )))
        }
    }
}

/// The cargo that runs this task, so every step uses the same toolchain.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin_dir() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// PATH with the cargo bin dir first, so freshly installed tools are found.
pub fn search_path() -> OsString {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(cargo_bin_dir()).chain(std::env::split_paths(&current));
    std::env::join_paths(dirs).unwrap_or(current)
}

/// Runs a command quietly and returns its standard output when it succeeds.
pub fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .env("PATH", search_path())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
