//! WebGPU-specific behaviour on the native adapter: index faults reported at readback, training steps
//! with no readback and no new buffers, and sizes past one grid dimension's limit.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{gpu, read};
use webgrad::backend::webgpu::shaders::InfoSpace;
use webgrad::{manual_seed, no_grad, DType, Device, Tensor};

fn context(d: &Device) -> &webgrad::backend::webgpu::GpuContext {
    match d {
        Device::WebGpu(ctx) => ctx,
        Device::Cpu => unreachable!("a WebGPU device"),
    }
}

/// Rows of `cols` floats just past one storage binding (about 1,000 rows past it), or None where
/// the adapter's largest buffer is its binding limit (nothing to split then).
fn rows_past_the_binding_limit(d: &Device, cols: usize) -> Option<usize> {
    let limits = context(d).limits();
    let rows = limits.max_storage_buffer_binding_size as usize / 4 / cols + 1_001;
    if (rows * cols * 4) as u64 > limits.max_buffer_size {
        eprintln!("skipped: this adapter's largest buffer is its binding limit");
        return None;
    }
    Some(rows)
}

#[test]
fn an_out_of_range_index_fails_the_next_readback_and_only_it() {
    let Some(d) = gpu() else { return };
    let x = Tensor::from_slice(&[1.0, 2.0, 3.0], &[3], &d).unwrap();
    let bad = Tensor::from_i32(&[0, 5], &[2], &d).unwrap();
    let picked = x.index_select(0, &bad).unwrap();
    let e = pollster::block_on(picked.to_vec()).unwrap_err().to_string();
    assert!(e.contains("index 5 is outside an axis of size 3"), "{e}");
    let good = Tensor::from_i32(&[2, 0], &[2], &d).unwrap();
    assert_eq!(read(&x.index_select(0, &good).unwrap()), vec![3.0, 1.0]);
}

#[test]
fn a_training_step_reads_nothing_back_and_creates_no_buffers() {
    let Some(d) = gpu() else { return };
    manual_seed(3);
    let x = Tensor::randn(&[16, 8], &d).unwrap();
    let y = Tensor::randint(&[16], 0, 4, &d).unwrap().one_hot(4).unwrap().cast(DType::F32).unwrap();
    let mut params =
        vec![Tensor::randn(&[8, 32], &d).unwrap(), Tensor::zeros(&[32], DType::F32, &d).unwrap(), Tensor::randn(&[32, 4], &d).unwrap()];
    let step = |params: Vec<Tensor>| -> Vec<Tensor> {
        for p in &params {
            p.set_requires_grad(true);
        }
        let h = x.matmul(&params[0]).unwrap().add(&params[1]).unwrap().relu().unwrap();
        let loss = h.matmul(&params[2]).unwrap().log_softmax(-1).unwrap().mul(&y).unwrap().mean(None, false).unwrap().neg().unwrap();
        loss.backward().unwrap();
        no_grad(|| params.iter().map(|p| p.sub(&p.grad().unwrap().mul_scalar(0.05).unwrap()).unwrap()).collect())
    };
    for _ in 0..5 {
        params = step(params);
    }
    let ctx = context(&d);
    let (before, memory) = (ctx.counters(), ctx.memory());
    for _ in 0..50 {
        params = step(params);
    }
    let after = ctx.counters();
    assert_eq!(after.readbacks, before.readbacks, "a training step read back");
    assert_eq!(after.buffers_created, before.buffers_created, "buffers were created after warm-up");
    assert_eq!(ctx.memory().live_bytes, memory.live_bytes, "live GPU bytes grew");
    assert!(after.dispatches > before.dispatches + 50 * 10);
    assert!(after.submits < after.dispatches / 10, "dispatches are batched per submit");
    // The parameters moved and stay finite.
    assert!(read(&params[2]).iter().all(|v| v.is_finite()));
}

#[test]
fn work_beyond_one_grid_dimension_is_split() {
    let Some(d) = gpu() else { return };
    // 70,000 reduction outputs: more workgroups than one dimension allows (65,535).
    let rows = 70_000;
    let values: Vec<f32> = (0..rows * 2).map(|i| (i % 5) as f32).collect();
    let m = Tensor::from_slice(&values, &[rows, 2], &d).unwrap();
    let sums = read(&m.sum_dims(Some(&[1]), false).unwrap());
    assert!(sums.iter().enumerate().all(|(r, &s)| s == ((2 * r) % 5 + (2 * r + 1) % 5) as f32));
    // An elementwise op over more than 65,535 x 256 elements.
    let n = 65_535 * 256 + 1_000;
    let a = Tensor::arange(0.0, n as f64, 1.0, DType::I32, &d).unwrap();
    let b = a.add(&a).unwrap();
    let out = pollster::block_on(b.to_vec_i32()).unwrap();
    assert_eq!(out.len(), n);
    assert!(out.iter().enumerate().all(|(i, &v)| v == 2 * i as i32));
}

#[test]
fn products_over_more_layers_than_one_grid_dimension_run_in_chunks() {
    // 70,000 batch entries (skinny body), 66,000 of 9 rows (tiled), and a depthwise convolution
    // over 70,000 image-channel layers with its gradients: each more workgroup layers than one
    // dimension allows (65,535), against the CPU.
    let Some(d) = gpu() else { return };
    for (batch, m) in [(70_000, 2), (66_000, 9)] {
        let (av, bv) = (common::random(batch * m * 3, 70), common::random(batch * 3 * 2, 71));
        let product = |dev: &Device| {
            let a = Tensor::from_slice(&av, &[batch, m, 3], dev).unwrap();
            let b = Tensor::from_slice(&bv, &[batch, 3, 2], dev).unwrap();
            read(&a.matmul(&b).unwrap())
        };
        common::assert_close(&product(&d), &product(&Device::Cpu), 1e-5, 1e-5);
    }
    let (channels, xv, wv) = (35_000, common::random(2 * 35_000 * 9, 72), common::random(35_000 * 9, 73));
    let conv = |dev: &Device| {
        let x = Tensor::from_slice(&xv, &[2, channels, 3, 3], dev).unwrap();
        let w = Tensor::from_slice(&wv, &[channels, 1, 3, 3], dev).unwrap();
        x.set_requires_grad(true);
        w.set_requires_grad(true);
        let opts = webgrad::Conv2dOptions { padding: webgrad::Padding::Same, groups: channels, ..Default::default() };
        let y = x.conv2d(&w, None, &opts).unwrap();
        y.mul(&y).unwrap().sum().unwrap().backward().unwrap();
        [read(&y), read(&x.grad().unwrap()), read(&w.grad().unwrap())]
    };
    for (got, want) in conv(&d).iter().zip(conv(&Device::Cpu).iter()) {
        common::assert_close(got, want, 1e-4, 1e-4);
    }
}

