//! What the op tables (`unary.rs`, `binary.rs`) read off a dtype cell of a row, shared by both: a
//! cell is `-` (the op does not take that dtype) or `(|operands| CPU expression, "WGSL snippet")`.

/// Whether the cell holds an op (the op takes the dtype).
macro_rules! cell_takes {
    (-) => {
        false
    };
    (($($cell:tt)*)) => {
        true
    };
}

/// The cell's WGSL snippet, or `None` for `-`.
macro_rules! cell_wgsl {
    (-) => {
        None
    };
    ((|$($operand:ident),+| $e:expr, $wgsl:literal)) => {
        Some($wgsl)
    };
}
