//! Matrix product blocked for cache: panels of B (KC x NC) and A (MC x KC) are packed into
//! contiguous micro-panels, and a register-blocked micro-kernel computes MR x NR tiles of C with
//! f32x4 SIMD (explicit simd128 in wasm, with relaxed-simd fused multiply-add in builds that enable
//! it; autovectorised natively). Skinny products (few rows) skip packing and stream rows of B.

use super::alloc;
use crate::error::Result;
use crate::layout::Layout;

const MR: usize = 4;
const NR: usize = 8;
const KC: usize = 256;
const MC: usize = 64;
const NC: usize = 512;
/// Products with at most this many rows use the streaming path (packing B would cost more than it saves).
const SKINNY_ROWS: usize = 4;

/// A strided 2-D matrix view.
#[derive(Clone, Copy)]
struct View<'a> {
    data: &'a [f32],
    offset: usize,
    row: usize,
    col: usize,
}

impl View<'_> {
    #[inline(always)]
    fn at(&self, r: usize, c: usize) -> f32 {
        self.data[self.offset + r * self.row + c * self.col]
    }
}

/// `[batch, m, k] @ [batch, k, n]` into a new contiguous `[batch, m, n]`; buffers are reserved for
/// `op` (see [`alloc`]).
pub fn batched(op: &'static str, a: &[f32], al: &Layout, b: &[f32], bl: &Layout) -> Result<Vec<f32>> {
    let (batch, m, k, n) = (al.shape()[0], al.shape()[1], al.shape()[2], bl.shape()[2]);
    let mut c = alloc::filled(op, &[batch, m, n], batch * m * n, 0.0f32)?;
    // A shape probe needs the product's shape only (see `shape_probe`).
    if m == 0 || n == 0 || k == 0 || crate::is_probing() {
        return Ok(c);
    }
    let (sa, sb) = (al.strides(), bl.strides());
    let mut a_pack = Vec::new();
    let mut b_pack = Vec::new();
    for (p, c) in c.chunks_exact_mut(m * n).enumerate() {
        let av = View { data: a, offset: al.offset() + p * sa[0], row: sa[1], col: sa[2] };
        let bv = View { data: b, offset: bl.offset() + p * sb[0], row: sb[1], col: sb[2] };
        if m <= SKINNY_ROWS && bv.col == 1 {
            skinny(m, n, k, av, bv, c);
        } else {
            if a_pack.is_empty() {
                let (a_rows, b_cols) = (MC.min(m).div_ceil(MR) * MR, NC.min(n).div_ceil(NR) * NR);
                a_pack = alloc::filled(op, &[a_rows, KC.min(k)], a_rows * KC.min(k), 0.0f32)?;
                b_pack = alloc::filled(op, &[KC.min(k), b_cols], b_cols * KC.min(k), 0.0f32)?;
            }
            gemm(m, n, k, av, bv, c, &mut a_pack, &mut b_pack);
        }
    }
    Ok(c)
}

