//! Running code that may panic (progenitor does, on shapes it does not support) without the
//! panic's message or backtrace reaching the screen: the caller turns it into an error.

use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Arc, Mutex};
use std::thread;

/// Serialises the hook swap, so two threads generating at once restore hooks in order.
static HOOK: Mutex<()> = Mutex::new(());

type Hook = dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static;

/// Runs `f`, catching a panic. While it runs, panics on this thread print nothing (even with
/// `RUST_BACKTRACE=1`); panics on other threads go to the previous hook, which is restored
/// afterwards.
pub(crate) fn catch_quietly<T>(f: impl FnOnce() -> T) -> thread::Result<T> {
    let _guard = HOOK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let previous: Arc<Hook> = Arc::from(panic::take_hook());
    let forward = Arc::clone(&previous);
    let this_thread = thread::current().id();
    panic::set_hook(Box::new(move |info| {
        if thread::current().id() != this_thread {
            forward(info);
        }
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    drop(panic::take_hook());
    panic::set_hook(Box::new(move |info| previous(info)));
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
}
