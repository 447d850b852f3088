//! A scanning session: frames from a source decoded on a worker thread (a live source's
//! sharpest of every few), each code reported once while it stays in view, and optionally a
//! small preview of the frames for a viewfinder.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::GrayImage;

use crate::{CameraState, Decoded, FrameSource, SourceError, decode};

/// A code seen again less than this after its last sighting is the same presentation of it
/// (a camera sees a code in many consecutive frames), not a new scan.
const REPORT_AGAIN_AFTER: Duration = Duration::from_secs(2);

/// What a session tells its owner. `Camera` and `SourceEnded` are states to show, not
/// failures; after either, and after `Error`, the session has stopped reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanEvent {
    /// The codes of one frame, when at least one of them was not in view lately: a frame
    /// can hold several (a shop's counter with two codes side by side), for the user to
    /// choose from.
    Found(Vec<Decoded>),
    /// The frame about to be scanned, downscaled: only with [`ScanSession::start_with_preview`].
    Preview(GrayImage),
    /// The camera cannot be used (none, access denied, busy) or stopped working.
    Camera(CameraState),
    SourceEnded,
    Error(String),
}

/// How a session previews its frames: a viewfinder needs a few small frames a second, not
/// every full one (a 720p frame is 0.9 MB, a 320 px wide one 58 kB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preview {
    /// Width of a preview frame; a narrower source frame is sent as it is.
    pub width: u32,
    /// Least time between two previews; frames in between are scanned but not previewed.
    pub interval: Duration,
}

/// A running scan. Stopping, explicitly or by dropping it, waits for the worker thread:
/// that happens between frames, so a source should return frames regularly.
pub struct ScanSession {
    stop_requested: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl ScanSession {
    /// Reads `source` on a new thread and calls `on_event` there for every event.
    pub fn start(
        source: Box<dyn FrameSource + Send>,
        on_event: impl Fn(ScanEvent) + Send + 'static,
    ) -> ScanSession {
        ScanSession::spawn(source, None, on_event)
    }

    /// [`ScanSession::start`], also sending [`ScanEvent::Preview`]s as `preview` says. A
    /// preview comes before the frame is scanned, so a slow `on_event` delays scanning.
    pub fn start_with_preview(
        source: Box<dyn FrameSource + Send>,
        preview: Preview,
        on_event: impl Fn(ScanEvent) + Send + 'static,
    ) -> ScanSession {
        ScanSession::spawn(source, Some(preview), on_event)
    }

    fn spawn(
        source: Box<dyn FrameSource + Send>,
        preview: Option<Preview>,
        on_event: impl Fn(ScanEvent) + Send + 'static,
    ) -> ScanSession {
        let stop_requested = Arc::new(AtomicBool::new(false));
        let worker = {
            let stop_requested = Arc::clone(&stop_requested);
            std::thread::spawn(move || scan(source, preview, &on_event, &stop_requested))
        };
        ScanSession {
            stop_requested,
            worker: Some(worker),
        }
    }

    /// Stops reading frames and waits for the worker thread to end.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop_requested.store(true, Ordering::Relaxed);
        if let Some(worker) = self.worker.take() {
            // Err only if `on_event` panicked, which the panic hook has already reported;
            // stopping stays infallible.
            let _ = worker.join();
        }
    }
}

impl Drop for ScanSession {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

fn scan(
    mut source: Box<dyn FrameSource + Send>,
    preview: Option<Preview>,
    on_event: &dyn Fn(ScanEvent),
    stop_requested: &AtomicBool,
) {
    let group = if source.is_live() { LIVE_GROUP } else { 1 };
    let mut repeats = RepeatFilter::new(REPORT_AGAIN_AFTER);
    let mut last_preview = None;
    let mut sharpest = Sharpest::default();
    let mut report = |frame: &GrayImage, seen_at: Instant| {
        let codes = decode(frame);
        // Every code is marked seen, so none is offered again while it stays in view.
        let new = codes
            .iter()
            .filter(|code| repeats.is_new(&code.text, seen_at))
            .count();
        if new > 0 {
            on_event(ScanEvent::Found(codes));
        }
    };
    while !stop_requested.load(Ordering::Relaxed) {
        match source.next_frame() {
            Ok(Some(frame)) => {
                let seen_at = Instant::now();
                if let Some(preview) = preview
                    && last_preview.is_none_or(|at| seen_at.duration_since(at) >= preview.interval)
                {
                    last_preview = Some(seen_at);
                    on_event(ScanEvent::Preview(thumbnail(&frame, preview.width)));
                }
                if group == 1 {
                    report(&frame, seen_at);
                } else if let Some((frame, seen_at)) = sharpest.offer(frame, seen_at, group) {
                    report(&frame, seen_at);
                }
            }
            Ok(None) => {
                // The last frames of a source that ends are read too.
                if let Some((frame, seen_at)) = sharpest.take() {
                    report(&frame, seen_at);
                }
                return on_event(ScanEvent::SourceEnded);
            }
            Err(SourceError::Camera(state)) => return on_event(ScanEvent::Camera(state)),
            Err(error) => return on_event(ScanEvent::Error(error.to_string())),
        }
    }
}

/// Frames of a live source looked at for each one decoded: the sharpest of them. At a
/// camera's 30 frames a second that waits about 70 ms, decodes a third of the frames, and
/// passes over a frame a moving hand blurred for a steadier one beside it.
const LIVE_GROUP: usize = 3;

/// The sharpest of the frames looked at since the last one decoded.
#[derive(Default)]
struct Sharpest {
    best: Option<(u64, GrayImage, Instant)>,
    looked_at: usize,
}

impl Sharpest {
    /// Keeps `frame` if it is the sharpest yet; after `group` frames, hands out the
    /// sharpest and starts again.
    fn offer(
        &mut self,
        frame: GrayImage,
        seen_at: Instant,
        group: usize,
    ) -> Option<(GrayImage, Instant)> {
        let score = sharpness(&frame);
        if self.best.as_ref().is_none_or(|(best, ..)| score > *best) {
            self.best = Some((score, frame, seen_at));
        }
        self.looked_at += 1;
        if self.looked_at < group {
            return None;
        }
        self.take()
    }

