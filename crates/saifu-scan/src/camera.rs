//! A webcam as a [`FrameSource`], through nokhwa: V4L2 on Linux, Media Foundation on Windows,
//! AVFoundation on macOS.
//!
//! nokhwa's camera is not `Send`, so it lives on a capture thread of its own, which keeps only
//! the newest frame: frames arriving while the scanner is busy replace each other, so the
//! scanner always reads the latest and the camera's buffers never back up. Frames become luma
//! on the reader's side, so a dropped frame costs one copy and no decoding.

use std::cmp::Reverse;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use image::GrayImage;
use nokhwa::Camera;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
};

use crate::{CameraState, FrameSource, SourceError};

/// The formats this module reads, best first at equal size and frame rate: YUYV, NV12 and
/// greyscale carry luma as it is (no decoding, no compression artefacts); MJPEG is decoded.
const READABLE: [FrameFormat; 4] = [
    FrameFormat::YUYV,
    FrameFormat::NV12,
    FrameFormat::GRAY,
    FrameFormat::MJPEG,
];

/// 720p: a code held at arm's length still gets a few pixels per module, and the scanner
/// reads such a frame in milliseconds.
const PREFERRED_SIZE: (u32, u32) = (1280, 720);

/// More frames a second than this add decoding work, not scans.
const ENOUGH_FPS: u32 = 30;

/// Opening includes the first frame, which some cameras take a second or two to deliver.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// A running camera sends a frame every few tens of milliseconds: this long without one
/// means it stopped.
const FRAME_TIMEOUT: Duration = Duration::from_secs(5);

/// A frame garbled on the way (a USB hiccup) is skipped; this many in a row means the camera
/// sends nothing readable.
const UNREADABLE_FRAMES_LIMIT: u32 = 30;

/// How long dropping a source waits for the camera to be released (one frame, normally).
const STOP_TIMEOUT: Duration = Duration::from_secs(1);

/// How long to wait for the user to answer the system's camera permission prompt (macOS).
const PERMISSION_TIMEOUT: Duration = Duration::from_secs(120);

/// A camera as [`cameras`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CameraInfo {
    /// What [`CameraChoice::Index`] takes; on Linux, N of /dev/videoN.
    pub index: u32,
    /// The name the system gives the camera, for a picker.
    pub name: String,
}

/// Which camera [`CameraSource::open`] opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CameraChoice {
    /// The first listed camera that opens: a laptop's own camera usually comes first.
    Any,
    /// The camera of this [`CameraInfo::index`].
    Index(u32),
}

/// The cameras that can be chosen, in index order; empty when there are none.
pub fn cameras() -> Vec<CameraInfo> {
    // nokhwa fails to list only when no backend exists here: for the user, no camera.
    let Ok(found) = nokhwa::query(ApiBackend::Auto) else {
        return Vec::new();
    };
    let mut cameras: Vec<CameraInfo> = found
        .into_iter()
        .filter_map(|info| {
            let index = info.index().as_index().ok()?;
            captures_video(index).then(|| CameraInfo {
                index,
                name: info.human_name(),
            })
        })
        .collect();
    cameras.sort_by_key(|camera| camera.index);
    cameras
}

/// Whether /dev/video`index` captures video: a UVC camera also has a metadata node, which
/// nokhwa lists as a second camera of the same name. A node that cannot be opened stays
/// listed, so that opening it tells the user why (access denied, busy).
#[cfg(target_os = "linux")]
fn captures_video(index: u32) -> bool {
    // v4l panics on a device name cut inside a UTF-8 character: such a node stays listed too.
    std::panic::catch_unwind(|| {
        let Ok(device) = v4l::Device::new(index as usize) else {
            return true;
        };
        device.query_caps().is_ok_and(|caps| {
            caps.capabilities
                .contains(v4l::capability::Flags::VIDEO_CAPTURE)
        })
    })
    .unwrap_or(true)
}

#[cfg(not(target_os = "linux"))]
fn captures_video(_index: u32) -> bool {
    true
}

/// A camera streaming greyscale frames, preferably 1280x720, else the size closest to it.
pub struct CameraSource {
    shared: Arc<Shared>,
    /// The format the camera streams in, fixed once streaming.
    format: CameraFormat,
    /// `None` once joined, or when the capture thread was left to end by itself.
    capture: Option<JoinHandle<()>>,
}