#[test]
fn buffers_freed_past_the_pool_cap_survive_their_queued_uses() {
    let Some(d) = gpu() else { return };
    // With no pool, every freed intermediate is destroyed, while the commands using it are still
    // queued: destruction must wait for the submit.
    context(&d).set_pool_cap(0);
    let x = Tensor::from_slice(&[1.0, 2.0, 3.0], &[3], &d).unwrap();
    let mut y = x.clone();
    for _ in 0..10 {
        y = y.exp().unwrap().log().unwrap().add(&x).unwrap();
    }
    let out = read(&y);
    context(&d).set_pool_cap(256 << 20);
    for (o, e) in out.iter().zip([11.0, 22.0, 33.0]) {
        assert!((o - e).abs() < 1e-3, "{out:?}");
    }
}

#[test]
fn a_lost_device_gives_a_clear_error_and_a_new_one_works() {
    let Some(d) = gpu() else { return };
    let x = Tensor::from_slice(&[1.0, 2.0], &[2], &d).unwrap();
    context(&d).destroy_device();
    let e = x.exp().and_then(|y| pollster::block_on(y.to_vec())).unwrap_err().to_string();
    assert!(e.contains("device lost") && e.contains("init() again"), "{e}");
    // Re-initialising gives a working device.
    let fresh = gpu().unwrap();
    let y = Tensor::from_slice(&[1.0, 2.0], &[2], &fresh).unwrap();
    assert_eq!(read(&y.add(&y).unwrap()), vec![2.0, 4.0]);
}

#[test]
fn matmul_matches_the_cpu_on_every_gemm_tile_height() {
    // Results of up to 8 rows run the skinny body; taller ones tiles of 16, 32, 64 or 128 rows (the
    // smallest that holds them), here at each edge, with K and N off the tile sizes, a batch and a
    // transposed B; A row-major, or column-major (staged along its rows).
    let Some(d) = gpu() else { return };
    for (i, rows) in [9, 16, 17, 32, 33, 64, 65, 128, 129, 300].into_iter().enumerate() {
        let (av, bv) = (common::random(2 * rows * 45, 20 + i as u32), common::random(2 * 45 * 130, 40));
        for a_transposed in [false, true] {
            let product = |dev: &Device| {
                let a = match a_transposed {
                    false => Tensor::from_slice(&av, &[2, rows, 45], dev).unwrap(),
                    true => Tensor::from_slice(&av, &[2, 45, rows], dev).unwrap().transpose(1, 2).unwrap(),
                };
                let b = Tensor::from_slice(&bv, &[2, 130, 45], dev).unwrap().transpose(1, 2).unwrap();
                read(&a.matmul(&b).unwrap())
            };
            common::assert_close(&product(&d), &product(&Device::Cpu), 1e-4, 1e-4);
        }
    }
}

#[test]
fn kernels_reading_info_from_uniform_or_storage_agree_with_the_cpu() {
    // Every kernel reads its parameters through `info(i)`; the binding is a uniform buffer except on
    // SwiftShader. Both address spaces, on a strided elementwise op, a reduction, a product and a
    // convolution with its gradients.
    let Some(d) = gpu() else { return };
    let (xv, wv) = (common::random(2 * 3 * 9 * 9, 50), common::random(20 * 3 * 9, 51));
    let run = |dev: &Device| {
        let x = Tensor::from_slice(&xv, &[2, 3, 9, 9], dev).unwrap();
        let w = Tensor::from_slice(&wv, &[20, 3, 3, 3], dev).unwrap();
        x.set_requires_grad(true);
        w.set_requires_grad(true);
        let y = x.conv2d(&w, None, &webgrad::Conv2dOptions::default()).unwrap();
        let z = y.permute(&[0, 2, 3, 1]).unwrap().exp().unwrap().sum_dims(Some(&[3]), false).unwrap();
        let m = z
            .reshape(&[2, 49])
            .unwrap()
            .matmul(&y.reshape(&[2, 20, 49]).unwrap().transpose(1, 2).unwrap().narrow(0, 0, 1).unwrap().squeeze(Some(0)).unwrap())
            .unwrap();
        m.sum().unwrap().backward().unwrap();
        [read(&m), read(&x.grad().unwrap()), read(&w.grad().unwrap())]
    };
    let expected = run(&Device::Cpu);
    for space in [InfoSpace::Storage, InfoSpace::Uniform] {
        context(&d).set_info_space(space);
        for (got, want) in run(&d).iter().zip(&expected) {
            common::assert_close(got, want, 1e-3, 1e-3);
        }
    }
}

#[test]
fn softmax_matches_the_cpu_on_short_and_long_rows() {
    // Rows shorter than a workgroup take one invocation each; longer ones a workgroup each. Along the
    // last axis and along axis 0 (a strided view), with large logits in one row.
    let Some(d) = gpu() else { return };
    for (i, (rows, length)) in [(130, 10), (3, 300), (2, 255), (2, 256)].into_iter().enumerate() {
        let mut values: Vec<f32> = common::random(rows * length, 60 + i as u32).iter().map(|v| v * 20.0).collect();
        values[length - 1] = 1000.0;
        for axis in [1, 0] {
            let run = |dev: &Device| {
                let x = Tensor::from_slice(&values, &[rows, length], dev).unwrap();
                [read(&x.softmax(axis).unwrap()), read(&x.log_softmax(axis).unwrap())]
            };
            for (got, want) in run(&d).iter().zip(run(&Device::Cpu).iter()) {
                common::assert_close(got, want, 1e-5, 1e-5);
            }
        }
    }
}

#[test]
fn a_fused_linear_layer_is_one_dispatch_and_matches_its_composite() {
    let Some(d) = gpu() else { return };
    let Device::WebGpu(ctx) = &d else { return };
    // 37 rows run the tiled GEMM; 2 rows the skinny path, here with a transposed (PyTorch-layout) weight.
    for (rows, k, n, transposed) in [(37, 45, 130, false), (2, 45, 130, true)] {
        let x = Tensor::from_slice(&common::random(rows * k, 1), &[rows, k], &d).unwrap();
        let w = match transposed {
            true => Tensor::from_slice(&common::random(k * n, 2), &[n, k], &d).unwrap().t().unwrap(),
            false => Tensor::from_slice(&common::random(k * n, 2), &[k, n], &d).unwrap(),
        };
        let b = Tensor::from_slice(&common::random(n, 3), &[n], &d).unwrap();
        for act in webgrad::Activation::ALL {
            let before = ctx.counters().dispatches;
            let fused = x.linear(&w, &b, act).unwrap();
            assert_eq!(ctx.counters().dispatches - before, 1, "{act:?}");
            let pre = x.matmul(&w).unwrap().add(&b).unwrap();
            let composite = match act {
                webgrad::Activation::Identity => pre,
                webgrad::Activation::Relu => pre.relu().unwrap(),
                webgrad::Activation::Sigmoid => pre.sigmoid().unwrap(),
                webgrad::Activation::Tanh => pre.tanh().unwrap(),
            };
            common::assert_close(&read(&fused), &read(&composite), 1e-5, 1e-5);
        }
    }
}

