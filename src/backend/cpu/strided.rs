//! Walking strided layouts a row (last axis) at a time, so inner loops run over plain slices when the
//! data is contiguous and vectorise.

use crate::layout::Layout;

/// Calls `f(offsets, len, strides)` for each row of `N` layouts that share one shape: the row's
/// first storage offset and its stride in each layout, and its length. Rank-0 layouts are one row of
/// one element; empty shapes have no rows.
pub fn for_each_row<const N: usize>(layouts: [&Layout; N], mut f: impl FnMut([usize; N], usize, [usize; N])) {
    let shape = layouts[0].shape();
    if shape.contains(&0) {
        return;
    }
    let rank = shape.len();
    if rank == 0 {
        f(layouts.map(Layout::offset), 1, [0; N]);
        return;
    }
    let len = shape[rank - 1];
    let strides = layouts.map(|l| l.strides()[rank - 1]);
    let outer = &shape[..rank - 1];
    let mut index = vec![0usize; outer.len()];
    let mut base = layouts.map(Layout::offset);
    loop {
        f(base, len, strides);
        // Advance the outer index like an odometer, updating each layout's base offset.
        let mut d = outer.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            for (b, l) in base.iter_mut().zip(&layouts) {
                *b += l.strides()[d];
            }
            if index[d] < outer[d] {
                break;
            }
            for (b, l) in base.iter_mut().zip(&layouts) {
                *b -= l.strides()[d] * outer[d];
            }
            index[d] = 0;
        }
    }
}

/// `f` of every element of a view, in row-major order, appended to `out` (reserved by the caller).
pub fn map<T: Copy, U>(mut out: Vec<U>, data: &[T], layout: &Layout, f: impl Fn(T) -> U) -> Vec<U> {
    for_each_row([layout], |[o], n, [s]| {
        if s == 1 {
            out.extend(data[o..o + n].iter().map(|&v| f(v)));
        } else {
            out.extend((0..n).map(|j| f(data[o + j * s])));
        }
    });
    out
}

/// `f` of every pair of elements of two views of one shape, in row-major order, appended to `out`.
pub fn zip<T: Copy, U>(mut out: Vec<U>, a: &[T], al: &Layout, b: &[T], bl: &Layout, f: impl Fn(T, T) -> U) -> Vec<U> {
    for_each_row([al, bl], |[ao, bo], n, [sa, sb]| match (sa, sb) {
        (1, 1) => out.extend(a[ao..ao + n].iter().zip(&b[bo..bo + n]).map(|(&x, &y)| f(x, y))),
        (1, 0) => {
            let y = b[bo];
            out.extend(a[ao..ao + n].iter().map(|&x| f(x, y)));
        }
        (0, 1) => {
            let x = a[ao];
            out.extend(b[bo..bo + n].iter().map(|&y| f(x, y)));
        }
        _ => out.extend((0..n).map(|j| f(a[ao + j * sa], b[bo + j * sb]))),
    });
    out
}

/// `f` of every triple of elements of three views of one shape, in row-major order, appended to
/// `out`.
#[allow(clippy::too_many_arguments)]
pub fn zip3<A: Copy, T: Copy, U>(
    mut out: Vec<U>,
    c: &[A],
    cl: &Layout,
    a: &[T],
    al: &Layout,
    b: &[T],
    bl: &Layout,
    f: impl Fn(A, T, T) -> U,
) -> Vec<U> {
    for_each_row([cl, al, bl], |[co, ao, bo], n, [sc, sa, sb]| {
        out.extend((0..n).map(|j| f(c[co + j * sc], a[ao + j * sa], b[bo + j * sb])));
    });
    out
}
