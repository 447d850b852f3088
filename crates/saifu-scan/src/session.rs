//! A scanning session: frames from a source decoded on a worker thread, each code reported
//! once while it stays in view.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::{Decoded, FrameSource, SourceError, decode};

/// A code seen again less than this after its last sighting is the same presentation of it
/// (a camera sees a code in many consecutive frames), not a new scan.
const REPORT_AGAIN_AFTER: Duration = Duration::from_secs(2);

/// What a session tells its owner. `NoCamera` and `SourceEnded` are states to show, not
/// failures; after either, and after `Error`, the session has stopped reading.
#[derive(Clone, Debug, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "an event is made a few times per scan and moved once into the callback"
)]
pub enum ScanEvent {
    Found(Decoded),
    NoCamera,
    SourceEnded,
    Error(String),
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
        let stop_requested = Arc::new(AtomicBool::new(false));
        let worker = {
            let stop_requested = Arc::clone(&stop_requested);
            std::thread::spawn(move || scan(source, &on_event, &stop_requested))
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
    on_event: &dyn Fn(ScanEvent),
    stop_requested: &AtomicBool,
) {
    let mut repeats = RepeatFilter::new(REPORT_AGAIN_AFTER);
    while !stop_requested.load(Ordering::Relaxed) {
        match source.next_frame() {
            Ok(Some(frame)) => {
                let seen_at = Instant::now();
                for code in decode(&frame) {
                    if repeats.is_new(&code.text, seen_at) {
                        on_event(ScanEvent::Found(code));
                    }
                }
            }
            Ok(None) => return on_event(ScanEvent::SourceEnded),
            Err(SourceError::NoCamera) => return on_event(ScanEvent::NoCamera),
            Err(error) => return on_event(ScanEvent::Error(error.to_string())),
        }
    }
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
}