#[test]
fn conv_gradients_match_the_cpu_on_both_kernel_shapes() {
    // (images, in, out, size, groups). Few channels (<= 8 rows of the result, over short contractions
    // for the forward and input gradient) run the skinny kernels, more the tiled ones (tiles of 16,
    // 32 and 128 rows here); 4 images of 64x64 give the weight gradient a contraction of 16,384, split
    // over slices.
    let Some(d) = gpu() else { return };
    let cases = [(4, 2, 3, 64, 1), (2, 12, 10, 12, 1), (2, 4, 6, 9, 2), (2, 34, 36, 7, 2), (1, 3, 70, 6, 1)];
    for (i, (n, c, o, size, groups)) in cases.into_iter().enumerate() {
        let (xv, wv) = (common::random(n * c * size * size, 5 + i as u32), common::random(o * c / groups * 9, 6));
        let grads = |dev: &Device| {
            let x = Tensor::from_slice(&xv, &[n, c, size, size], dev).unwrap();
            let w = Tensor::from_slice(&wv, &[o, c / groups, 3, 3], dev).unwrap();
            x.set_requires_grad(true);
            w.set_requires_grad(true);
            let opts = webgrad::Conv2dOptions { padding: webgrad::Padding::Same, groups, ..Default::default() };
            let y = x.conv2d(&w, None, &opts).unwrap();
            y.mul(&y).unwrap().sum().unwrap().backward().unwrap();
            (read(&y), read(&w.grad().unwrap()), read(&x.grad().unwrap()))
        };
        let (gpu_y, gpu_w, gpu_x) = grads(&d);
        let (cpu_y, cpu_w, cpu_x) = grads(&Device::Cpu);
        common::assert_close(&gpu_y, &cpu_y, 1e-4, 1e-4);
        common::assert_close(&gpu_w, &cpu_w, 1e-3, 1e-2);
        common::assert_close(&gpu_x, &cpu_x, 1e-4, 1e-3);
    }
}

#[test]
fn long_reductions_split_over_workgroups_match_the_cpu() {
    let Some(d) = gpu() else { return };
    let values = common::random(3 * 70_001, 9);
    {
        let t = Tensor::from_slice(&values, &[3, 70_001], &d).unwrap();
        let c = Tensor::from_slice(&values, &[3, 70_001], &Device::Cpu).unwrap();
        for (gpu_out, cpu_out) in [
            (t.max(Some(&[1]), false), c.max(Some(&[1]), false)),
            (t.min(None, false), c.min(None, false)),
            (t.mean(Some(&[1]), true), c.mean(Some(&[1]), true)),
            (t.t().unwrap().sum_dims(Some(&[0]), false), c.t().unwrap().sum_dims(Some(&[0]), false)),
        ] {
            // Sequential f32 summation of 70,001 values (the CPU's) is accurate to about n * eps ~ 4e-3.
            common::assert_close(&read(&gpu_out.unwrap()), &read(&cpu_out.unwrap()), 1e-4, 5e-3);
        }
    }
}

#[test]
fn elementwise_work_above_the_storage_binding_limit_is_split() {
    // One element past the limit (128 MiB on lavapipe) and an odd remainder: unary, binary (with a
    // broadcast scalar), where and an Adam update run in windows; other kernels say why they cannot.
    let Some(d) = gpu() else { return };
    let Device::WebGpu(ctx) = &d else { return };
    let limit = ctx.limits().max_storage_buffer_binding_size as usize / 4;
    let n = limit + 1_000_003;
    // About ten 256 MiB buffers are live at once: above the default 2 GiB budget.
    ctx.set_memory_budget(8 << 30);
    if (n * 4) as u64 > ctx.limits().max_buffer_size {
        eprintln!("skipped: this adapter's largest buffer is its binding limit");
        return;
    }
    let values: Vec<f32> = (0..n).map(|i| (i % 1000) as f32).collect();
    let x = Tensor::from_slice(&values, &[n], &d).unwrap();
    let y = x.mul_scalar(2.0).unwrap().add_scalar(1.0).unwrap().neg().unwrap();
    let got = read(&y);
    assert!(got.iter().enumerate().all(|(i, &v)| v == -(2.0 * (i % 1000) as f32 + 1.0)), "x * 2 + 1, negated");
    drop(got);
    let picked = Tensor::where_cond(&x.lt(&Tensor::scalar(500.0, &d).unwrap()).unwrap(), &x, &y).unwrap();
    let got = read(&picked);
    assert!(got.iter().enumerate().all(|(i, &v)| v == if i % 1000 < 500 { (i % 1000) as f32 } else { -(2.0 * (i % 1000) as f32 + 1.0) }));
    drop(got);
    // First Adam step: p - lr * g / (|g| + eps), with g = x - 499.5 (never 0).
    let g = x.add_scalar(-499.5).unwrap();
    let zeros = Tensor::zeros(&[n], webgrad::DType::F32, &d).unwrap();
    let step = webgrad::AdamStep {
        lr: 0.5,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.0,
        decoupled: false,
        epsilon_hat: false,
        step: 1,
    };
    let (p, _, _) = x.adam_update(&g, &zeros, &zeros, &step).unwrap();
    let got = read(&p);
    assert!(got.iter().enumerate().all(|(i, &v)| (v - ((i % 1000) as f32 - if i % 1000 < 500 { -0.5 } else { 0.5 })).abs() < 1e-3));
    drop(got);
    // A strided view is refused with the reason.
    let e = x.narrow(0, 0, n / 7 * 7).unwrap().reshape(&[n / 7, 7]).unwrap().t().unwrap().exp().map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("cannot be split"), "{e}");
}

