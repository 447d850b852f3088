//! Where frames come from. The scanner only sees this trait, so the session's logic is
//! tested with in-memory frames, and a camera is one more implementation.

use std::collections::VecDeque;
use std::path::PathBuf;

use image::GrayImage;

/// A stream of greyscale frames.
pub trait FrameSource {
    /// The next frame; `Ok(None)` once the source has no more (a file read, a camera closed).
    /// Blocks until a frame is there. A live source hands out its newest frame and drops
    /// those that arrived while the caller was busy, so the scanner never lags behind it.
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError>;

    /// Whether frames keep coming of themselves (a camera): a session then decodes the
    /// sharpest of every few rather than each. A file or a replay has every frame read.
    fn is_live(&self) -> bool {
        false
    }
}

/// Why a camera cannot be used: a state for the app to show and let the user act on, not a
/// failure of the scanner. Defined without the `camera` feature too, so that any source and
/// [`crate::ScanEvent`] can report it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CameraState {
    #[error("No camera was found on this device.")]
    NoCamera,
    #[error("Camera access is denied: allow this app to use the camera in the system settings.")]
    PermissionDenied,
    #[error("The camera is in use by another app: close that app and try again.")]
    Busy,
    /// Anything else, with the system's own words.
    #[error("The camera cannot be used: {0}")]
    Failed(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Camera(#[from] CameraState),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a readable image: {source}")]
    Image {
        path: PathBuf,
        source: image::ImageError,
    },
}

/// One image file as a single frame: scanning a saved screenshot or photo.
pub struct ImageFileSource {
    /// `None` once the frame has been handed out.
    path: Option<PathBuf>,
}

impl ImageFileSource {
    /// Nothing is read until the first frame is asked for.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        ImageFileSource {
            path: Some(path.into()),
        }
    }
}

impl FrameSource for ImageFileSource {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
        let Some(path) = self.path.take() else {
            return Ok(None);
        };
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(source) => return Err(SourceError::Read { path, source }),
        };
        match crate::load_grey(&bytes) {
            Ok(frame) => Ok(Some(frame)),
            Err(source) => Err(SourceError::Image { path, source }),
        }
    }
}

/// Frames given in memory, handed out in order: for tests and replays.
pub struct SyntheticSource {
    frames: VecDeque<GrayImage>,
}

impl SyntheticSource {
    pub fn new(frames: impl IntoIterator<Item = GrayImage>) -> Self {
        SyntheticSource {
            frames: frames.into_iter().collect(),
        }
    }
}

impl FrameSource for SyntheticSource {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
        Ok(self.frames.pop_front())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synthetic_source_hands_out_its_frames_then_ends() {
        let mut source = SyntheticSource::new([GrayImage::new(1, 1), GrayImage::new(2, 2)]);
        assert_eq!(source.next_frame().unwrap().map(|f| f.width()), Some(1));
        assert_eq!(source.next_frame().unwrap().map(|f| f.width()), Some(2));
        assert!(source.next_frame().unwrap().is_none());
    }

    #[test]
    fn an_image_file_is_one_frame() {
        let path = std::env::temp_dir().join(format!("saifu-scan-{}.png", std::process::id()));
        GrayImage::from_pixel(3, 2, image::Luma([200]))
            .save(&path)
            .expect("write a temporary PNG");
        let mut source = ImageFileSource::new(&path);
        let frame = source.next_frame();
        std::fs::remove_file(&path).expect("remove the temporary PNG");
        assert_eq!(frame.unwrap().map(|f| f.dimensions()), Some((3, 2)));
        assert!(source.next_frame().unwrap().is_none());
    }

    #[test]
    fn a_missing_or_broken_file_is_an_error_naming_it() {
        let mut missing = ImageFileSource::new("/nonexistent/code.png");
        let error = missing.next_frame().unwrap_err();
        assert!(matches!(error, SourceError::Read { .. }));
        assert!(error.to_string().contains("/nonexistent/code.png"));

        let path = std::env::temp_dir().join(format!("saifu-scan-{}.jpg", std::process::id()));
        std::fs::write(&path, b"not an image").expect("write a temporary file");
        let result = ImageFileSource::new(&path).next_frame();
        std::fs::remove_file(&path).expect("remove the temporary file");
        assert!(matches!(result, Err(SourceError::Image { .. })));
    }
}
