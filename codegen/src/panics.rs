//! Running code that may panic (progenitor does, on shapes it does not support) without the
//! panic's message or backtrace reaching the screen: the caller turns it into an error.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Arc, Mutex};
use std::thread;

/// Serialises the hook swap, so two threads generating at once restore hooks in order.
static HOOK: Mutex<()> = Mutex::new(());

thread_local! {
    /// Whether this thread is inside [`catch`]: its panics print nothing.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

type Hook = dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static;

/// Runs `f`, catching a panic. While it runs, panics on this thread print nothing (even with
/// `RUST_BACKTRACE=1`); panics on other threads go to the previous hook, which is restored
/// afterwards.
pub(crate) fn catch_quietly<T>(f: impl FnOnce() -> T) -> thread::Result<T> {
    with_quiet_hook(|| catch(f))
}

/// Runs `f` with a panic hook that prints nothing for panics inside [`catch`] (on any
/// thread) and passes every other panic to the previous hook, restored afterwards.
pub(crate) fn with_quiet_hook<T>(f: impl FnOnce() -> T) -> T {
    let _guard = HOOK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let previous: Arc<Hook> = Arc::from(panic::take_hook());
    let forward = Arc::clone(&previous);
    panic::set_hook(Box::new(move |info| {
        if !CATCHING.with(Cell::get) {
            forward(info);
        }
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    drop(panic::take_hook());
    panic::set_hook(Box::new(move |info| previous(info)));
    result.unwrap_or_else(|payload| panic::resume_unwind(payload))
}

/// Runs `f`, catching a panic; inside [`with_quiet_hook`], the panic prints nothing.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> thread::Result<T> {
    let outer = CATCHING.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(outer));
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_is_caught_and_the_hook_restored() {
        let result = super::catch_quietly(|| -> u8 { panic!("boom") });
        assert!(result.is_err());
        assert_eq!(super::catch_quietly(|| 7).unwrap(), 7);
    }

    #[test]
    fn panics_caught_on_other_threads_are_caught_too() {
        let results = super::with_quiet_hook(|| {
            std::thread::scope(|scope| {
                let worker = scope.spawn(|| super::catch(|| -> u8 { panic!("boom") }).is_err());
                worker.join().expect("the worker caught its panic")
            })
        });
        assert!(results);
    }
}
