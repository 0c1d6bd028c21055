//! The CPU backend: plain Rust kernels over strided layouts. It is the numerical reference every
//! GPU kernel is tested against, so clarity comes before speed here.

use std::rc::Rc;

use super::{Backend, BinaryOp, ReduceOp, UnaryOp};
use crate::error::Result;
use crate::layout::Layout;

/// A flat f32 buffer, shared by every view of it.
#[derive(Debug, Clone)]
pub struct CpuStorage(pub(crate) Rc<Vec<f32>>);

/// The CPU backend (stateless).
pub struct CpuBackend;

/// The elements of a view in row-major order.
pub(crate) fn read(storage: &CpuStorage, layout: &Layout) -> Vec<f32> {
    let data = &storage.0;
    if layout.is_contiguous() {
        return data[layout.offset()..layout.offset() + layout.numel()].to_vec();
    }
    layout.offsets().map(|o| data[o]).collect()
}

fn store(data: Vec<f32>) -> Result<CpuStorage> {
    Ok(CpuStorage(Rc::new(data)))
}

impl Backend for CpuBackend {
    type Storage = CpuStorage;

    fn upload(&self, data: &[f32]) -> Result<CpuStorage> {
        store(data.to_vec())
    }

    fn unary(&self, op: UnaryOp, x: &CpuStorage, layout: &Layout) -> Result<CpuStorage> {
        let values = read(x, layout);
        store(match op {
            UnaryOp::Copy => values,
        })
    }

    fn binary(&self, op: BinaryOp, a: &CpuStorage, al: &Layout, b: &CpuStorage, bl: &Layout) -> Result<CpuStorage> {
        let f = match op {
            BinaryOp::Add => |x: f32, y: f32| x + y,
        };
        let out = al.offsets().zip(bl.offsets()).map(|(i, j)| f(a.0[i], b.0[j])).collect();
        store(out)
    }

    fn reduce(&self, op: ReduceOp, x: &CpuStorage, layout: &Layout, axes: &[usize]) -> Result<CpuStorage> {
        // Move the reduced axes last: each output is then a run of `reduced` consecutive elements.
        let kept = (0..layout.rank()).filter(|a| !axes.contains(a));
        let order: Vec<usize> = kept.chain(axes.iter().copied()).collect();
        let permuted = layout.permuted(&order);
        let reduced: usize = axes.iter().map(|&a| layout.shape()[a]).product();
        let outputs: usize = order[..layout.rank() - axes.len()].iter().map(|&a| layout.shape()[a]).product();
        let (init, combine) = match op {
            ReduceOp::Sum => (0.0f32, |acc: f32, v: f32| acc + v),
        };
        let mut out = vec![init; outputs];
        if reduced > 0 {
            for (i, offset) in permuted.offsets().enumerate() {
                let o = i / reduced;
                out[o] = combine(out[o], x.0[offset]);
            }
        }
        store(out)
    }

    fn matmul(&self, a: &CpuStorage, al: &Layout, b: &CpuStorage, bl: &Layout) -> Result<CpuStorage> {
        let (batch, m, k) = (al.shape()[0], al.shape()[1], al.shape()[2]);
        let n = bl.shape()[2];
        let (sa, sb) = (al.strides(), bl.strides());
        let mut out = vec![0.0f32; batch * m * n];
        for p in 0..batch {
            let (a0, b0) = (al.offset() + p * sa[0], bl.offset() + p * sb[0]);
            let c = &mut out[p * m * n..(p + 1) * m * n];
            for i in 0..m {
                let row = &mut c[i * n..(i + 1) * n];
                for kk in 0..k {
                    let av = a.0[a0 + i * sa[1] + kk * sa[2]];
                    let bk = b0 + kk * sb[1];
                    for (j, r) in row.iter_mut().enumerate() {
                        *r += av * b.0[bk + j * sb[2]];
                    }
                }
            }
        }
        store(out)
    }
}
