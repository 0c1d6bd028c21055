//! Whether ops record the graph: on by default, off inside [`no_grad`] and while `backward` runs.

use std::cell::Cell;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// True when new ops record themselves for `backward`.
pub fn is_grad_enabled() -> bool {
    ENABLED.with(Cell::get)
}

/// Runs `f` with graph recording off (PyTorch's `torch.no_grad()`), restoring the previous mode after.
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            ENABLED.with(|e| e.set(self.0));
        }
    }
    let _restore = Restore(ENABLED.with(|e| e.replace(false)));
    f()
}

/// Sets graph recording on or off, returning the previous mode (for the JS boundary, where a closure
/// cannot be passed through; Rust code uses [`no_grad`]).
pub fn set_grad_enabled(enabled: bool) -> bool {
    ENABLED.with(|e| e.replace(enabled))
}
