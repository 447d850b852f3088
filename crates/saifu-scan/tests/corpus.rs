//! The real-photo corpus in shared/qr-corpus (zxing's and zxing-cpp's QR test images, each
//! with its expected text). The score is printed per set with every failure, and asserted
//! against a floor that only ever goes up; a code read with a wrong text fails the test
//! whatever the score (a wrong payment text is worse than none).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The score this crate reaches today; raise it when the decoder improves.
const FLOOR: usize = 190;

/// Images holding a second, real code besides the expected one (a "double QR": a small code
/// inside a large one), and how that code's text starts.
const SECOND_CODES: [(&str, &str); 1] = [("zxing-qrcode-2/16.png", "[内側QRコード]")];

struct Sample {
    /// As the manifest names it, relative to the corpus.
    name: String,
    image: PathBuf,
    expected: String,
    set: String,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/qr-corpus")
}

fn samples() -> Vec<Sample> {
    let dir = corpus_dir();
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap_or_else(|error| {
        panic!(
            "the QR corpus is missing: cannot read {}/manifest.tsv ({error}); \
             it lives in shared/qr-corpus beside the repository",
            dir.display()
        )
    });
    manifest
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let [image, expected, set] = line.split('\t').collect::<Vec<_>>()[..] else {
                panic!("manifest line is not image<TAB>expected<TAB>set: {line:?}");
            };
            let expected = std::fs::read_to_string(dir.join(expected))
                .unwrap_or_else(|error| panic!("cannot read {expected}: {error}"));
            Sample {
                name: image.to_owned(),
                image: dir.join(image),
                expected,
                set: set.to_owned(),
            }
        })
        .collect()
}

/// How the reference scores were taken: line ends as LF, trailing ones dropped.
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim_end_matches('\n')
        .to_owned()
}

#[test]
fn corpus_score_does_not_fall() {
    let samples = samples();
    assert_eq!(samples.len(), 201, "the manifest lists 201 images");
    let mut per_set: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut wrong = Vec::new();
    let started = Instant::now();
    for sample in &samples {
        let bytes = std::fs::read(&sample.image)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", sample.image.display()));
        let codes = saifu_scan::decode_bytes(&bytes)
            .unwrap_or_else(|error| panic!("{}: {error}", sample.image.display()));
        let expected = normalise(&sample.expected);
        let correct = codes.iter().any(|code| normalise(&code.text) == expected);
        for code in &codes {
            let is_second_code = SECOND_CODES
                .iter()
                .any(|(name, start)| sample.name == *name && code.text.starts_with(start));
            if normalise(&code.text) != expected && !is_second_code {
                wrong.push(format!("{}: read {:?}", sample.name, code.text));
            }
        }
        let (passed, total) = per_set.entry(&sample.set).or_default();
        *total += 1;
        if correct {
            *passed += 1;
        } else {
            let found: Vec<_> = codes.iter().map(|code| &code.text).collect();
            failures.push(format!("{}: found {found:?}", sample.name));
        }
    }
    let score: usize = per_set.values().map(|(passed, _)| passed).sum();
    println!("failures:");
    for failure in &failures {
        println!("  {failure}");
    }
    for (set, (passed, total)) in &per_set {
        println!("{set}: {passed}/{total}");
    }
    println!(
        "total: {score}/{} in {:.1} s",
        samples.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(wrong.is_empty(), "codes read with a wrong text: {wrong:#?}");
    assert!(
        score >= FLOOR,
        "corpus score {score} fell below the floor {FLOOR}"
    );
}