impl CameraSource {
    /// Opens a camera and waits for its first frame, so a camera that fails only once it
    /// streams (busy, not enough USB bandwidth) is reported here. Blocks up to a few seconds:
    /// call it off the UI thread.
    pub fn open(choice: CameraChoice) -> Result<CameraSource, CameraState> {
        let indices: Vec<u32> = cameras()
            .into_iter()
            .map(|camera| camera.index)
            .filter(|index| choice == CameraChoice::Any || choice == CameraChoice::Index(*index))
            .collect();
        if indices.is_empty() {
            return Err(CameraState::NoCamera);
        }
        // Only now: a device without a camera should not ask for access to one.
        ensure_permission()?;
        // The first reason that is not a missing camera tells the user most.
        let mut first_failure = None;
        for index in indices {
            match CameraSource::open_index(index) {
                Ok(source) => return Ok(source),
                Err(CameraState::NoCamera) => {}
                Err(state) => {
                    first_failure.get_or_insert(state);
                }
            }
        }
        Err(first_failure.unwrap_or(CameraState::NoCamera))
    }

    fn open_index(index: u32) -> Result<CameraSource, CameraState> {
        let shared = Arc::new(Shared::default());
        let (opened_sender, opened) = mpsc::channel();
        let capture = std::thread::Builder::new()
            .name(format!("camera {index}"))
            .spawn({
                let shared = Arc::clone(&shared);
                move || capture(index, &shared, &opened_sender)
            })
            .map_err(|error| CameraState::Failed(format!("cannot start its thread: {error}")))?;
        match opened.recv_timeout(OPEN_TIMEOUT) {
            Ok(Ok(format)) => Ok(CameraSource {
                shared,
                format,
                capture: Some(capture),
            }),
            Ok(Err(state)) => Err(state),
            Err(RecvTimeoutError::Timeout) => {
                // The thread ends after the first frame, if one ever comes.
                shared.request_stop();
                Err(CameraState::Failed(format!(
                    "no picture came within {} s",
                    OPEN_TIMEOUT.as_secs()
                )))
            }
            Err(RecvTimeoutError::Disconnected) => Err(CameraState::Failed(
                "its driver stopped unexpectedly".to_owned(),
            )),
        }
    }
}

impl FrameSource for CameraSource {
    fn is_live(&self) -> bool {
        true
    }

    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
        let mut unreadable = 0;
        loop {
            let Some(data) = self.shared.take_newest()? else {
                return Ok(None);
            };
            match to_luma(self.format, &data) {
                Ok(frame) => return Ok(Some(frame)),
                Err(error) => {
                    unreadable += 1;
                    if unreadable == UNREADABLE_FRAMES_LIMIT {
                        let message = format!("its pictures cannot be read ({error})");
                        return Err(CameraState::Failed(message).into());
                    }
                }
            }
        }
    }
}

impl Drop for CameraSource {
    /// Waits for the camera to be released, so it can be opened again at once; a camera
    /// stuck inside its driver is left to its thread rather than hang the caller.
    fn drop(&mut self) {
        if self.shared.stop_and_wait(STOP_TIMEOUT)
            && let Some(capture) = self.capture.take()
        {
            // Err only if nokhwa panicked while closing the camera, which is then closed.
            let _ = capture.join();
        }
    }
}

/// The capture thread: opens the camera, reports how that went through `opened`, then
/// keeps the newest frame in `shared` until asked to stop or the camera fails.
fn capture(index: u32, shared: &Shared, opened: &mpsc::Sender<Result<CameraFormat, CameraState>>) {
    let started = start_camera(index).and_then(|(mut camera, format)| {
        let first = camera.frame_raw().map_err(|error| state_of(&error))?;
        let first = first.to_vec();
        Ok((camera, format, first))
    });
    let (mut camera, format, first) = match started {
        Ok(started) => started,
        Err(state) => {
            // The receiver is gone only if opening timed out: nobody is waiting any more.
            let _ = opened.send(Err(state));
            return;
        }
    };
    shared.put(first);
    let _ = opened.send(Ok(format));
    let end = loop {
        match camera.frame_raw() {
            Ok(data) => {
                if !shared.put(data.to_vec()) {
                    break Capture::Stopped;
                }
            }
            Err(error) => break Capture::Failed(state_of(&error)),
        }
    };
    // Released before the end is announced, so whoever waits for it can reopen the camera.
    drop(camera);
    shared.end(end);
}