#[test]
fn reductions_above_the_storage_binding_limit_run_in_slabs() {
    // x[i] = i % 1003 over more elements than one binding holds, as [rows, 1000]: whole reductions,
    // rows (slabs across a kept axis, concatenated), columns (across the reduced axis, combined),
    // and a small view of the big buffer (one window). Row sums are exact integers.
    let Some(d) = gpu() else { return };
    let Some(rows) = rows_past_the_binding_limit(&d, 1000) else { return };
    let values: Vec<f32> = (0..rows * 1000).map(|i| (i % 1003) as f32).collect();
    let x = Tensor::from_slice(&values, &[rows, 1000], &d).unwrap();
    assert_eq!(read(&x.max(None, false).unwrap()), vec![1002.0]);
    assert_eq!(read(&x.min(None, false).unwrap()), vec![0.0]);
    let total = read(&x.sum().unwrap())[0] as f64;
    let want: f64 = values.iter().map(|&v| v as f64).sum();
    assert!((total - want).abs() / want < 1e-5, "{total} vs {want}");
    let row_sums = read(&x.sum_dims(Some(&[1]), false).unwrap());
    let want_rows: Vec<f32> = values.chunks(1000).map(|r| r.iter().sum::<f32>()).collect();
    assert!(row_sums == want_rows, "row sums differ from the host's");
    let (mut want_max, mut want_sums) = (vec![f32::MIN; 1000], vec![0f64; 1000]);
    for row in values.chunks(1000) {
        for (c, &v) in row.iter().enumerate() {
            want_max[c] = want_max[c].max(v);
            want_sums[c] += v as f64;
        }
    }
    assert!(read(&x.max(Some(&[0]), false).unwrap()) == want_max, "column maxima differ from the host's");
    let col_sums = read(&x.sum_dims(Some(&[0]), false).unwrap());
    assert!(col_sums.iter().zip(&want_sums).all(|(&v, &w)| (v as f64 - w).abs() <= 1e-5 * w));
    // The last rows alone: a view whose elements fit one window of the big buffer.
    let tail = x.narrow(0, rows - 3, 3).unwrap();
    assert_eq!(read(&tail.sum_dims(Some(&[1]), false).unwrap()), want_rows[rows - 3..]);
    // Arg reductions run over slabs that keep their axis whole (here slabs of rows); over an axis
    // no slab can hold whole they report the limit.
    let first_max = |row: &[f32]| row.iter().enumerate().fold(0, |best, (i, &v)| if v > row[best] { i } else { best }) as f32;
    let first_min = |row: &[f32]| row.iter().enumerate().fold(0, |best, (i, &v)| if v < row[best] { i } else { best }) as f32;
    assert!(read(&x.argmax(Some(1), false).unwrap()) == values.chunks(1000).map(first_max).collect::<Vec<_>>(), "row argmax differs");
    assert!(read(&x.argmin(Some(1), false).unwrap()) == values.chunks(1000).map(first_min).collect::<Vec<_>>(), "row argmin differs");
    let e = x.argmax(None, false).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("cannot be cut into slabs"), "{e}");
}

#[test]
fn matmul_above_the_storage_binding_limit_runs_in_pieces() {
    // A [rows, 1024] operand just past the limit (128 MiB on lavapipe) times [1024, 3], plain and as a
    // fused linear layer: blocks of rows, each binding its windows of A, B and C. Small integers keep
    // every partial sum exact, so the result must equal the host's.
    let Some(d) = gpu() else { return };
    let cols = 1024;
    let Some(rows) = rows_past_the_binding_limit(&d, cols) else { return };
    let av: Vec<f32> = (0..rows * cols).map(|i| (i % 1000) as f32).collect();
    let bv: Vec<f32> = (0..cols * 3).map(|i| ((i * 7) % 5) as f32 - 2.0).collect();
    let a = Tensor::from_slice(&av, &[rows, cols], &d).unwrap();
    // B as the transpose of a [3, 1024] tensor: a strided operand.
    let bt: Vec<f32> = (0..3 * cols).map(|i| bv[(i % cols) * 3 + i / cols]).collect();
    let b = Tensor::from_slice(&bt, &[3, cols], &d).unwrap().t().unwrap();
    let bias = Tensor::from_slice(&[0.5, -1e6, 3.0], &[3], &d).unwrap();
    let expected: Vec<f32> = (0..rows * 3)
        .map(|i| {
            let (r, c) = (i / 3, i % 3);
            (0..cols).map(|j| av[r * cols + j] as f64 * bv[j * 3 + c] as f64).sum::<f64>() as f32
        })
        .collect();
    assert_eq!(read(&a.matmul(&b).unwrap()), expected);
    let fused = read(&a.linear(&b, &bias, webgrad::Activation::Relu).unwrap());
    let want: Vec<f32> = expected.iter().enumerate().map(|(i, &v)| (v + [0.5, -1e6, 3.0][i % 3]).max(0.0)).collect();
    assert_eq!(fused, want);
}

#[test]
fn convolutions_and_pooling_above_the_storage_binding_limit_run_in_pieces_of_images() {
    // Three 13x931x931 images (135 MB, past lavapipe's 128 MiB binding; a stride-2 convolution to 2
    // channels keeps the work small): the convolution's forward pass, input gradient and weight
    // gradient, and max and average pooling with their gradients, run over pieces of whole images,
    // each binding its windows. Images are independent, so each image's outputs and input gradient
    // must equal those of the same image alone (a tensor that fits, on the one-piece path the other
    // tests check against the CPU), and the weight gradient the sum of the per-image ones.
    let Some(d) = gpu() else { return };
    let Device::WebGpu(ctx) = &d else { return };
    // Odd sizes: pieces start off the binding-offset alignment, so their offsets within windows matter.
    let (n, c, size) = (3, 13, 931);
    let image = c * size * size;
    if (n * image * 4) as u64 <= ctx.limits().max_storage_buffer_binding_size || (n * image * 4) as u64 > ctx.limits().max_buffer_size {
        eprintln!("skipped: the images fit one binding, or no buffer holds them");
        return;
    }
    let (xv, wv) = (common::random(n * image, 80), common::random(2 * c * 9, 81));
    let opts = webgrad::Conv2dOptions { padding: webgrad::Padding::Same, stride: [2, 2], ..Default::default() };
    let pool = webgrad::Pool2dOptions { stride: Some([2, 2]), padding: webgrad::Padding::Same, ..webgrad::Pool2dOptions::new([3, 3]) };
    // 3x3 windows: 9 * 465 * 465 columns per image, odd, so pieces of columns start off the alignment.
    let avg = webgrad::Pool2dOptions { stride: Some([2, 2]), ..webgrad::Pool2dOptions::new([3, 3]) };
    let run = |values: &[f32], images: usize| {
        let x = Tensor::from_slice(values, &[images, c, size, size], &d).unwrap();
        let w = Tensor::from_slice(&wv, &[2, c, 3, 3], &d).unwrap();
        x.set_requires_grad(true);
        w.set_requires_grad(true);
        let y = x.conv2d(&w, None, &opts).unwrap();
        // Average pooling runs im2col and col2im (for its gradient) over pieces of images.
        let (p, a) = (x.max_pool2d(&pool).unwrap(), x.avg_pool2d(&avg).unwrap());
        let squares = [&y, &p, &a].map(|t| t.mul(t).unwrap().sum().unwrap());
        squares[0].add(&squares[1]).unwrap().add(&squares[2]).unwrap().backward().unwrap();
        (read(&y), read(&p), read(&a), read(&x.grad().unwrap()), read(&w.grad().unwrap()))
    };
    let (y, p, a, dx, dw) = run(&xv, n);
    let averaged_image = c * (size / 2) * (size / 2);
    let out_image = 2 * size.div_ceil(2) * size.div_ceil(2);
    let pooled_image = out_image / 2 * c;
    let mut dw_sum = vec![0f32; dw.len()];
    for i in 0..n {
        let (yi, pi, ai, dxi, dwi) = run(&xv[i * image..(i + 1) * image], 1);
        common::assert_close(&y[i * out_image..(i + 1) * out_image], &yi, 1e-5, 1e-5);
        assert_eq!(&p[i * pooled_image..(i + 1) * pooled_image], &pi[..]);
        assert_eq!(&a[i * averaged_image..(i + 1) * averaged_image], &ai[..]);
        common::assert_close(&dx[i * image..(i + 1) * image], &dxi, 1e-5, 1e-5);
        dw_sum.iter_mut().zip(&dwi).for_each(|(s, v)| *s += v);
    }
    common::assert_close(&dw, &dw_sum, 1e-3, 1e-4);
}

