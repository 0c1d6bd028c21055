//! Index arithmetic shared by gather and scatter-add, and concatenation.

use super::alloc;
use crate::dtype::HostData;
use crate::error::{Error, Result};
use crate::layout::Layout;

/// For each element of `index` (row-major), the storage offset in `target` of the element it picks
/// along `axis`: the same position as the index element on every other axis. `op` is the user's op
/// (`gather`, `indexSelect`, `scatterAdd`, …), named by an out-of-range index.
pub fn positions(op: &'static str, target: &Layout, axis: usize, index: &[i32], il: &Layout) -> Result<Vec<usize>> {
    let size = target.shape()[axis];
    let rank = il.rank();
    let mut at = vec![0usize; rank];
    let mut out = alloc::with_capacity(op, il.shape(), il.numel())?;
    for offset in il.offsets() {
        let picked = index[offset];
        if picked < 0 || picked as usize >= size {
            return Err(Error::Index { op, index: picked as i64, axis, size, shape: target.shape().to_vec() });
        }
        let mut o = target.offset();
        for (d, (&at_d, &stride)) in at.iter().zip(target.strides()).enumerate() {
            let i = if d == axis { picked as usize } else { at_d };
            o += i * stride;
        }
        out.push(o);
        for d in (0..rank).rev() {
            at[d] += 1;
            if at[d] < il.shape()[d] {
                break;
            }
            at[d] = 0;
        }
    }
    Ok(out)
}

fn interleave<T: Copy>(out: &[usize], parts: &[&[T]], chunks: &[usize], outer: usize) -> Result<Vec<T>> {
    let mut joined = alloc::with_capacity("concat", out, parts.iter().map(|p| p.len()).sum())?;
    for o in 0..outer {
        for (part, &chunk) in parts.iter().zip(chunks) {
            joined.extend_from_slice(&part[o * chunk..(o + 1) * chunk]);
        }
    }
    Ok(joined)
}

/// Contiguous parts joined along `axis` into shape `out`: for each position of the axes before it,
/// one chunk of each part in turn.
pub fn concat(parts: Vec<HostData>, shapes: &[&[usize]], axis: usize, out: &[usize]) -> Result<HostData> {
    let outer: usize = shapes[0][..axis].iter().product();
    let chunks: Vec<usize> = shapes.iter().map(|s| s[axis..].iter().product()).collect();
    macro_rules! join {
        ($variant:ident) => {{
            let mut slices = Vec::with_capacity(parts.len());
            for p in &parts {
                match p {
                    HostData::$variant(v) => slices.push(v.as_slice()),
                    other => {
                        return Err(Error::DType {
                            op: "concat",
                            dtype: other.dtype(),
                            shape: Vec::new(),
                            expected: crate::backend::expect::PARTS,
                        })
                    }
                }
            }
            HostData::$variant(interleave(out, &slices, &chunks, outer)?)
        }};
    }
    Ok(match parts.first() {
        Some(HostData::F32(_)) => join!(F32),
        Some(HostData::I32(_)) => join!(I32),
        Some(HostData::Bool(_)) => join!(Bool),
        None => HostData::F32(Vec::new()),
    })
}
