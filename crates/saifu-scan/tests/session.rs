//! `ScanSession` over in-memory and file sources.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use common::{PAYNOW, code_image, noisy_frame};
use image::GrayImage;
use saifu_scan::{
    CameraState, FrameSource, ImageFileSource, Preview, ScanEvent, ScanSession, SourceError,
    SyntheticSource,
};

fn start(source: impl FrameSource + Send + 'static) -> (ScanSession, Receiver<ScanEvent>) {
    start_with(source, None)
}

fn start_with(
    source: impl FrameSource + Send + 'static,
    preview: Option<Preview>,
) -> (ScanSession, Receiver<ScanEvent>) {
    let (sender, events) = mpsc::channel();
    let on_event = move |event| {
        // The receiver outlives every session in these tests.
        sender.send(event).expect("the test still listens");
    };
    let session = match preview {
        Some(preview) => ScanSession::start_with_preview(Box::new(source), preview, on_event),
        None => ScanSession::start(Box::new(source), on_event),
    };
    (session, events)
}

/// Every event up to and including the one that ends the session.
fn events_until_the_end(events: &Receiver<ScanEvent>) -> Vec<ScanEvent> {
    let mut seen = Vec::new();
    loop {
        let event = events
            .recv_timeout(Duration::from_secs(60))
            .expect("the session ends by itself");
        let ends = !matches!(event, ScanEvent::Found(_) | ScanEvent::Preview(_));
        seen.push(event);
        if ends {
            return seen;
        }
    }
}