#[test]
fn a_convolution_over_no_images_has_an_empty_output_and_zero_weight_gradient() {
    let Some(d) = gpu() else { return };
    let wv = common::random(2 * 3 * 9, 82);
    let empty = |dev: &Device| {
        let x = Tensor::from_slice(&[], &[0, 3, 5, 5], dev).unwrap();
        let w = Tensor::from_slice(&wv, &[2, 3, 3, 3], dev).unwrap();
        x.set_requires_grad(true);
        w.set_requires_grad(true);
        let y = x.conv2d(&w, None, &webgrad::Conv2dOptions::default()).unwrap();
        y.sum().unwrap().backward().unwrap();
        (y.shape().to_vec(), read(&w.grad().unwrap()))
    };
    let on_gpu = empty(&d);
    assert_eq!(on_gpu, empty(&Device::Cpu));
    assert_eq!(on_gpu.1, vec![0.0; 54]);
}

#[test]
fn softmax_above_the_storage_binding_limit_runs_in_slabs_of_rows() {
    // Rows of 1003 logits (slabs then start off the offset alignment), more of them than one binding
    // holds: slabs of whole rows, each binding its windows of x and y. Checked against the host on
    // every 97th row and the last ones; along the long axis no slab of whole rows fits, which is a
    // clear error.
    let Some(d) = gpu() else { return };
    let cols = 1003;
    let Some(rows) = rows_past_the_binding_limit(&d, cols) else { return };
    let values: Vec<f32> = (0..rows * cols).map(|i| (i % 1009) as f32 * 0.01).collect();
    let x = Tensor::from_slice(&values, &[rows, cols], &d).unwrap();
    let (soft, log) = (read(&x.softmax(1).unwrap()), read(&x.log_softmax(1).unwrap()));
    for r in (0..rows).step_by(97).chain(rows - 3..rows) {
        let row = &values[r * cols..(r + 1) * cols];
        let top = row.iter().fold(f64::MIN, |m, &v| m.max(v as f64));
        let total: f64 = row.iter().map(|&v| (v as f64 - top).exp()).sum();
        for (c, &v) in row.iter().enumerate() {
            let want_log = v as f64 - top - total.ln();
            assert!((log[r * cols + c] as f64 - want_log).abs() < 1e-4, "log-softmax at row {r}");
            assert!((soft[r * cols + c] as f64 - want_log.exp()).abs() < 1e-6, "softmax at row {r}");
        }
    }
    let e = x.softmax(0).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("cannot be cut into slabs"), "{e}");
}

#[test]
fn gathering_rows_of_a_source_above_the_storage_binding_limit_runs_in_slabs() {
    // Batch rows picked from a dataset larger than one binding (as `fit` does on the device): slabs
    // of rows, each binding its window and writing the picks that fall in it; exact against the
    // host, and an index off the axis still reported once at the next readback.
    let Some(d) = gpu() else { return };
    let cols = 1003;
    let Some(rows) = rows_past_the_binding_limit(&d, cols) else { return };
    let values: Vec<f32> = (0..rows * cols).map(|i| (i % 1009) as f32).collect();
    let x = Tensor::from_slice(&values, &[rows, cols], &d).unwrap();
    let picks = [0, rows - 1, 5, rows / 2, rows - 2, 33_460, 33_453, 7];
    let index = Tensor::from_i32(&picks.map(|p| p as i32), &[picks.len()], &d).unwrap();
    let got = read(&x.index_select(0, &index).unwrap());
    let want: Vec<f32> = picks.iter().flat_map(|&p| values[p * cols..(p + 1) * cols].to_vec()).collect();
    assert!(got == want, "gathered rows differ from the host's");
    let bad = Tensor::from_i32(&[3, rows as i32], &[2], &d).unwrap();
    let e = pollster::block_on(x.index_select(0, &bad).unwrap().to_vec()).unwrap_err().to_string();
    assert!(e.contains(&format!("index {rows} is outside an axis of size {rows}")), "{e}");
}

#[test]
fn gathers_whose_output_is_above_the_storage_binding_limit_write_it_in_slabs() {
    // Small sources, outputs past one binding: rows picked along axis 0 (output slabs cut the
    // gathered axis) and columns along axis 1 (slabs cut rows, so each starts that far into x).
    // Rows of 1003 put the slabs off the binding-offset alignment. Exact against the host.
    let Some(d) = gpu() else { return };
    let Some(rows) = rows_past_the_binding_limit(&d, 1003) else { return };
    let xv: Vec<f32> = (0..50 * 1003).map(|i| (i % 1009) as f32).collect();
    let x = Tensor::from_slice(&xv, &[50, 1003], &d).unwrap();
    let picks: Vec<i32> = (0..rows).map(|i| ((i * 7) % 50) as i32).collect();
    let got = read(&x.index_select(0, &Tensor::from_i32(&picks, &[rows], &d).unwrap()).unwrap());
    let want: Vec<f32> = picks.iter().flat_map(|&p| xv[p as usize * 1003..(p as usize + 1) * 1003].to_vec()).collect();
    assert!(got == want, "rows gathered into slabs differ from the host's");
    let columns = rows * 1003 / 8;
    let picks: Vec<i32> = (0..columns).map(|j| ((j * 13) % 1003) as i32).collect();
    let got = read(&x.narrow(0, 0, 8).unwrap().index_select(1, &Tensor::from_i32(&picks, &[columns], &d).unwrap()).unwrap());
    let want: Vec<f32> = (0..8).flat_map(|r| picks.iter().map(move |&p| (r * 1003 + p as usize) % 1009).map(|v| v as f32)).collect();
    assert!(got == want, "columns gathered into slabs differ from the host's");
}