/// Opens camera `index` in the format [`choose_format`] prefers, its stream started.
fn start_camera(index: u32) -> Result<(Camera, CameraFormat), CameraState> {
    let readable = RequestedFormat::with_formats(RequestedFormatType::None, &READABLE);
    let mut camera =
        Camera::new(CameraIndex::Index(index), readable).map_err(|error| state_of(&error))?;
    if let Ok(formats) = camera.compatible_camera_formats()
        && let Some(best) = choose_format(&formats)
        && best != camera.camera_format()
    {
        let exact = [best.format()];
        // A camera may refuse a format it lists: it then streams in the one it opened with,
        // which the refresh below reads back.
        let _ = camera.set_camera_requset(RequestedFormat::with_formats(
            RequestedFormatType::Exact(best),
            &exact,
        ));
    }
    let format = camera
        .refresh_camera_format()
        .map_err(|error| state_of(&error))?;
    camera.open_stream().map_err(|error| state_of(&error))?;
    Ok((camera, format))
}

/// The readable format closest in size to [`PREFERRED_SIZE`], then the fastest up to
/// [`ENOUGH_FPS`], then the first in [`READABLE`]. Size is compared by pixel count as a
/// ratio, so 1920x1080 (2.25 times 720p) beats 640x480 (a third of it).
fn choose_format(formats: &[CameraFormat]) -> Option<CameraFormat> {
    let preferred = u64::from(PREFERRED_SIZE.0) * u64::from(PREFERRED_SIZE.1);
    formats
        .iter()
        .filter_map(|format| {
            let rank = READABLE.iter().position(|f| *f == format.format())?;
            let pixels = u64::from(format.width()) * u64::from(format.height());
            if pixels == 0 {
                return None;
            }
            let size_ratio = pixels.max(preferred) * 1000 / pixels.min(preferred);
            let fps = Reverse(format.frame_rate().min(ENOUGH_FPS));
            Some(((size_ratio, fps, rank), *format))
        })
        .min_by_key(|(key, _)| *key)
        .map(|(_, format)| format)
}

/// The camera's raw frame as luma. Any error means this one frame cannot be read.
fn to_luma(format: CameraFormat, data: &[u8]) -> Result<GrayImage, String> {
    let (width, height) = (format.width(), format.height());
    let pixels = width as usize * height as usize;
    let luma = match format.format() {
        // Y0 U Y1 V: every other byte is a pixel's luma.
        FrameFormat::YUYV => data
            .get(..pixels * 2)
            .map(|bytes| bytes.iter().step_by(2).copied().collect()),
        // NV12 starts with its full-size luma plane; greyscale is nothing else.
        FrameFormat::NV12 | FrameFormat::GRAY => data.get(..pixels).map(<[u8]>::to_vec),
        FrameFormat::MJPEG => return mjpeg_to_luma(data),
        other => return Err(format!("{other} frames are not supported")),
    };
    luma.and_then(|luma| GrayImage::from_raw(width, height, luma))
        .ok_or_else(|| {
            let kind = format.format();
            format!(
                "a {width}x{height} {kind} frame of {} bytes is too short",
                data.len()
            )
        })
}

/// An APP0 segment marking a JPEG as AVI1 MJPEG.
const AVI1_MARKER: [u8; 9] = [0xFF, 0xE0, 0x00, 0x07, b'A', b'V', b'I', b'1', 0x00];

/// Decodes an MJPEG frame. UVC cameras may leave out the Huffman tables, meaning the
/// standard ones; the JPEG decoder (zune-jpeg, in `image`) supplies those only for frames
/// marked AVI1, so every frame gets that mark. Tables a frame does carry still apply.
fn mjpeg_to_luma(data: &[u8]) -> Result<GrayImage, String> {
    let start_of_image = [0xFF, 0xD8];
    let Some(rest) = data.strip_prefix(&start_of_image) else {
        return Err("an MJPEG frame does not start like a JPEG".to_owned());
    };
    let jpeg = [&start_of_image[..], &AVI1_MARKER, rest].concat();
    crate::load_grey(&jpeg).map_err(|error| format!("an MJPEG frame is broken: {error}"))
}

/// nokhwa reports errors as text, its backends' and the system's words (the OS error codes
/// on Linux, HRESULTs on Windows): this reads the few states the user can act on out of it.
fn state_of(error: &nokhwa::NokhwaError) -> CameraState {
    classify(&error.to_string())
}

