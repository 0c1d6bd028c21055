//! Layers that crop or enlarge images: Keras `Cropping2D` and `UpSampling2D`.

use std::rc::Rc;

use crate::backend::Device;
use crate::error::{Error, Result};
use crate::nn::{Flavor, Module};
use crate::ops::Padding;
use crate::tensor::Tensor;

/// The `(height, width)` axes of a rank-4 image batch, channels-last `[n, h, w, c]` or not.
fn spatial_axes(op: &'static str, x: &Tensor, channels_last: bool) -> Result<(usize, usize)> {
    if x.rank() != 4 {
        return Err(Error::Rank { op, expected: 4, got: x.shape().to_vec() });
    }
    Ok(if channels_last { (1, 2) } else { (2, 3) })
}

/// Drops rows and columns at the borders: `[top, left, bottom, right]` (Keras `Cropping2D`).
pub struct Cropping2d {
    pub cropping: [usize; 4],
    pub channels_last: bool,
}

impl Module for Cropping2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let op = "cropping2d";
        let (h, w) = spatial_axes(op, x, self.channels_last)?;
        let [top, left, bottom, right] = self.cropping;
        let keep = |axis: usize, a: usize, b: usize| {
            let size = x.shape()[axis];
            a.checked_add(b).and_then(|ab| size.checked_sub(ab)).filter(|&k| k > 0).ok_or_else(|| Error::Invalid {
                op,
                msg: format!("cropping {:?} leaves nothing of the input {:?}", self.cropping, x.shape()),
            })
        };
        let (rows, cols) = (keep(h, top, bottom)?, keep(w, left, right)?);
        x.narrow(h as isize, top, rows)?.narrow(w as isize, left, cols)
    }

    fn kind(&self) -> &'static str {
        "Cropping2d"
    }
}

/// Enlarges images by integer factors `[rows, cols]` (Keras `UpSampling2D`): nearest repeats each
/// pixel; bilinear samples source position `out / factor` (TF.js's `resizeBilinear` with neither
/// `alignCorners` nor half-pixel centres), clamped at the last pixel.
pub struct UpSampling2d {
    pub size: [usize; 2],
    pub bilinear: bool,
    pub channels_last: bool,
}

/// The `[out, in]` matrix of 1-D linear interpolation from `len` samples to `len * factor`, as
/// TF.js computes it: source `o * (len / (len * factor))`, its floor and ceiling (clamped) weighted
/// by the fraction.
fn bilinear_matrix(len: usize, factor: usize, device: &Device) -> Result<Tensor> {
    let out = len * factor;
    let scale = len as f64 / out as f64;
    let mut m = vec![0.0f32; out * len];
    for o in 0..out {
        let src = scale * o as f64;
        let lo = src.floor() as usize;
        let hi = (src.ceil() as usize).min(len - 1);
        let frac = (src - lo as f64) as f32;
        m[o * len + lo] += 1.0 - frac;
        m[o * len + hi] += frac;
    }
    Tensor::from_slice(&m, &[out, len], device)
}

impl Module for UpSampling2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let op = "upSampling2d";
        let (h, w) = spatial_axes(op, x, self.channels_last)?;
        let shape = x.shape().to_vec();
        let [fh, fw] = self.size;
        let (out_h, out_w) = (shape[h].checked_mul(fh), shape[w].checked_mul(fw));
        let (Some(out_h), Some(out_w)) = (out_h, out_w) else {
            return Err(Error::Invalid { op, msg: format!("{:?} enlarged by {:?} overflows", shape, self.size) });
        };
        if fh == 0 || fw == 0 || (self.bilinear && (shape[h] == 0 || shape[w] == 0)) {
            return Err(Error::Invalid {
                op,
                msg: format!("needs positive factors and a non-empty input, got {:?} by {:?}", shape, self.size),
            });
        }
        let mut out = shape.clone();
        out[h] = out_h;
        out[w] = out_w;
        if !self.bilinear {
            // [.., h, w, ..] -> [.., h, fh, w, fw, ..] by broadcasting, then merged.
            let mut spread = shape.clone();
            spread.insert(w + 1, 1);
            spread.insert(h + 1, 1);
            let mut wide: Vec<isize> = spread.iter().map(|&d| d as isize).collect();
            wide[h + 1] = fh as isize;
            wide[w + 2] = fw as isize;
            return x.reshape(&spread)?.expand(&wide)?.reshape(&out);
        }
        // Interpolate along the width, then the height, as matrix products over NCHW.
        let x = if self.channels_last { x.permute(&[0, 3, 1, 2])? } else { x.clone() };
        let rows = bilinear_matrix(shape[h], fh, x.device())?;
        let cols = bilinear_matrix(shape[w], fw, x.device())?;
        let y = rows.matmul(&x.matmul(&cols.t()?)?)?;
        if self.channels_last {
            y.permute(&[0, 2, 3, 1])
        } else {
            Ok(y)
        }
    }

    fn kind(&self) -> &'static str {
        "UpSampling2d"
    }
}

crate::layer_config! {
    /// Crops the spatial axes (`Cropping2D`).
    pub struct Cropping2dConfig {
        /// One size (every side), `[rows, columns]` or `[top, left, bottom, right]`.
        cropping: Vec<i64> = vec![0],
        /// Samples are `[h, w, c]` (the Keras flavour's default) rather than `[c, h, w]`.
        channels_last: Option<bool>,
    }
}

crate::impl_layer_config!(Cropping2dConfig, |c, flavor, _device| {
    let sizes: Option<Vec<usize>> = c.cropping.iter().map(|&v| usize::try_from(v).ok()).collect();
    let Some(Padding::Explicit(cropping)) = sizes.as_deref().and_then(Padding::explicit) else {
        return Err(Error::Invalid {
            op: "cropping2d",
            msg: format!("cropping must be 1, 2 or 4 non-negative sizes, got {:?}", c.cropping),
        });
    };
    Ok(Rc::new(Cropping2d { cropping, channels_last: c.channels_last.unwrap_or(flavor == Flavor::Keras) }))
});

crate::layer_config! {
    /// Enlarges the spatial axes by integer factors (`UpSampling2D`).
    pub struct UpSampling2dConfig {
        size: [usize; 2] = [2, 2],
        /// Bilinear interpolation (TF.js's `interpolation: 'bilinear'`) rather than nearest.
        bilinear: bool = false,
        /// Samples are `[h, w, c]` (the Keras flavour's default) rather than `[c, h, w]`.
        channels_last: Option<bool>,
    }
}

crate::impl_layer_config!(UpSampling2dConfig, |c, flavor, _device| {
    Ok(Rc::new(UpSampling2d { size: c.size, bilinear: c.bilinear, channels_last: c.channels_last.unwrap_or(flavor == Flavor::Keras) }))
});
