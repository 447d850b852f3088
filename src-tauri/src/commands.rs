//! IPC handlers: one per `saifu_ipc::Command`, each taking the request as `req`.

use saifu_ipc::{AppInfo, AppInfoRequest, IpcError};

#[tauri::command]
pub(crate) fn app_info(req: AppInfoRequest) -> Result<AppInfo, IpcError> {
    let AppInfoRequest {} = req;
    Ok(AppInfo {
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        core_version: saifu_core::VERSION.to_owned(),
        os: std::env::consts::OS.to_owned(),
    })
}
