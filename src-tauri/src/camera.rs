//! The desktop camera on the scan screen: saifu-scan's session over a nokhwa camera, its
//! previews and the codes it reads sent to the UI over a channel. Phones scan with the
//! system's camera screen (the barcode-scanner plugin) instead.

use std::sync::Mutex;

use saifu_ipc::{CameraEvent, CameraProblem};
use tauri::ipc::Channel;

/// The running scan session, if the scan screen is open.
#[derive(Default)]
pub struct Camera(Mutex<Option<Running>>);

#[cfg(desktop)]
type Running = saifu_scan::ScanSession;
#[cfg(mobile)]
type Running = ();

impl Camera {
    /// Opens a camera and starts scanning, or tells the UI why it cannot. Blocks while the
    /// camera opens: call it off the async workers.
    #[cfg(desktop)]
    pub fn start(&self, events: Channel<CameraEvent>) {
        use saifu_scan::{CameraChoice, CameraSource, Preview, ScanEvent, ScanSession};
        self.stop();
        let source = match CameraSource::open(CameraChoice::Any) {
            Ok(source) => source,
            Err(state) => {
                let _ = events.send(unavailable(&state));
                return;
            }
        };
        // A viewfinder needs a few small frames a second, not every full one.
        let preview = Preview {
            width: 320,
            interval: std::time::Duration::from_millis(200),
        };
        let session = ScanSession::start_with_preview(Box::new(source), preview, move |event| {
            let sent = match event {
                ScanEvent::Found(codes) => CameraEvent::Found {
                    payloads: codes.into_iter().map(|code| code.text).collect(),
                },
                ScanEvent::Preview(frame) => match preview_url(&frame) {
                    Some(data_url) => CameraEvent::Preview { data_url },
                    None => return,
                },
                ScanEvent::Camera(state) => unavailable(&state),
                ScanEvent::SourceEnded => unavailable(&saifu_scan::CameraState::Failed(
                    "the camera stopped sending pictures".into(),
                )),
                ScanEvent::Error(message) => CameraEvent::Unavailable {
                    problem: CameraProblem::Failed,
                    message,
                },
            };
            let _ = events.send(sent);
        });
        *self.running() = Some(session);
    }

    #[cfg(mobile)]
    pub fn start(&self, events: Channel<CameraEvent>) {
        let _ = events.send(CameraEvent::Unavailable {
            problem: CameraProblem::NoCamera,
            message: "On phones the scan screen uses the system's camera.".into(),
        });
    }

    /// Stops scanning and releases the camera; waits for the current frame to finish.
    pub fn stop(&self) {
        if let Some(session) = self.running().take() {
            stop_session(session);
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(desktop)]
fn stop_session(session: saifu_scan::ScanSession) {
    session.stop();
}

#[cfg(mobile)]
fn stop_session((): ()) {}

#[cfg(desktop)]
fn unavailable(state: &saifu_scan::CameraState) -> CameraEvent {
    use saifu_scan::CameraState;
    let problem = match state {
        CameraState::NoCamera => CameraProblem::NoCamera,
        CameraState::PermissionDenied => CameraProblem::PermissionDenied,
        CameraState::Busy => CameraProblem::Busy,
        CameraState::Failed(_) => CameraProblem::Failed,
    };
    CameraEvent::Unavailable {
        problem,
        message: state.to_string(),
    }
}

/// A greyscale frame as a PNG `data:` URL, which the webview shows as it is.
#[cfg(desktop)]
fn preview_url(frame: &image::GrayImage) -> Option<String> {
    use base64::Engine;
    let mut png = std::io::Cursor::new(Vec::new());
    frame.write_to(&mut png, image::ImageFormat::Png).ok()?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(png.into_inner());
    Some(format!("data:image/png;base64,{encoded}"))
}