#[test]
fn concatenating_and_scattering_above_the_storage_binding_limit_run_in_slabs() {
    // A [rows, 1003] tensor past one binding joined with small parts along both axes (the region of
    // a part is then a strided window of the output), and rows added into it by a scatter along
    // axis 0 (slabs of rows, each adding the positions that fall in it): exact against the host.
    // Rows of 1003 put the slabs off the binding-offset alignment, so their offsets matter.
    let Some(d) = gpu() else { return };
    const COLS: usize = 1003;
    let Some(rows) = rows_past_the_binding_limit(&d, COLS) else { return };
    let values: Vec<f32> = (0..rows * COLS).map(|i| (i % 1013) as f32).collect();
    let x = Tensor::from_slice(&values, &[rows, COLS], &d).unwrap();
    let side: Vec<f32> = (0..rows * 3).map(|i| -((i % 7) as f32)).collect();
    let joined = read(&Tensor::concat(&[x.clone(), Tensor::from_slice(&side, &[rows, 3], &d).unwrap()], 1).unwrap());
    let want: Vec<f32> = values.chunks(COLS).zip(side.chunks(3)).flat_map(|(a, b)| a.iter().chain(b).copied()).collect();
    assert!(joined == want, "concatenation along columns differs from the host's");
    let top = Tensor::from_slice(&[7.0; 2 * COLS], &[2, COLS], &d).unwrap();
    let stacked = read(&Tensor::concat(&[top, x.clone()], 0).unwrap());
    assert!(stacked[..2 * COLS].iter().all(|&v| v == 7.0) && stacked[2 * COLS..] == values[..], "concatenation along rows differs");
    // Rows 1, rows - 1 (twice) and the middle get src rows added; an index off the axis is reported.
    let picks = [1, rows - 1, rows / 2, rows - 1];
    let index: Vec<i32> = picks.iter().flat_map(|&p| [p as i32; COLS]).collect();
    let src: Vec<f32> = (0..4 * COLS).map(|i| (i % 11) as f32 + 0.5).collect();
    let index_t = Tensor::from_i32(&index, &[4, COLS], &d).unwrap();
    let sum = read(&x.scatter_add(0, &index_t, &Tensor::from_slice(&src, &[4, COLS], &d).unwrap()).unwrap());
    let mut want = values.clone();
    for (k, &p) in picks.iter().enumerate() {
        want[p * COLS..(p + 1) * COLS].iter_mut().zip(&src[k * COLS..(k + 1) * COLS]).for_each(|(w, s)| *w += s);
    }
    assert!(sum == want, "scatter-add differs from the host's");
    let bad = Tensor::from_i32(&[rows as i32; COLS], &[1, COLS], &d).unwrap();
    let e = pollster::block_on(x.scatter_add(0, &bad, &x.narrow(0, 0, 1).unwrap()).unwrap().to_vec()).unwrap_err().to_string();
    assert!(e.contains(&format!("index {rows} is outside an axis of size {rows}")), "{e}");
}

#[test]
fn software_adapters_are_recognised() {
    // "auto" skips software adapters (the CPU backend is faster); lavapipe is one, a GPU is not.
    let Some(d) = gpu() else { return };
    let Device::WebGpu(ctx) = &d else { return };
    let name = ctx.adapter_description().to_ascii_lowercase();
    assert_eq!(ctx.is_software(), name.contains("llvmpipe") || name.contains("swiftshader"), "{name}");
}

#[test]
fn an_index_fault_fails_the_readbacks_that_depend_on_it_and_names_its_op() {
    let Some(d) = gpu() else { return };
    let x = Tensor::from_slice(&[1.0, 2.0, 3.0], &[3], &d).unwrap();
    let bad = x.index_select(0, &Tensor::from_i32(&[0, 5], &[2], &d).unwrap()).unwrap();
    let derived = bad.add_scalar(1.0).unwrap().sum().unwrap();
    // An unrelated readback after the fault is not touched by it.
    let unrelated = x.mul(&x).unwrap();
    assert_eq!(read(&unrelated), vec![1.0, 4.0, 9.0]);
    for t in [&bad, &derived, &bad] {
        let e = pollster::block_on(t.to_vec()).unwrap_err().to_string();
        assert!(e.starts_with("indexSelect:") && e.contains("index 5 is outside an axis of size 3"), "{e}");
    }
    // A scatter-add fault names scatterAdd, and work after it is clean.
    let base = Tensor::zeros(&[3], DType::F32, &d).unwrap();
    let scattered = base.scatter_add(0, &Tensor::from_i32(&[1, -1], &[2], &d).unwrap(), &x.narrow(0, 0, 2).unwrap()).unwrap();
    let e = pollster::block_on(scattered.to_vec()).unwrap_err().to_string();
    assert!(e.contains("scatterAdd") && e.contains("index -1 is outside an axis of size 3"), "{e}");
    let good = base.scatter_add(0, &Tensor::from_i32(&[2, 2], &[2], &d).unwrap(), &x.narrow(0, 0, 2).unwrap()).unwrap();
    assert_eq!(read(&good), vec![0.0, 0.0, 3.0]);
}

#[test]
fn an_out_of_range_index_names_the_users_op_on_both_backends() {
    let Some(d) = gpu() else { return };
    // The CPU fails at the call, WebGPU at the readback: either way the error names the op called.
    let error = |t: webgrad::Result<Tensor>| match t {
        Ok(t) => pollster::block_on(t.to_vec()).unwrap_err().to_string(),
        Err(e) => e.to_string(),
    };
    for dev in [Device::Cpu, d] {
        let x = Tensor::from_slice(&[1.0, 2.0, 3.0], &[3], &dev).unwrap();
        let base = Tensor::zeros(&[3], DType::F32, &dev).unwrap();
        let e = error(base.scatter_add(0, &Tensor::from_i32(&[1, 3], &[2], &dev).unwrap(), &x.narrow(0, 0, 2).unwrap()));
        assert!(e.contains("scatterAdd") && !e.contains("gather") && e.contains("3"), "{}: {e}", dev.kind());
        let e = error(x.gather(0, &Tensor::from_i32(&[-1], &[1], &dev).unwrap()));
        assert!(e.contains("gather") && e.contains("-1"), "{}: {e}", dev.kind());
    }
}

#[test]
fn nan_and_infinities_are_truthy_and_zeros_are_not_on_both_backends() {
    let Some(d) = gpu() else { return };
    let values = [f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, 1.0, -2.5, 1e-40];
    let truth = |dev: &Device| {
        let x = Tensor::from_slice(&values, &[values.len()], dev).unwrap();
        let ones = Tensor::full(&[values.len()], 1.0, DType::F32, dev).unwrap();
        let b = x.cast(DType::Bool).unwrap();
        let and = x.cast(DType::Bool).unwrap().logical_and(&ones.cast(DType::Bool).unwrap()).unwrap();
        let not = b.logical_not().unwrap();
        let picked = Tensor::where_cond(&b, &ones, &ones.neg().unwrap()).unwrap();
        [b, and, not, picked].map(|t| read(&t.cast(DType::F32).unwrap()))
    };
    let (gpu_truth, cpu_truth) = (truth(&d), truth(&Device::Cpu));
    assert_eq!(cpu_truth[0], vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0], "the CPU reference");
    assert_eq!(gpu_truth, cpu_truth);
}

