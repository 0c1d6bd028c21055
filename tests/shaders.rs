//! Every specialised WGSL kernel parses and validates with naga (the compiler wgpu uses), so a shader
//! error shows here natively, with the kernel's name, before any browser sees it.
#![cfg(not(target_arch = "wasm32"))]

use webgrad::backend::webgpu::shaders::{InfoSpace, Kernel};

#[test]
fn every_kernel_validates_with_naga() {
    for (kernel, space) in Kernel::all().into_iter().flat_map(|k| [(k, InfoSpace::Uniform), (k, InfoSpace::Storage)]) {
        let source = kernel.source(space);
        assert!(!source.contains("{{"), "{}: an unreplaced snippet remains", kernel.name());
        let module = naga::front::wgsl::parse_str(&source).unwrap_or_else(|e| panic!("{}: {}", kernel.name(), e.emit_to_string(&source)));
        naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::default())
            .validate(&module)
            .unwrap_or_else(|e| panic!("{}: {}", kernel.name(), e.emit_to_string(&source)));
    }
}
