//! Tensor ops, one file per family, all as `impl Tensor` blocks. Primitives call the backend and
//! record an [`crate::op::Op`]; composites are written with other tensor ops and need no gradient
//! rule of their own.

mod conv;
mod creation;
mod elementwise;
mod index;
mod linalg;
mod movement;
mod optim;
mod padding;
mod reduce;

pub use conv::{Conv2dOptions, ConvTranspose2dOptions, Padding, Pool2dOptions};
pub use optim::{AdamStep, SgdStep};
pub use padding::PADDING_NAMES;