fn classify(message: &str) -> CameraState {
    let lower = message.to_lowercase();
    let says = |needles: &[&str]| needles.iter().any(|needle| lower.contains(needle));
    if says(&[
        "(os error 13)",
        "permission denied",
        "access is denied",
        "0x80070005",
    ]) {
        CameraState::PermissionDenied
    } else if says(&["(os error 16)", "resource busy", "0xc00d3704"]) {
        CameraState::Busy
    } else if says(&["(os error 2)", "(os error 6)", "(os error 19)"]) {
        CameraState::NoCamera
    } else {
        CameraState::Failed(message.to_owned())
    }
}

/// Asks for camera access where the system wants that first (macOS); elsewhere nokhwa
/// reports access as granted, and a denial shows when the camera is opened.
fn ensure_permission() -> Result<(), CameraState> {
    if nokhwa::nokhwa_check() {
        return Ok(());
    }
    let (answer, answered) = mpsc::channel();
    nokhwa::nokhwa_initialize(move |granted| {
        // Only a late answer finds the receiver gone, and it is then not needed.
        let _ = answer.send(granted);
    });
    match answered.recv_timeout(PERMISSION_TIMEOUT) {
        Ok(true) => Ok(()),
        Ok(false) | Err(_) => Err(CameraState::PermissionDenied),
    }
}

/// What the capture thread and the reader share.
#[derive(Default)]
struct Shared {
    slot: Mutex<Slot>,
    /// Signalled when a frame arrives and when the capture thread ends.
    changed: Condvar,
}

#[derive(Default)]
struct Slot {
    /// The newest frame not yet read; older ones were dropped.
    newest: Option<Vec<u8>>,
    stop_requested: bool,
    capture: Capture,
}

#[derive(Default)]
enum Capture {
    #[default]
    Running,
    Stopped,
    Failed(CameraState),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        // Every update of the slot is a single assignment: a panic cannot leave it half done.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `frame` as the newest, dropping an unread older one; false once asked to stop.
    fn put(&self, frame: Vec<u8>) -> bool {
        let mut slot = self.lock();
        slot.newest = Some(frame);
        self.changed.notify_all();
        !slot.stop_requested
    }

    fn end(&self, capture: Capture) {
        self.lock().capture = capture;
        self.changed.notify_all();
    }

    /// The newest frame, waiting for one; `None` once the capture has stopped.
    fn take_newest(&self) -> Result<Option<Vec<u8>>, CameraState> {
        let (mut slot, _) = self
            .changed
            .wait_timeout_while(self.lock(), FRAME_TIMEOUT, |slot| {
                slot.newest.is_none() && matches!(slot.capture, Capture::Running)
            })
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(frame) = slot.newest.take() {
            return Ok(Some(frame));
        }
        match &slot.capture {
            Capture::Running => Err(CameraState::Failed(format!(
                "no picture came for {} s",
                FRAME_TIMEOUT.as_secs()
            ))),
            Capture::Stopped => Ok(None),
            Capture::Failed(state) => Err(state.clone()),
        }
    }

    fn request_stop(&self) {
        self.lock().stop_requested = true;
    }