    fn take(&mut self) -> Option<(GrayImage, Instant)> {
        self.looked_at = 0;
        self.best.take().map(|(_, frame, seen_at)| (frame, seen_at))
    }
}

/// How sharp a frame is: the mean squared difference between neighbouring pixels, every
/// pair so that no edge falls between samples (one pass over the frame, far less than a
/// decode). Blur, from focus or motion, softens edges and lowers it.
fn sharpness(frame: &GrayImage) -> u64 {
    let (width, height) = (frame.width() as usize, frame.height() as usize);
    let pixels = frame.as_raw();
    let (mut sum, mut count) = (0u64, 0u64);
    for y in 0..height.saturating_sub(1) {
        for x in 0..width.saturating_sub(1) {
            let at = y * width + x;
            let here = i64::from(pixels[at]);
            let across = here - i64::from(pixels[at + 1]);
            let down = here - i64::from(pixels[at + width]);
            sum += (across * across + down * down) as u64;
            count += 1;
        }
    }
    sum / count.max(1)
}

/// `frame` scaled to `width`, keeping its aspect ratio; never enlarged.
fn thumbnail(frame: &GrayImage, width: u32) -> GrayImage {
    if frame.width() <= width {
        return frame.clone();
    }
    // Below frame.height(), so the cast is exact; a very wide frame still gets one row.
    let height = (u64::from(frame.height()) * u64::from(width) / u64::from(frame.width())) as u32;
    let height = height.max(1);
    image::imageops::thumbnail(frame, width, height)
}

/// Remembers when each text was last seen, so a code in view for many frames is reported
/// once, and again only after it has been out of view for the quiet period.
struct RepeatFilter {
    quiet_period: Duration,
    last_seen: HashMap<String, Instant>,
}

impl RepeatFilter {
    fn new(quiet_period: Duration) -> Self {
        RepeatFilter {
            quiet_period,
            last_seen: HashMap::new(),
        }
    }

    fn is_new(&mut self, text: &str, now: Instant) -> bool {
        // Forgetting what is out of view keeps the map as small as what the camera sees.
        self.last_seen
            .retain(|_, seen| now.duration_since(*seen) < self.quiet_period);
        self.last_seen.insert(text.to_owned(), now).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_in_view_is_reported_once_and_again_after_a_quiet_period() {
        let start = Instant::now();
        let at = |millis| start + Duration::from_millis(millis);
        let mut repeats = RepeatFilter::new(Duration::from_secs(2));
        assert!(repeats.is_new("a", at(0)));
        // Seen every 1.5 s for 6 s: each sighting extends the presentation.
        for millis in [1500, 3000, 4500, 6000] {
            assert!(!repeats.is_new("a", at(millis)));
        }
        assert!(repeats.is_new("b", at(6000)));
        assert!(!repeats.is_new("b", at(7999)));
        assert!(repeats.is_new("a", at(8000)));
    }

    #[test]
    fn of_each_group_of_frames_the_sharpest_is_decoded() {
        let start = Instant::now();
        // Stripes: sharp ones with hard edges, soft ones blurred into a ramp.
        let sharp = GrayImage::from_fn(64, 64, |x, _| {
            image::Luma([if x % 8 < 4 { 30 } else { 220 }])
        });
        let soft = image::imageops::blur(&sharp, 2.0);
        assert!(sharpness(&sharp) > sharpness(&soft));
        assert_eq!(sharpness(&GrayImage::new(1, 1)), 0);

        let mut sharpest = Sharpest::default();
        let at = |millis| start + Duration::from_millis(millis);
        assert_eq!(sharpest.offer(soft.clone(), at(0), 3), None);
        assert_eq!(sharpest.offer(sharp.clone(), at(33), 3), None);
        let (frame, seen_at) = sharpest
            .offer(soft.clone(), at(66), 3)
            .expect("a third frame");
        assert_eq!((frame, seen_at), (sharp.clone(), at(33)));
        // A group cut short by the source's end still hands its frame out.
        assert_eq!(sharpest.offer(soft.clone(), at(99), 3), None);
        assert_eq!(sharpest.take(), Some((soft, at(99))));
        assert_eq!(sharpest.take(), None);
    }

    #[test]
    fn a_thumbnail_keeps_the_aspect_ratio_and_never_enlarges() {
        let frame = GrayImage::from_pixel(1280, 720, image::Luma([90]));
        let small = thumbnail(&frame, 320);
        assert_eq!(small.dimensions(), (320, 180));
        assert!(small.pixels().all(|pixel| pixel.0 == [90]));
        assert_eq!(thumbnail(&small, 640).dimensions(), (320, 180));
        assert_eq!(
            thumbnail(&GrayImage::new(4000, 3), 320).dimensions(),
            (320, 1)
        );
    }
}
