// Out-of-range index reporting, for the kernels that read indices (bound after their output).
// `fault` records the first bad index met: [flag, index, axis size]. The host reads it at the next
// readback and raises the error there (the GPU cannot raise it synchronously).
@group(0) @binding(4) var<storage, read_write> fault: array<atomic<u32>, 4>;

fn report_bad_index(index: i32, size: u32) {
    if (atomicCompareExchangeWeak(&fault[0], 0u, 1u).exchanged) {
        atomicStore(&fault[1], bitcast<u32>(index));
        atomicStore(&fault[2], size);
    }
}
