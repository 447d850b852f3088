//! rqrr's panics stay off the panic hook, and the application's hook is back afterwards.
//! A binary of its own: it installs a process-wide hook.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn contained_panics_are_silent_and_the_previous_hook_is_restored() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    std::panic::set_hook(Box::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));

    // rqrr panics on this corpus photo in three passes of the cascade.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/qr-corpus/zxing-qrcode-6/7.png");
    let bytes = std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "the QR corpus is missing: cannot read {} ({error})",
            path.display()
        )
    });
    saifu_scan::decode_bytes(&bytes).expect("a readable PNG");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "a contained panic reached the hook"
    );

    let outside = std::panic::catch_unwind(|| panic!("not inside a scan"));
    assert!(outside.is_err());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the application's hook was not restored"
    );
    drop(std::panic::take_hook());
}
