//! The geometry of a 2-D sliding window (convolution, pooling, im2col/col2im), computed here once and
//! read by both backends: image, column and output shapes, the grouped convolution's sizes, and the
//! input pixel each tap of each output reads.

/// The geometry of a 2-D sliding window over `[batch, channels, in_h, in_w]` (NCHW): the window
/// `kernel` moves by `stride`, its taps are `dilation` apart, the input is padded by
/// `pad = [top, left, bottom, right]`, and there are `out_h x out_w` positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub batch: usize,
    pub channels: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    pub pad: [usize; 4],
    pub out_h: usize,
    pub out_w: usize,
}

/// The sizes of a grouped convolution over a [`Window`]: `groups` groups, each mapping
/// `channels` input channels to `out_channels` output channels through `taps` weights per output
/// channel (`channels * kh * kw`, the rows of its unfolded columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGroups {
    pub groups: usize,
    pub channels: usize,
    pub out_channels: usize,
    pub taps: usize,
}

impl Window {
    /// The `[batch, channels * kh * kw, out_h * out_w]` shape of the unfolded columns.
    pub fn cols_shape(&self) -> [usize; 3] {
        [self.batch, self.channels * self.taps(), self.positions()]
    }

    /// The `[batch, channels, in_h, in_w]` shape of the image.
    pub fn image_shape(&self) -> [usize; 4] {
        [self.batch, self.channels, self.in_h, self.in_w]
    }

    /// The `[batch, channels, out_h, out_w]` shape of an output with `channels` channels.
    pub fn output_shape(&self, channels: usize) -> [usize; 4] {
        [self.batch, channels, self.out_h, self.out_w]
    }

    /// Output positions per channel (`out_h * out_w`).
    pub fn positions(&self) -> usize {
        self.out_h * self.out_w
    }

    /// Input pixels per channel (`in_h * in_w`).
    pub fn pixels(&self) -> usize {
        self.in_h * self.in_w
    }

    /// Taps of the window (`kh * kw`).
    pub fn taps(&self) -> usize {
        self.kernel[0] * self.kernel[1]
    }

    /// The per-group sizes of a convolution with `out_channels` outputs in `groups` groups (a zero
    /// `groups` counts as one: the op layer rejects it before any backend sees it).
    pub fn conv_groups(&self, out_channels: usize, groups: usize) -> ConvGroups {
        let g = groups.max(1);
        let channels = self.channels / g;
        ConvGroups { groups, channels, out_channels: out_channels / g, taps: channels * self.taps() }
    }

    /// Input row and column read by output position (`oy`, `ox`) at tap (`ky`, `kx`), or `None`
    /// inside the padding.
    pub fn source(&self, oy: usize, ox: usize, ky: usize, kx: usize) -> Option<(usize, usize)> {
        let y = (oy * self.stride[0] + ky * self.dilation[0]).checked_sub(self.pad[0])?;
        let x = (ox * self.stride[1] + kx * self.dilation[1]).checked_sub(self.pad[1])?;
        (y < self.in_h && x < self.in_w).then_some((y, x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> Window {
        Window {
            batch: 2,
            channels: 6,
            in_h: 5,
            in_w: 4,
            kernel: [3, 2],
            stride: [2, 1],
            dilation: [1, 2],
            pad: [1, 0, 1, 0],
            out_h: 3,
            out_w: 2,
        }
    }

    #[test]
    fn shapes_and_group_sizes() {
        let w = window();
        assert_eq!(w.cols_shape(), [2, 36, 6]);
        assert_eq!(w.image_shape(), [2, 6, 5, 4]);
        assert_eq!(w.output_shape(9), [2, 9, 3, 2]);
        assert_eq!((w.positions(), w.pixels(), w.taps()), (6, 20, 6));
        assert_eq!(w.conv_groups(9, 3), ConvGroups { groups: 3, channels: 2, out_channels: 3, taps: 12 });
        assert_eq!(w.conv_groups(4, 1), ConvGroups { groups: 1, channels: 6, out_channels: 4, taps: 36 });
    }

    #[test]
    fn source_skips_the_padding() {
        let w = window();
        // Output row 0 at tap row 0 reads input row -1 (padding); tap row 1 reads row 0.
        assert_eq!(w.source(0, 0, 0, 0), None);
        assert_eq!(w.source(0, 1, 1, 1), Some((0, 3)));
        // Row 2 * 2 + 2 - 1 = 5 is past the 5 rows.
        assert_eq!(w.source(2, 0, 2, 0), None);
        assert_eq!(w.source(2, 0, 1, 0), Some((4, 0)));
    }
}
