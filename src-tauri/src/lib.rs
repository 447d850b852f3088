//! The Saifu shell: registers the IPC commands and opens the window. Logic lives in the
//! workspace crates; the handlers in [`commands`] only translate between them and the UI.

mod camera;
mod commands;
mod wallet;

use tauri::Manager;

/// Registers each IPC request type with the handler that serves it. The handler's name is
/// the command name Tauri routes on, so it must equal the request's `Command::NAME`; the
/// tests check that and that every command of the contract is registered.
macro_rules! register_commands {
    ($($request:ty => $handler:ident),* $(,)?) => {
        #[cfg(test)]
        const REGISTERED: &[(&str, &str)] =
            &[$((<$request as saifu_ipc::Command>::NAME, stringify!($handler))),*];

        fn builder() -> tauri::Builder<tauri::Wry> {
            let builder = tauri::Builder::default().plugin(tauri_plugin_notification::init());
            // Phones scan with the system's camera; the UI hands the text to the same path
            // as a scanned image or a pasted code.
            #[cfg(mobile)]
            let builder = builder.plugin(tauri_plugin_barcode_scanner::init());
            builder.invoke_handler(tauri::generate_handler![$(commands::$handler),*])
        }
    };
}

register_commands! {
    saifu_ipc::AppInfoRequest => app_info,
    saifu_ipc::StatusRequest => status,
    saifu_ipc::OnboardRequest => onboard,
    saifu_ipc::ForgetRequest => forget,
    saifu_ipc::UnlockRequest => unlock,
    saifu_ipc::OverviewRequest => overview,
    saifu_ipc::LinkCardRequest => link_card,
    saifu_ipc::UnlinkCardRequest => unlink_card,
    saifu_ipc::TopUpRequest => top_up,
    saifu_ipc::ScanImageRequest => scan_image,
    saifu_ipc::QuoteRequest => quote,
    saifu_ipc::PayRequest => pay,
    saifu_ipc::PayCodeRequest => pay_code,
    saifu_ipc::PayCodeSettingsRequest => pay_code_settings,
    saifu_ipc::AnswerChargeRequest => answer_charge,
    saifu_ipc::RecoverySheetRequest => recovery_sheet,
    saifu_ipc::RecoverySavedRequest => recovery_saved,
    saifu_ipc::ResumeRequest => resume,
    saifu_ipc::HistoryRequest => history,
    saifu_ipc::DevicesRequest => devices,
    saifu_ipc::LockDeviceRequest => lock_device,
    saifu_ipc::NotifyRequest => notify,
    saifu_ipc::PromotionsRequest => promotions,
    saifu_ipc::ClaimCouponRequest => claim_coupon,
    saifu_ipc::CameraStartRequest => camera_start,
    saifu_ipc::CameraStopRequest => camera_stop,
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    // To stderr; SAIFU_LOG (an env-filter directive such as "debug") says how much.
    let filter = tracing_subscriber::EnvFilter::try_from_env("SAIFU_LOG")
        .unwrap_or_else(|_| "warn,saifu_app=info".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let window_size = window_size_from_args(std::env::args());
    builder()
        .setup(move |app| {
            // SAIFU_DATA_DIR keeps a test's or a second profile's wallet apart.
            let data_dir = match std::env::var_os("SAIFU_DATA_DIR") {
                Some(dir) => dir.into(),
                None => app.path().app_data_dir()?,
            };
            app.manage(wallet::Wallet::open(&data_dir)?);
            app.manage(camera::Camera::default());
            if let Some((width, height)) = window_size {
                let window = app.get_webview_window("main").ok_or("no main window")?;
                window.set_size(tauri::LogicalSize::new(width, height))?;
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the Saifu window could not be opened");
}

/// `--window-size=390x844` opens the window at a phone's size, to see and test the
/// narrow layout on a desktop.
fn window_size_from_args(mut args: impl Iterator<Item = String>) -> Option<(f64, f64)> {
    let value = args.find_map(|arg| arg.strip_prefix("--window-size=").map(str::to_owned))?;
    let (width, height) = value.split_once('x')?;
    Some((width.parse().ok()?, height.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::{REGISTERED, window_size_from_args};

    #[test]
    fn window_size_comes_from_the_command_line() {
        let args = |list: &[&str]| {
            list.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert_eq!(
            window_size_from_args(args(&["saifu-app", "--window-size=390x844"])),
            Some((390.0, 844.0))
        );
        assert_eq!(window_size_from_args(args(&["saifu-app"])), None);
        assert_eq!(
            window_size_from_args(args(&["saifu-app", "--window-size=wide"])),
            None
        );
    }

    #[test]
    fn handler_names_match_the_contract() {
        for (name, handler) in REGISTERED {
            assert_eq!(
                name, handler,
                "command {name} is served by a handler named {handler}"
            );
        }
    }

    #[test]
    fn every_declared_command_is_registered() {
        let registered: Vec<&str> = REGISTERED.iter().map(|(name, _)| *name).collect();
        for declared in saifu_ipc::COMMANDS {
            assert!(
                registered.contains(declared),
                "command {declared} is declared in saifu-ipc but not registered"
            );
        }
        assert_eq!(
            registered.len(),
            saifu_ipc::COMMANDS.len(),
            "a command is registered twice"
        );
    }
}