#[test]
fn sin_and_cos_match_the_cpu_to_1e_6_up_to_100_and_stay_close_to_1e4() {
    let Some(d) = gpu() else { return };
    // A sweep of [-100, 100] in steps of about 1e-3 (off the multiples of pi/2), and larger
    // arguments up to 1e4, with f64 sin/cos of the f32 argument as the reference.
    let small: Vec<f32> = (0..200_001).map(|i| -100.0 + i as f32 * 1.000_003e-3).collect();
    let large: Vec<f32> = (0..20_001).map(|i| -1.0e4 + i as f32 * 0.999_97).collect();
    for (xs, bound) in [(&small, 1e-6f64), (&large, 1e-6)] {
        let x = Tensor::from_slice(xs, &[xs.len()], &d).unwrap();
        for (op, f) in [(webgrad::backend::UnaryOp::Sin, f64::sin as fn(f64) -> f64), (webgrad::backend::UnaryOp::Cos, f64::cos)] {
            let got = read(&x.unary(op).unwrap());
            let worst = got.iter().zip(xs.iter()).map(|(&g, &v)| (g as f64 - f(v as f64)).abs()).fold(0.0, f64::max);
            eprintln!("{op:?} on |x| <= {}: max abs error {worst:.2e}", xs[0].abs());
            assert!(worst <= bound, "{op:?}: max error {worst:.2e} above {bound:.0e}");
        }
    }
    let special = Tensor::from_slice(&[f32::NAN, f32::INFINITY, 0.0, -0.0], &[4], &d).unwrap();
    let s = read(&special.unary(webgrad::backend::UnaryOp::Sin).unwrap());
    assert!(s[0].is_nan() && s[1].is_nan() && s[2] == 0.0, "{s:?}");
}

#[test]
fn allocations_past_the_memory_budget_fail_at_the_call_and_free_memory_can_be_reused() {
    let Some(d) = gpu() else { return };
    let ctx = context(&d);
    ctx.release_pool();
    let held = ctx.memory();
    ctx.set_memory_budget(held.live_bytes + held.pooled_bytes + (48 << 20));
    let big = Tensor::zeros(&[8 << 20], DType::F32, &d).unwrap(); // 32 MiB
    let doubled = big.add_scalar(1.0);
    let e = doubled.as_ref().map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("out of memory") && e.contains("8388608 elements") && e.contains("budget"), "{e}");
    assert!(e.starts_with("binary/Add/float32") || e.contains("upload"), "the error names the op: {e}");
    drop(doubled);
    drop(big);
    ctx.release_pool();
    let again = Tensor::full(&[8 << 20], 1.0, DType::F32, &d).unwrap().sum().unwrap();
    assert_eq!(read(&again), vec![(8 << 20) as f32]);
    // The budget does not change results: a small computation still matches the CPU.
    let run = |dev: &Device| read(&Tensor::from_slice(&[1.0, -2.0, 3.0], &[3], dev).unwrap().exp().unwrap().mul_scalar(2.0).unwrap());
    common::assert_close(&run(&d), &run(&Device::Cpu), 1e-6, 1e-6);
    ctx.set_memory_budget(2 << 30);
}

#[test]
fn an_output_above_the_largest_buffer_is_an_error_naming_the_op() {
    let Some(d) = gpu() else { return };
    let largest = context(&d).limits().max_buffer_size;
    let n = (largest / 4 + 1) as usize;
    // Adapters whose largest buffer is above the core's element cap (2 GiB) never get that far.
    match Tensor::full(&[1], 1.0, DType::F32, &d).unwrap().expand(&[n as isize]) {
        Ok(big) => {
            let e = big.add_scalar(1.0).unwrap_err().to_string();
            assert!(e.contains("binary/Add") && e.contains("above this adapter's largest buffer"), "{e}");
        }
        Err(e) => assert!(e.to_string().starts_with("expand:") && e.to_string().contains("more than a tensor can hold"), "{e}"),
    }
    assert_eq!(read(&Tensor::full(&[2], 1.0, DType::F32, &d).unwrap().add_scalar(1.0).unwrap()), vec![2.0, 2.0]);
}

#[test]
fn gpu_memory_stays_flat_over_a_training_loop_and_the_pool_empties_on_release() {
    let Some(d) = gpu() else { return };
    let ctx = context(&d);
    manual_seed(5);
    let mut w = Tensor::randn(&[8, 16], &d).unwrap();
    let mut v = Tensor::randn(&[16, 1], &d).unwrap();
    let mut step = |i: usize| {
        // Fresh uploads every step, as a data loader gives.
        let x = Tensor::from_slice(&common::random(32 * 8, i as u32), &[32, 8], &d).unwrap();
        let t = Tensor::from_slice(&common::random(32, 9_000 + i as u32), &[32, 1], &d).unwrap();
        w.set_requires_grad(true);
        v.set_requires_grad(true);
        let h = x.matmul(&w).unwrap().add_scalar(0.1).unwrap().relu().unwrap();
        let loss = h.matmul(&v).unwrap().sub(&t).unwrap().square().unwrap().sum().unwrap();
        loss.backward().unwrap();
        let (nw, nv) = no_grad(|| {
            (w.sub(&w.grad().unwrap().mul_scalar(1e-3).unwrap()).unwrap(), v.sub(&v.grad().unwrap().mul_scalar(1e-3).unwrap()).unwrap())
        });
        (w, v) = (nw, nv);
        if i.is_multiple_of(50) {
            assert!(read(&loss)[0].is_finite());
        }
    };
    let total = |m: webgrad::backend::webgpu::GpuMemory| m.live_bytes + m.pooled_bytes;
    for i in 0..100 {
        step(i);
    }
    let warm = total(ctx.memory());
    let mut curve = vec![warm];
    for i in 100..2_100 {
        step(i);
        if i % 500 == 99 {
            curve.push(total(ctx.memory()));
        }
    }
    let end = total(ctx.memory());
    eprintln!("live + pooled bytes after warm-up, every 500 steps: {curve:?}, end {end}");
    assert!(end <= warm, "GPU memory grew from {warm} to {end} bytes: {curve:?}");
    ctx.release_pool();
    assert_eq!(ctx.memory().pooled_bytes, 0);
}

