//! Sliding windows over NCHW images: unfolding into columns (im2col) and its adjoint (col2im). For
//! each kernel tap and output row, the output columns that read inside the image form one run,
//! copied (or added) in a tight loop.

use crate::backend::Window;

/// Output positions `lo..hi` along one axis whose input index `o * stride + tap - pad` is in
/// `0..size`.
fn valid_run(out: usize, stride: usize, tap: usize, pad: usize, size: usize) -> (usize, usize) {
    let lo = pad.saturating_sub(tap).div_ceil(stride);
    let hi = if size + pad > tap { (size + pad - tap).div_ceil(stride) } else { 0 };
    (lo.min(out), hi.min(out).max(lo.min(out)))
}

/// Calls `f(column_row, image_plane_offset, y, x_offset_of_first, ox_lo, ox_hi, oy)` for every
/// kernel tap and output row, where the row's valid outputs `ox_lo..ox_hi` read
/// `image[plane + y * in_w + first + (ox - ox_lo) * stride_w]`.
fn for_each_run(w: &Window, mut f: impl FnMut(usize, usize, usize, usize, usize, usize, usize)) {
    let [kh, kw] = w.kernel;
    for n in 0..w.batch {
        for c in 0..w.channels {
            let plane = (n * w.channels + c) * w.pixels();
            for ky in 0..kh {
                for kx in 0..kw {
                    let row = ((n * w.channels + c) * kh + ky) * kw + kx;
                    let (tap_y, tap_x) = (ky * w.dilation[0], kx * w.dilation[1]);
                    let (ox_lo, ox_hi) = valid_run(w.out_w, w.stride[1], tap_x, w.pad[1], w.in_w);
                    let (oy_lo, oy_hi) = valid_run(w.out_h, w.stride[0], tap_y, w.pad[0], w.in_h);
                    if ox_lo == ox_hi {
                        continue;
                    }
                    let first = ox_lo * w.stride[1] + tap_x - w.pad[1];
                    for oy in oy_lo..oy_hi {
                        let y = oy * w.stride[0] + tap_y - w.pad[0];
                        f(row, plane, y, first, ox_lo, ox_hi, oy);
                    }
                }
            }
        }
    }
}

/// `cols[n, (c * kh + ky) * kw + kx, oy * out_w + ox] = image[n, c, y, x]`, into `cols` of
/// `w.cols_shape()` filled with the padding value (left where the window is off the image).
pub fn im2col(mut cols: Vec<f32>, image: &[f32], w: &Window) -> Vec<f32> {
    let positions = w.positions();
    let sw = w.stride[1];
    for_each_run(w, |row, plane, y, first, lo, hi, oy| {
        let src = &image[plane + y * w.in_w + first..];
        let dst = &mut cols[row * positions + oy * w.out_w + lo..][..hi - lo];
        if sw == 1 {
            dst.copy_from_slice(&src[..hi - lo]);
        } else {
            for (j, d) in dst.iter_mut().enumerate() {
                *d = src[j * sw];
            }
        }
    });
    cols
}

/// Sums each column entry back onto the image pixel it was read from (padding entries are dropped),
/// into `image` of `w.image_shape()` filled with zeros.
pub fn col2im(mut image: Vec<f32>, cols: &[f32], w: &Window) -> Vec<f32> {
    let positions = w.positions();
    let sw = w.stride[1];
    for_each_run(w, |row, plane, y, first, lo, hi, oy| {
        let src = &cols[row * positions + oy * w.out_w + lo..][..hi - lo];
        let dst = &mut image[plane + y * w.in_w + first..];
        if sw == 1 {
            for (d, s) in dst[..hi - lo].iter_mut().zip(src) {
                *d += s;
            }
        } else {
            for (j, s) in src.iter().enumerate() {
                dst[j * sw] += s;
            }
        }
    });
    image
}

/// Max pooling of contiguous NCHW `image`: each window's maximum and the tap `ky * kw + kx` holding
/// it (the first on ties; NaN wins; padding never does, and an all-padding window gives -inf), into
/// `values` (filled with -inf) and `taps` (zeros) of one output each.
pub fn max_pool(image: &[f32], w: &Window, (mut values, mut taps): (Vec<f32>, Vec<i32>)) -> (Vec<f32>, Vec<i32>) {
    let (positions, pixels, kw) = (w.positions(), w.pixels(), w.kernel[1]);
    let outputs = values.len();
    for o in 0..outputs {
        let (plane, oy, ox) = (o / positions * pixels, o % positions / w.out_w, o % w.out_w);
        let mut found = false;
        for tap in 0..w.kernel[0] * kw {
            let Some((y, x)) = w.source(oy, ox, tap / kw, tap % kw) else { continue };
            let (v, best) = (image[plane + y * w.in_w + x], values[o]);
            if !found || v > best || (v.is_nan() && !best.is_nan()) {
                (values[o], taps[o], found) = (v, tap as i32, true);
            }
        }
    }
    (values, taps)
}

/// The input gradient of [`max_pool`]: each output's gradient added to the pixel its tap names, into
/// `dx` of `w.image_shape()` filled with zeros.
pub fn max_pool_grad(mut dx: Vec<f32>, dy: &[f32], taps: &[i32], w: &Window) -> Vec<f32> {
    let (positions, pixels, kw) = (w.positions(), w.pixels(), w.kernel[1]);
    for (o, (&g, &tap)) in dy.iter().zip(taps).enumerate() {
        let (plane, oy, ox, tap) = (o / positions * pixels, o % positions / w.out_w, o % w.out_w, tap.max(0) as usize);
        if let Some((y, x)) = w.source(oy, ox, tap / kw, tap % kw) {
            dx[plane + y * w.in_w + x] += g;
        }
    }
    dx
}
