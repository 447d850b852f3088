//! `cargo xtask check-mobile`: the app and every crate it uses type-check for phones.
//!
//! Android needs only Rust's targets here: nothing in the app's graph compiles C for the
//! phone (TLS there is rustls over RustCrypto). iOS needs Apple's SDK, which only macOS
//! with Xcode has; without it the check says so and skips.

use crate::setup;
use crate::step::{Failure, Step, output_of};

const ANDROID_TARGETS: [&str; 2] = ["aarch64-linux-android", "x86_64-linux-android"];
const IOS_TARGET: &str = "aarch64-apple-ios";

pub fn check() -> Result<(), Failure> {
    for target in ANDROID_TARGETS {
        setup::ensure_rust_target(target)?;
    }
    Step::cargo(
        "type-check the app for Android (arm64 phones, x86_64 emulators)",
        ["check", "-p", "saifu-app"],
    )
    .args(
        ANDROID_TARGETS
            .iter()
            .flat_map(|target| ["--target", *target]),
    )
    .run()?;
    match apple_sdk() {
        Some(sdk) => {
            setup::ensure_rust_target(IOS_TARGET)?;
            Step::cargo(
                format!("type-check the app for iOS (SDK {sdk})"),
                ["check", "-p", "saifu-app", "--target", IOS_TARGET],
            )
            .run()
        }
        None => {
            println!(
                "==> iOS skipped: no Apple SDK here (`xcrun --sdk iphoneos --show-sdk-path` \
                 found none). Crates that build for iOS need Xcode's SDK, which only macOS \
                 has; run `cargo xtask check-mobile` on a Mac to check iOS too."
            );
            Ok(())
        }
    }
}

/// The iPhone SDK's path, when Xcode is installed.
fn apple_sdk() -> Option<String> {
    output_of("xcrun", &["--sdk", "iphoneos", "--show-sdk-path"])
        .map(|path| path.trim().to_owned())
        .filter(|path| !path.is_empty())
}
