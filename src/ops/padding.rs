//! The one padding parser: a mode name (`'valid'`, `'same'`) or 1, 2 or 4 explicit sizes, shared by
//! the tensor ops and the layers (their callers wrap a `None` in their own message).

use super::conv::Padding;
use crate::nn::names::{listed, lookup, Named};

/// Padding modes by name; explicit sizes are the other form (`wg.PADDINGS` is derived from this).
pub const PADDING_NAMES: &[Named<Padding>] = &[listed("valid", Padding::Valid), listed("same", Padding::Same)];

impl Padding {
    /// The mode called `name`.
    pub fn named(name: &str) -> Option<Padding> {
        lookup(PADDING_NAMES, name).copied()
    }

    /// Explicit 2-D padding from one size (every side), two (rows, columns) or four (top, left,
    /// bottom, right).
    pub fn explicit(sizes: &[usize]) -> Option<Padding> {
        match *sizes {
            [p] => Some(Padding::Explicit([p; 4])),
            [h, w] => Some(Padding::Explicit([h, w, h, w])),
            [t, l, b, r] => Some(Padding::Explicit([t, l, b, r])),
            _ => None,
        }
    }

    /// Explicit 1-D padding (the width axis of a height-1 image) from one size (both ends) or two
    /// (left, right).
    pub fn explicit_1d(sizes: &[usize]) -> Option<Padding> {
        match *sizes {
            [p] => Some(Padding::Explicit([0, p, 0, p])),
            [l, r] => Some(Padding::Explicit([0, l, 0, r])),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(Padding::named("same"), Some(Padding::Same));
        assert_eq!(Padding::named("valid"), Some(Padding::Valid));
        assert_eq!(Padding::named("full"), None);
        assert_eq!(Padding::explicit(&[1]), Some(Padding::Explicit([1, 1, 1, 1])));
        assert_eq!(Padding::explicit(&[1, 2]), Some(Padding::Explicit([1, 2, 1, 2])));
        assert_eq!(Padding::explicit(&[1, 2, 3, 4]), Some(Padding::Explicit([1, 2, 3, 4])));
        assert_eq!(Padding::explicit(&[1, 2, 3]), None);
        assert_eq!(Padding::explicit_1d(&[2]), Some(Padding::Explicit([0, 2, 0, 2])));
        assert_eq!(Padding::explicit_1d(&[1, 3]), Some(Padding::Explicit([0, 1, 0, 3])));
        assert_eq!(Padding::explicit_1d(&[1, 2, 3, 4]), None);
    }
}
