//! Containment of rqrr's panics (it asserts on some real photos, e.g. in its geometry code).
//!
//! Catching is `catch_unwind`. Keeping the panic message off stderr needs the process-wide
//! panic hook, and the obvious scoped swap (take the hook, set a silent one, restore) is
//! wrong twice over: two overlapping scans can restore each other's silent hook for good,
//! and a panic on any other thread during the window vanishes. So while at least one scan
//! runs, a filtering hook is installed that stays silent only for a panic raised on a thread
//! that is inside a contained rqrr call, and hands every other panic to the hook it
//! replaced; the last scan to finish puts that hook back. The one case left: an application
//! that sets its own hook while a scan runs has it replaced when the scan ends.
//!
//! On targets built with `panic = "abort"` (wasm32-unknown-unknown by default) nothing can
//! be caught: a panic in rqrr aborts there.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Arc, Mutex, PoisonError};

type PanicHook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

thread_local! {
    static IN_CONTAINED_CALL: Cell<bool> = const { Cell::new(false) };
}

struct HookState {
    scans_running: usize,
    /// The hook the filter replaced, shared with the filter that delegates to it.
    replaced: Option<Arc<PanicHook>>,
}

static HOOK_STATE: Mutex<HookState> = Mutex::new(HookState {
    scans_running: 0,
    replaced: None,
});

/// Proof that panics in contained calls are silenced, for as long as it lives. Hold one
/// across a whole scan: installing the hook costs a lock, so once per frame, not per call.
pub(crate) struct QuietPanics(());

impl QuietPanics {
    pub(crate) fn enter() -> Self {
        let mut state = HOOK_STATE.lock().unwrap_or_else(PoisonError::into_inner);
        if state.scans_running == 0 {
            let replaced = Arc::new(panic::take_hook());
            let delegate = Arc::clone(&replaced);
            panic::set_hook(Box::new(move |info| {
                if !IN_CONTAINED_CALL.get() {
                    delegate(info);
                }
            }));
            state.replaced = Some(replaced);
        }
        state.scans_running += 1;
        QuietPanics(())
    }

    /// Runs `call`, turning a panic into `None`.
    pub(crate) fn contain<T>(&self, call: impl FnOnce() -> T) -> Option<T> {
        IN_CONTAINED_CALL.set(true);
        let result = panic::catch_unwind(AssertUnwindSafe(call));
        IN_CONTAINED_CALL.set(false);
        result.ok()
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        // Touching the hook from a panicking thread aborts; left installed, the filter
        // still hands every other panic on.
        if std::thread::panicking() {
            return;
        }
        let mut state = HOOK_STATE.lock().unwrap_or_else(PoisonError::into_inner);
        state.scans_running -= 1;
        if state.scans_running > 0 {
            return;
        }
        drop(panic::take_hook());
        if let Some(replaced) = state.replaced.take() {
            // The filter just dropped held the only other reference, unless a panic on
            // another thread is running it right now; then keep delegating through it.
            match Arc::try_unwrap(replaced) {
                Ok(hook) => panic::set_hook(hook),
                Err(shared) => panic::set_hook(Box::new(move |info| shared(info))),
            }
        }
    }
}