/// Both backends fail a kernel given an operand of the wrong dtype with one message (one helper,
/// one text per rule), for the cases where they had differed.
#[test]
fn dtype_errors_read_the_same_on_both_backends() {
    use webgrad::backend::cpu::{CpuBackend, CpuStorage};
    use webgrad::backend::{Backend, BinaryOp, UnaryOp};
    use webgrad::dtype::HostData;
    use webgrad::layout::Layout;
    let Some(d) = gpu() else { return };
    let ctx = context(&d);
    let l = Layout::contiguous(&[2]);
    let (bools, floats, ints) = (HostData::Bool(vec![true, false]), HostData::F32(vec![1.0, 2.0]), HostData::I32(vec![0, 1]));
    let cpu = |h: &HostData| CpuStorage::from(h.clone());
    let gpu = |h: &HostData| ctx.upload(h).unwrap();
    let both = |c: webgrad::Result<CpuStorage>, g: webgrad::Result<webgrad::backend::webgpu::GpuStorage>| {
        let (c, g) = (c.err().map(|e| e.to_string()), g.err().map(|e| e.to_string()));
        assert!(c.is_some(), "the CPU accepted it");
        assert_eq!(c, g);
    };
    // Arithmetic on bool, and a function that does not take int32.
    both(
        CpuBackend.binary(BinaryOp::Add, &cpu(&bools), &l, &cpu(&bools), &l),
        ctx.binary(BinaryOp::Add, &gpu(&bools), &l, &gpu(&bools), &l),
    );
    both(CpuBackend.unary(UnaryOp::Exp, &cpu(&ints), &l), ctx.unary(UnaryOp::Exp, &gpu(&ints), &l));
    // scatter_add of bool values, and of mismatched base and source.
    let index = Layout::contiguous(&[2]);
    for (base, src) in [(&bools, &bools), (&floats, &ints)] {
        both(
            CpuBackend.scatter_add("scatterAdd", &cpu(base), &l, 0, &cpu(&ints), &index, &cpu(src), &l),
            ctx.scatter_add("scatterAdd", &gpu(base), &l, 0, &gpu(&ints), &index, &gpu(src), &l),
        );
    }
}

/// Every row of the unary op table (internal ops included), on every dtype it takes, runs on WebGPU
/// and agrees with the CPU reference (WGSL's sin and cos are bounded to 2^-11 absolute).
#[test]
fn every_unary_op_of_the_table_runs_on_both_backends() {
    use webgrad::backend::UnaryOp;
    let Some(d) = gpu() else { return };
    let values: Vec<f32> =
        [0.0, -0.0, 0.5, -0.5, 1.5, -2.5].into_iter().chain(common::random(58, 3).into_iter().map(|v| 2.0 * v)).collect();
    let mut failures = Vec::new();
    for op in UnaryOp::ALL {
        let dtypes = [(DType::F32, op.takes_float()), (DType::I32, op.takes_int()), (DType::Bool, op.takes_bool())];
        for dtype in dtypes.into_iter().filter_map(|(dtype, takes)| takes.then_some(dtype)) {
            let on = |device: &Device| {
                let x = Tensor::from_slice(&values, &[values.len()], device).and_then(|x| x.cast(dtype)).expect("input");
                let y = x.unary(op).unwrap_or_else(|e| panic!("{op:?} on {dtype}: {e}"));
                (y.dtype(), pollster::block_on(y.to_host()).expect("readback").to_f32())
            };
            let ((cpu_dtype, cpu), (gpu_dtype, gpu)) = (on(&Device::Cpu), on(&d));
            assert_eq!(cpu_dtype, gpu_dtype, "{op:?} on {dtype}: dtype");
            let atol = if matches!(op, UnaryOp::Sin | UnaryOp::Cos) { 1.0 / 2048.0 } else { 1e-5 };
            let agree = |(c, g): (&f32, &f32)| (c.is_nan() && g.is_nan()) || c == g || (c - g).abs() <= atol + 1e-4 * c.abs();
            if let Some((i, (c, g))) = cpu.iter().zip(&gpu).enumerate().find(|(_, pair)| !agree(*pair)) {
                failures.push(format!("{op:?} on {dtype}: element {i} (x = {}) is {g} on WebGPU, {c} on the CPU", values[i]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every binary op of the table, on every dtype its row takes, gives the CPU's values and dtype on
/// WebGPU, on pairs that include ties, signed zeros, NaN and infinities.
#[test]
fn every_binary_op_of_the_table_runs_on_both_backends() {
    use webgrad::backend::BinaryOp;
    let Some(d) = gpu() else { return };
    let special = [0.0, -0.0, 0.5, -0.5, 1.5, -2.5, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 2.0];
    let lhs: Vec<f32> =
        special.iter().flat_map(|&x| special.iter().map(move |_| x)).chain(common::random(40, 5).into_iter().map(|v| 3.0 * v)).collect();
    let rhs: Vec<f32> = special.iter().flat_map(|_| special).chain(common::random(40, 6).into_iter().map(|v| 3.0 * v)).collect();
    // WebGPU's pow_f does not follow IEEE 754 at non-finite operands yet (pow(NaN, 0.5) is 0 there,
    // pow(-inf, 0.5) NaN): pow is compared on finite pairs only.
    let known_divergence = |op, i: usize| op == BinaryOp::Pow && !(lhs[i].is_finite() && rhs[i].is_finite());
    let mut failures = Vec::new();
    for op in BinaryOp::ALL {
        let dtypes = [(DType::F32, op.takes_float()), (DType::I32, op.takes_int()), (DType::Bool, op.takes_bool())];
        for dtype in dtypes.into_iter().filter_map(|(dtype, takes)| takes.then_some(dtype)) {
            let on = |device: &Device| {
                // Casts of NaN and infinities to i32 are the backend's own: only finite values are cast.
                let finite =
                    |v: &[f32]| -> Vec<f32> { v.iter().map(|&x| if x.is_finite() || dtype == DType::F32 { x } else { 7.0 }).collect() };
                let input = |v: &[f32]| Tensor::from_slice(&finite(v), &[v.len()], device).and_then(|x| x.cast(dtype)).expect("input");
                let y = input(&lhs).binary(op, &input(&rhs)).unwrap_or_else(|e| panic!("{op:?} on {dtype}: {e}"));
                (y.dtype(), pollster::block_on(y.to_host()).expect("readback").to_f32())
            };
            let ((cpu_dtype, cpu), (gpu_dtype, gpu)) = (on(&Device::Cpu), on(&d));
            assert_eq!(cpu_dtype, gpu_dtype, "{op:?} on {dtype}: dtype");
            let agree = |(c, g): (&f32, &f32)| (c.is_nan() && g.is_nan()) || c == g || (c - g).abs() <= 1e-5 + 1e-4 * c.abs();
            for (i, (c, g)) in cpu.iter().zip(&gpu).enumerate().filter(|&(i, pair)| !agree(pair) && !known_divergence(op, i)) {
                failures.push(format!("{op:?} on {dtype}: element {i} (a = {}, b = {}) is {g} on WebGPU, {c} on the CPU", lhs[i], rhs[i]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