/// `c[i, :] += a[i, kk] * b[kk, :]` row by row, for B with contiguous rows.
fn skinny(m: usize, n: usize, k: usize, a: View, b: View, c: &mut [f32]) {
    for (i, row) in c.chunks_exact_mut(n).enumerate().take(m) {
        for kk in 0..k {
            let av = a.at(i, kk);
            let b_row = &b.data[b.offset + kk * b.row..][..n];
            for (o, &bv) in row.iter_mut().zip(b_row) {
                *o += av * bv;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn gemm(m: usize, n: usize, k: usize, a: View, b: View, c: &mut [f32], a_pack: &mut [f32], b_pack: &mut [f32]) {
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            pack_b(b, pc, kc, jc, nc, b_pack);
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                pack_a(a, ic, mc, pc, kc, a_pack);
                for jp in 0..nc.div_ceil(NR) {
                    let bp = &b_pack[jp * kc * NR..][..kc * NR];
                    let cols = NR.min(nc - jp * NR);
                    for ip in 0..mc.div_ceil(MR) {
                        let ap = &a_pack[ip * kc * MR..][..kc * MR];
                        let tile = micro_kernel(ap, bp);
                        let (row, rows) = (ic + ip * MR, MR.min(mc - ip * MR));
                        for (i, acc) in tile.iter().enumerate().take(rows) {
                            let out = &mut c[(row + i) * n + jc + jp * NR..][..cols];
                            for (o, v) in out.iter_mut().zip(acc) {
                                *o += v;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// B[pc.., jc..] as column panels of NR: `pack[(panel * kc + kk) * NR + j]`, zero-padded.
fn pack_b(b: View, pc: usize, kc: usize, jc: usize, nc: usize, pack: &mut [f32]) {
    for jp in 0..nc.div_ceil(NR) {
        let panel = &mut pack[jp * kc * NR..][..kc * NR];
        let cols = NR.min(nc - jp * NR);
        for (kk, dst) in panel.chunks_exact_mut(NR).enumerate() {
            if cols == NR && b.col == 1 {
                dst.copy_from_slice(&b.data[b.offset + (pc + kk) * b.row + jc + jp * NR..][..NR]);
            } else {
                for (j, d) in dst.iter_mut().enumerate() {
                    *d = if j < cols { b.at(pc + kk, jc + jp * NR + j) } else { 0.0 };
                }
            }
        }
    }
}

/// A[ic.., pc..] as row panels of MR: `pack[(panel * kc + kk) * MR + i]`, zero-padded.
fn pack_a(a: View, ic: usize, mc: usize, pc: usize, kc: usize, pack: &mut [f32]) {
    for ip in 0..mc.div_ceil(MR) {
        let panel = &mut pack[ip * kc * MR..][..kc * MR];
        let rows = MR.min(mc - ip * MR);
        for (kk, dst) in panel.chunks_exact_mut(MR).enumerate() {
            for (i, d) in dst.iter_mut().enumerate() {
                *d = if i < rows { a.at(ic + ip * MR + i, pc + kk) } else { 0.0 };
            }
        }
    }
}

/// One MR x NR tile of A-panel @ B-panel, accumulated in registers (portable version).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn micro_kernel(ap: &[f32], bp: &[f32]) -> [[f32; NR]; MR] {
    let mut acc = [[0.0f32; NR]; MR];
    for (a, b) in ap.chunks_exact(MR).zip(bp.chunks_exact(NR)) {
        for i in 0..MR {
            let av = a[i];
            for j in 0..NR {
                acc[i][j] += av * b[j];
            }
        }
    }
    acc
}

/// One MR x NR tile of A-panel @ B-panel in MR * NR / 4 f32x4 accumulators (wasm simd128).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn micro_kernel(ap: &[f32], bp: &[f32]) -> [[f32; NR]; MR] {
    use core::arch::wasm32::*;

    #[inline(always)]
    fn madd(a: v128, b: v128, acc: v128) -> v128 {
        #[cfg(target_feature = "relaxed-simd")]
        return f32x4_relaxed_madd(a, b, acc);
        #[cfg(not(target_feature = "relaxed-simd"))]
        return f32x4_add(acc, f32x4_mul(a, b));
    }

    const VECTORS: usize = NR / 4;
    let mut acc = [[f32x4_splat(0.0); VECTORS]; MR];
    for (a, b) in ap.chunks_exact(MR).zip(bp.chunks_exact(NR)) {
        let mut bv = [f32x4_splat(0.0); VECTORS];
        for (v, vec) in bv.iter_mut().enumerate() {
            // SAFETY: `b` holds NR floats (chunks_exact): the 16-byte load at 4 * v < NR is in bounds.
            *vec = unsafe { v128_load(b.as_ptr().add(4 * v) as *const v128) };
        }
        for i in 0..MR {
            let av = f32x4_splat(a[i]);
            for v in 0..VECTORS {
                acc[i][v] = madd(av, bv[v], acc[i][v]);
            }
        }
    }
    let mut out = [[0.0f32; NR]; MR];
    for (o, row) in out.iter_mut().zip(&acc) {
        for (v, vec) in row.iter().enumerate() {
            // SAFETY: each row of `out` holds NR floats: the 16-byte store at 4 * v < NR fits.
            unsafe { v128_store(o.as_mut_ptr().add(4 * v) as *mut v128, *vec) };
        }
    }
    out
}
