//! Shape probes: while one runs, ops check their operands and shape and allocate their outputs as
//! usual, but the work is skipped where it costs: the WebGPU backend queues no kernel (and compiles
//! none), the CPU backend skips convolutions and matrix products (matmul, dense layers). A layer run on
//! a batch-1 input so gives its output shapes cheaply; the output values are unspecified. The Keras
//! front door infers the shapes of symbolic tensors this way. A layer that keeps state from a call
//! (a stateful recurrent layer) must not keep a probe's.

use std::cell::Cell;

thread_local! {
    static PROBING: Cell<bool> = const { Cell::new(false) };
}

/// True while a shape probe runs.
pub fn is_probing() -> bool {
    PROBING.with(Cell::get)
}

/// Starts or ends a shape probe, returning the previous state.
pub fn set_probing(probing: bool) -> bool {
    PROBING.with(|p| p.replace(probing))
}
