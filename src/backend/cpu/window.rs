//! Sliding windows over NCHW images: unfolding into columns (im2col) and its adjoint (col2im).

use crate::backend::Window;

/// `cols[n, (c * kh + ky) * kw + kx, oy * out_w + ox] = image[n, c, y, x]` (or `pad` off the image).
pub fn im2col(image: &[f32], w: &Window, pad: f32) -> Vec<f32> {
    let [kh, kw] = w.kernel;
    let positions = w.out_h * w.out_w;
    let mut cols = vec![pad; w.batch * w.channels * kh * kw * positions];
    for n in 0..w.batch {
        for c in 0..w.channels {
            let plane = &image[(n * w.channels + c) * w.in_h * w.in_w..][..w.in_h * w.in_w];
            for ky in 0..kh {
                for kx in 0..kw {
                    let row = ((n * w.channels + c) * kh + ky) * kw + kx;
                    let out = &mut cols[row * positions..][..positions];
                    for oy in 0..w.out_h {
                        for ox in 0..w.out_w {
                            if let Some((y, x)) = w.source(oy, ox, ky, kx) {
                                out[oy * w.out_w + ox] = plane[y * w.in_w + x];
                            }
                        }
                    }
                }
            }
        }
    }
    cols
}

/// Sums each column entry back onto the image pixel it was read from (padding entries are dropped).
pub fn col2im(cols: &[f32], w: &Window) -> Vec<f32> {
    let [kh, kw] = w.kernel;
    let positions = w.out_h * w.out_w;
    let mut image = vec![0.0; w.batch * w.channels * w.in_h * w.in_w];
    for n in 0..w.batch {
        for c in 0..w.channels {
            let plane = &mut image[(n * w.channels + c) * w.in_h * w.in_w..][..w.in_h * w.in_w];
            for ky in 0..kh {
                for kx in 0..kw {
                    let row = ((n * w.channels + c) * kh + ky) * kw + kx;
                    let col = &cols[row * positions..][..positions];
                    for oy in 0..w.out_h {
                        for ox in 0..w.out_w {
                            if let Some((y, x)) = w.source(oy, ox, ky, kx) {
                                plane[y * w.in_w + x] += col[oy * w.out_w + ox];
                            }
                        }
                    }
                }
            }
        }
    }
    image
}
