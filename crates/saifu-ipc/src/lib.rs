//! The contract between the UI (Yew, in the webview) and the shell (Tauri).
//!
//! Every command is one request struct implementing [`Command`]: its `NAME` is the name the
//! shell registers and the UI invokes, its `Output` is what comes back. The UI calls
//! `ipc::call::<C>(&request)`; the shell registers a handler for every name in [`COMMANDS`],
//! and a test in the shell fails when one is declared here but not registered there.
//!
//! Arguments always cross as a single object field named [`REQUEST_ARG`], so the two sides
//! agree on the payload shape without per-command glue.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// A command the UI can send to the shell.
pub trait Command: Serialize + DeserializeOwned {
    /// The name the shell registers the handler under.
    const NAME: &'static str;
    /// What the shell answers with on success.
    type Output: Serialize + DeserializeOwned;
}

/// The name of the single argument every command handler takes.
pub const REQUEST_ARG: &str = "req";

pub use saifu_core::code::{Code, Detail};

/// An error as it crosses to the UI: a code from the one list and the facts its words need.
/// The UI writes the words; `message` is detail for developers, never shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} ({code:?})")]
pub struct IpcError {
    pub code: Code,
    #[serde(default)]
    pub detail: Detail,
    pub message: String,
}

impl IpcError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            detail: Detail::default(),
            message: message.into(),
        }
    }

    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = detail;
        self
    }
}

macro_rules! commands {
    ($($command:ident),* $(,)?) => {
        /// The name of every command the shell must register.
        pub const COMMANDS: &[&str] = &[$(<$command as Command>::NAME),*];
    };
}

commands![
    AppInfoRequest,
    StatusRequest,
    OnboardRequest,
    ForgetRequest,
    UnlockRequest,
    OverviewRequest,
    LinkCardRequest,
    UnlinkCardRequest,
    TopUpRequest,
    ScanImageRequest,
    QuoteRequest,
    PayRequest,
    PayCodeRequest,
    PayCodeSettingsRequest,
    AnswerChargeRequest,
    RecoverySheetRequest,
    RecoverySavedRequest,
    ResumeRequest,
    HistoryRequest,
    DevicesRequest,
    LockDeviceRequest,
    NotifyRequest,
    PromotionsRequest,
    ClaimCouponRequest,
    CameraStartRequest,
    CameraStopRequest,
];

mod wallet;
pub use wallet::*;

/// Asks the shell who it is: shown in Settings › About.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfoRequest {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    /// Version of the app (the shell package).
    pub app_version: String,
    /// Version of saifu-core the shell was built with.
    pub core_version: String,
    /// Operating system the shell runs on ("linux", "macos", "windows", "android", "ios").
    pub os: String,
}

impl Command for AppInfoRequest {
    const NAME: &'static str = "app_info";
    type Output = AppInfo;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for name in COMMANDS {
            assert!(seen.insert(name), "{name} declared twice");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
        }
    }

    #[test]
    fn error_crosses_as_code_and_message() {
        let error = IpcError::new(Code::NoShell, "Open Saifu from the app.");
        let json = serde_json::to_string(&error).expect("serializes");
        assert_eq!(
            json,
            r#"{"code":"no_shell","detail":{},"message":"Open Saifu from the app."}"#
        );
        assert_eq!(
            serde_json::from_str::<IpcError>(&json).expect("parses"),
            error
        );
    }
}