fn found_texts(events: &[ScanEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|event| match event {
            ScanEvent::Found(codes) => Some(codes.iter().map(|code| code.text.as_str())),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn the_same_code_in_thirty_frames_is_found_once() {
    let frame = noisy_frame(640, 480, &code_image(PAYNOW.as_bytes(), 3), (150, 80));
    let (_session, events) = start(SyntheticSource::new(vec![frame; 30]));
    let events = events_until_the_end(&events);
    assert_eq!(found_texts(&events), [PAYNOW]);
    assert_eq!(events.last(), Some(&ScanEvent::SourceEnded));
}

#[test]
fn different_codes_are_each_found() {
    let frames = [b"wxp://f2f0Abc".as_slice(), b"upi://pay?pa=shop@okicici"]
        .into_iter()
        .flat_map(|payload| vec![code_image(payload, 4); 3]);
    let (_session, events) = start(SyntheticSource::new(frames));
    let events = events_until_the_end(&events);
    assert_eq!(
        found_texts(&events),
        ["wxp://f2f0Abc", "upi://pay?pa=shop@okicici"]
    );
}

#[test]
fn two_codes_in_one_frame_are_offered_together_once() {
    let (left, right) = (
        code_image(b"wxp://f2f0Abc", 4),
        code_image(b"upi://pay?pa=shop@okicici", 4),
    );
    let frame = GrayImage::from_fn(
        left.width() + right.width() + 40,
        left.height().max(right.height()),
        |x, y| {
            let right_from = left.width() + 40;
            let pixel = if x < left.width() {
                left.get_pixel_checked(x, y)
            } else if x >= right_from {
                right.get_pixel_checked(x - right_from, y)
            } else {
                None
            };
            pixel.copied().unwrap_or(image::Luma([255]))
        },
    );
    let (_session, events) = start(SyntheticSource::new(vec![frame; 3]));
    let events = events_until_the_end(&events);
    let found: Vec<Vec<&str>> = events
        .iter()
        .filter_map(|event| match event {
            ScanEvent::Found(codes) => Some(codes.iter().map(|code| code.text.as_str()).collect()),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let mut texts = found[0].clone();
    texts.sort_unstable();
    assert_eq!(texts, ["upi://pay?pa=shop@okicici", "wxp://f2f0Abc"]);
}

/// In-memory frames that a session treats as a camera's.
struct Live(SyntheticSource);

impl FrameSource for Live {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
        self.0.next_frame()
    }

    fn is_live(&self) -> bool {
        true
    }
}

#[test]
fn a_live_source_has_the_sharpest_of_a_few_frames_decoded() {
    // Three frames a hand moved between: the blurred ones still readable, but passed over.
    let blurred = |payload: &[u8]| image::imageops::blur(&code_image(payload, 4), 1.2);
    let frames = [
        blurred(b"wxp://blurred-before"),
        code_image(b"wxp://steady", 4),
        blurred(b"wxp://blurred-after"),
        // A group the source's end cuts short is read too.
        code_image(b"wxp://last", 4),
    ];
    assert!(
        frames
            .iter()
            .all(|frame| !saifu_scan::decode(frame).is_empty())
    );
    let (_session, events) = start(Live(SyntheticSource::new(frames)));
    let events = events_until_the_end(&events);
    assert_eq!(found_texts(&events), ["wxp://steady", "wxp://last"]);
}

#[test]
fn an_image_file_is_scanned_then_the_source_ends() {
    let path = std::env::temp_dir().join(format!("saifu-scan-session-{}.png", std::process::id()));
    code_image(b"https://qr.alipay.com/fkx0abc", 4)
        .save(&path)
        .expect("write a temporary PNG");
    let (session, events) = start(ImageFileSource::new(&path));
    let events = events_until_the_end(&events);
    session.stop();
    std::fs::remove_file(&path).expect("remove the temporary PNG");
    assert_eq!(found_texts(&events), ["https://qr.alipay.com/fkx0abc"]);
    assert_eq!(events.last(), Some(&ScanEvent::SourceEnded));
}

/// A source that fails with the given error at once.
struct Failing(Option<SourceError>);

impl FrameSource for Failing {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
        Err(self
            .0
            .take()
            .expect("a session stops at its source's first error"))
    }
}

#[test]
fn camera_states_are_reported_as_such_and_other_failures_are_errors() {
    for state in [CameraState::NoCamera, CameraState::PermissionDenied] {
        let (_session, events) = start(Failing(Some(SourceError::Camera(state.clone()))));
        assert_eq!(events_until_the_end(&events), [ScanEvent::Camera(state)]);
    }

    let (_session, events) = start(ImageFileSource::new("/nonexistent/code.png"));
    let events = events_until_the_end(&events);
    let [ScanEvent::Error(message)] = &events[..] else {
        panic!("expected one error, got {events:?}");
    };
    assert!(message.contains("/nonexistent/code.png"), "{message}");
}

#[test]
fn a_preview_session_sends_small_frames_and_still_finds_each_code_once() {
    let frame = noisy_frame(640, 480, &code_image(PAYNOW.as_bytes(), 3), (150, 80));
    let preview_sizes = |interval| {
        let preview = Preview {
            width: 320,
            interval,
        };
        let source = SyntheticSource::new(vec![frame.clone(); 5]);
        let (_session, events) = start_with(source, Some(preview));
        let events = events_until_the_end(&events);
        assert_eq!(found_texts(&events), [PAYNOW]);
        assert!(
            matches!(events.first(), Some(ScanEvent::Preview(_))),
            "a frame is previewed before it is scanned"
        );
        events
            .iter()
            .filter_map(|event| match event {
                ScanEvent::Preview(thumbnail) => Some(thumbnail.dimensions()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(preview_sizes(Duration::ZERO), [(320, 240); 5]);
    assert_eq!(preview_sizes(Duration::from_secs(3600)), [(320, 240)]);
}

/// Blank frames forever, counting them.
struct Endless(Arc<AtomicUsize>);

impl FrameSource for Endless {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(Some(GrayImage::from_pixel(64, 64, image::Luma([200]))))
    }
}

#[test]
fn stopping_or_dropping_a_session_ends_its_thread() {
    for stop_explicitly in [true, false] {
        let frames_read = Arc::new(AtomicUsize::new(0));
        let (session, events) = start(Endless(Arc::clone(&frames_read)));
        while frames_read.load(Ordering::Relaxed) < 3 {
            std::thread::yield_now();
        }
        if stop_explicitly {
            session.stop();
        } else {
            drop(session);
        }
        // The worker has been joined: no frame is read after this, and nothing was reported.
        let after_stop = frames_read.load(Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(frames_read.load(Ordering::Relaxed), after_stop);
        assert!(events.try_recv().is_err());
    }
}
