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

/// The WGSL type naga gives a struct member, written as the parameter tables write it.
fn wgsl_name(module: &naga::Module, ty: naga::Handle<naga::Type>) -> String {
    use naga::{ScalarKind, TypeInner, VectorSize};
    let scalar = |s: naga::Scalar| match (s.kind, s.width) {
        (ScalarKind::Uint, 4) => "u32".to_string(),
        (ScalarKind::Sint, 4) => "i32".to_string(),
        (ScalarKind::Float, 4) => "f32".to_string(),
        other => format!("{other:?}"),
    };
    let t = &module.types[ty];
    match &t.inner {
        TypeInner::Scalar(s) => scalar(*s),
        TypeInner::Vector { size: VectorSize::Quad, scalar: s } => format!("vec4<{}>", scalar(*s)),
        TypeInner::Struct { .. } => t.name.clone().unwrap_or_default(),
        TypeInner::Array { base, size: naga::ArraySize::Constant(n), .. } => format!("array<{}, {n}>", wgsl_name(module, *base)),
        other => format!("{other:?}"),
    }
}

/// Checks that the WGSL struct `name` of `module` has exactly `fields` (names, types and Rust
/// offsets), recursing into nested parameter structs, and returns its WGSL size.
fn check_struct(kernel: &str, module: &naga::Module, name: &str, fields: &[webgrad::backend::webgpu::params::Field]) -> u32 {
    use webgrad::backend::webgpu::params::{Params, WindowGeometry};
    let (_, ty) =
        module.types.iter().find(|(_, t)| t.name.as_deref() == Some(name)).unwrap_or_else(|| panic!("{kernel}: no struct {name}"));
    let naga::TypeInner::Struct { members, span } = &ty.inner else { panic!("{kernel}: {name} is not a struct") };
    let wgsl: Vec<(String, String, usize)> =
        members.iter().map(|m| (m.name.clone().unwrap_or_default(), wgsl_name(module, m.ty), m.offset as usize)).collect();
    let rust: Vec<(String, String, usize)> = fields.iter().map(|f| (f.name.to_string(), f.wgsl.clone(), f.offset)).collect();
    assert_eq!(wgsl, rust, "{kernel}: the WGSL layout of {name} differs from the Rust struct's");
    for f in fields.iter().filter(|f| f.wgsl == WindowGeometry::NAME) {
        check_struct(kernel, module, &f.wgsl, &WindowGeometry::fields());
    }
    *span
}

/// Each kernel's parameter struct, as the shader declares it, lays out its members at the offsets
/// of the Rust struct's fields (the WGSL alignment rules agree with `#[repr(C)]`), and fits the
/// bytes the arena binds per dispatch.
#[test]
fn every_parameter_struct_matches_its_rust_layout() {
    let mut checked = 0;
    for kernel in Kernel::all() {
        let decl = kernel.params();
        for space in [InfoSpace::Uniform, InfoSpace::Storage] {
            let source = kernel.source(space);
            let module =
                naga::front::wgsl::parse_str(&source).unwrap_or_else(|e| panic!("{}: {}", kernel.name(), e.emit_to_string(&source)));
            let size = check_struct(&kernel.name(), &module, decl.name, &decl.fields) as usize;
            assert!(size <= 512, "{}: {} takes {size} bytes, more than the 512 bound per dispatch", kernel.name(), decl.name);
            // The WGSL size is the Rust one rounded up to the struct's alignment (16 with a vec4,
            // an array or a nested struct, else 4): no member lies past the uploaded bytes.
            let align = if decl.fields.iter().any(|f| f.wgsl != "u32" && f.wgsl != "f32") { 16 } else { 4 };
            assert_eq!(
                size,
                decl.size.div_ceil(align) * align,
                "{}: {} is {size} bytes in WGSL, {} in Rust",
                kernel.name(),
                decl.name,
                decl.size
            );
        }
        checked += 1;
    }
    assert!(checked > 0);
}