    /// Asks the capture thread to stop and waits up to `timeout` for it to end: whether it did.
    fn stop_and_wait(&self, timeout: Duration) -> bool {
        let mut slot = self.lock();
        slot.stop_requested = true;
        let (slot, _) = self
            .changed
            .wait_timeout_while(slot, timeout, |slot| {
                matches!(slot.capture, Capture::Running)
            })
            .unwrap_or_else(PoisonError::into_inner);
        !matches!(slot.capture, Capture::Running)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::sync::atomic::{AtomicBool, Ordering};

    use image::codecs::jpeg::JpegEncoder;
    use nokhwa::utils::Resolution;

    use super::*;

    fn format(width: u32, height: u32, pixels: FrameFormat, fps: u32) -> CameraFormat {
        CameraFormat::new(Resolution::new(width, height), pixels, fps)
    }

    #[test]
    fn yuyv_gives_every_other_byte_as_luma() {
        // Two rows of two pixel pairs: Y0 U Y1 V each.
        let yuyv = [
            10, 128, 20, 128, 30, 0, 40, 255, //
            50, 1, 60, 2, 70, 3, 80, 4,
        ];
        let frame = to_luma(format(4, 2, FrameFormat::YUYV, 30), &yuyv).unwrap();
        assert_eq!(frame.dimensions(), (4, 2));
        assert_eq!(frame.into_raw(), [10, 20, 30, 40, 50, 60, 70, 80]);
    }

    #[test]
    fn nv12_and_grey_give_their_luma_plane_and_padding_is_ignored() {
        let nv12 = [1, 2, 3, 4, 5, 6, /* UV */ 128, 128, 128, 128, 128, 128];
        let frame = to_luma(format(3, 2, FrameFormat::NV12, 30), &nv12).unwrap();
        assert_eq!(frame.into_raw(), [1, 2, 3, 4, 5, 6]);
        let grey = to_luma(format(2, 2, FrameFormat::GRAY, 30), &[9, 8, 7, 6, 0, 0]).unwrap();
        assert_eq!(grey.into_raw(), [9, 8, 7, 6]);
    }

    #[test]
    fn a_short_or_unsupported_frame_is_an_error() {
        let error = to_luma(format(4, 2, FrameFormat::YUYV, 30), &[0; 15]).unwrap_err();
        assert!(error.contains("15 bytes is too short"), "{error}");
        assert!(to_luma(format(1, 1, FrameFormat::RAWRGB, 30), &[0; 3]).is_err());
        let error = to_luma(format(2, 2, FrameFormat::MJPEG, 30), b"not a jpeg").unwrap_err();
        assert!(error.contains("MJPEG"), "{error}");
    }

    /// A 64x48 grey ramp, and its JPEG.
    fn ramp_and_jpeg() -> (GrayImage, Vec<u8>) {
        let ramp = GrayImage::from_fn(64, 48, |x, y| image::Luma([(x * 3 + y) as u8]));
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 95)
            .encode_image(&ramp)
            .expect("encode a JPEG");
        (ramp, jpeg)
    }

    fn assert_close(decoded: &GrayImage, original: &GrayImage) {
        assert_eq!(decoded.dimensions(), original.dimensions());
        let worst = decoded
            .pixels()
            .zip(original.pixels())
            .map(|(a, b)| a.0[0].abs_diff(b.0[0]))
            .max();
        assert!(worst <= Some(4), "differs by up to {worst:?}");
    }

    #[test]
    fn mjpeg_is_decoded_to_luma_close_to_the_source() {
        let (ramp, jpeg) = ramp_and_jpeg();
        let frame = to_luma(format(64, 48, FrameFormat::MJPEG, 30), &jpeg).unwrap();
        assert_close(&frame, &ramp);
        // A V4L2 buffer is handed over whole: after this frame, what is left of older ones.
        let in_buffer = [&jpeg[..], &[0x55; 4096]].concat();
        let frame = to_luma(format(64, 48, FrameFormat::MJPEG, 30), &in_buffer).unwrap();
        assert_close(&frame, &ramp);
    }

    /// `jpeg` without its DHT segments, as some UVC cameras send their frames.
    fn without_huffman_tables(jpeg: &[u8]) -> Vec<u8> {
        let mut stripped = jpeg[..2].to_vec();
        let mut at = 2;
        loop {
            let marker = jpeg[at + 1];
            if marker == 0xDA {
                stripped.extend_from_slice(&jpeg[at..]);
                return stripped;
            }
            let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
            if marker != 0xC4 {
                stripped.extend_from_slice(&jpeg[at..at + 2 + length]);
            }
            at += 2 + length;
        }
    }

    #[test]
    fn mjpeg_without_huffman_tables_uses_the_standard_ones() {
        let (ramp, jpeg) = ramp_and_jpeg();
        let stripped = without_huffman_tables(&jpeg);
        assert!(
            stripped.len() < jpeg.len(),
            "the encoder wrote Huffman tables"
        );
        assert!(
            crate::load_grey(&stripped).is_err(),
            "the tables are needed"
        );
        let frame = to_luma(format(64, 48, FrameFormat::MJPEG, 30), &stripped).unwrap();
        assert_close(&frame, &ramp);
    }

    #[test]
    fn the_format_closest_to_720p_is_chosen_then_the_faster_then_uncompressed() {
        let choose = |formats: &[CameraFormat]| choose_format(formats).unwrap();
        let yuyv_720_10 = format(1280, 720, FrameFormat::YUYV, 10);
        let mjpeg_720_30 = format(1280, 720, FrameFormat::MJPEG, 30);
        let yuyv_720_30 = format(1280, 720, FrameFormat::YUYV, 30);
        let mjpeg_720_60 = format(1280, 720, FrameFormat::MJPEG, 60);
        let yuyv_480_30 = format(640, 480, FrameFormat::YUYV, 30);
        let mjpeg_1080_30 = format(1920, 1080, FrameFormat::MJPEG, 30);
        let rgb_720_30 = format(1280, 720, FrameFormat::RAWRGB, 30);

        assert_eq!(choose(&[yuyv_480_30, yuyv_720_10]), yuyv_720_10);
        assert_eq!(choose(&[yuyv_720_10, mjpeg_720_30]), mjpeg_720_30);
        // Past 30 frames a second, speed no longer counts.
        assert_eq!(choose(&[mjpeg_720_60, yuyv_720_30]), yuyv_720_30);
        assert_eq!(choose(&[yuyv_480_30, mjpeg_1080_30]), mjpeg_1080_30);
        assert_eq!(choose(&[rgb_720_30, yuyv_480_30]), yuyv_480_30);
        assert_eq!(choose_format(&[rgb_720_30]), None);
    }

    #[test]
    fn system_errors_become_states() {
        let cases = [
            (
                "Could not open device 0: V4L2 Error: Permission denied (os error 13)",
                CameraState::PermissionDenied,
            ),
            (
                "Could not open device stream: Device or resource busy (os error 16)",
                CameraState::Busy,
            ),
            (
                "Could not open device 3: V4L2 Error: No such file or directory (os error 2)",
                CameraState::NoCamera,
            ),
            (
                "Could not capture frame: No such device (os error 19)",
                CameraState::NoCamera,
            ),
            (
                "Could not open device 0: Access is denied. (0x80070005)",
                CameraState::PermissionDenied,
            ),
        ];
        for (message, state) in cases {
            assert_eq!(classify(message), state, "{message}");
        }
        let other = "Could not get device property CameraFormat: Failed to Fufill";
        assert_eq!(classify(other), CameraState::Failed(other.to_owned()));
    }

    #[test]
    fn without_a_camera_none_is_listed_and_opening_says_no_camera() {
        let listed = cameras();
        if !listed.is_empty() {
            eprintln!("skipped: this machine has cameras: {listed:?}");
            return;
        }
        for choice in [CameraChoice::Any, CameraChoice::Index(0)] {
            let Err(state) = CameraSource::open(choice) else {
                panic!("{choice:?} opened a camera that was not listed");
            };
            assert_eq!(state, CameraState::NoCamera);
            assert_eq!(state.to_string(), "No camera was found on this device.");
        }
    }

    #[test]
    fn a_camera_sending_only_garbled_frames_fails_and_dropping_it_ends_its_thread() {
        let shared = Arc::new(Shared::default());
        let ended = Arc::new(AtomicBool::new(false));
        // Stands in for the capture thread: 3-byte frames where a 2x1 YUYV frame needs 4.
        let feeder = std::thread::spawn({
            let (shared, ended) = (Arc::clone(&shared), Arc::clone(&ended));
            move || {
                while shared.put(vec![0; 3]) {
                    std::thread::sleep(Duration::from_millis(1));
                }
                shared.end(Capture::Stopped);
                ended.store(true, Ordering::Relaxed);
            }
        });
        let mut source = CameraSource {
            shared,
            format: format(2, 1, FrameFormat::YUYV, 30),
            capture: Some(feeder),
        };
        let Err(SourceError::Camera(CameraState::Failed(message))) = source.next_frame() else {
            panic!("garbled frames were read");
        };
        assert!(message.contains("cannot be read"), "{message}");
        drop(source);
        assert!(ended.load(Ordering::Relaxed), "the thread was joined");
    }

    #[test]
    fn the_newest_frame_is_read_and_older_ones_are_dropped() {
        let shared = Shared::default();
        assert!(shared.put(vec![1]));
        assert!(shared.put(vec![2]));
        assert_eq!(shared.take_newest(), Ok(Some(vec![2])));
        shared.request_stop();
        assert!(!shared.put(vec![3]), "a stopped capture is told to end");
        shared.end(Capture::Failed(CameraState::Busy));
        assert_eq!(shared.take_newest(), Ok(Some(vec![3])));
        assert_eq!(shared.take_newest(), Err(CameraState::Busy));
        assert!(shared.stop_and_wait(Duration::ZERO));
    }
}
