//! Layer configurations, each declared once: [`layer_config!`] makes a layer's config struct, its
//! reader (from any [`ConfigSource`]: the JS object on the wasm side) and its TypeScript type
//! (rendered into `ts/generated/layers.ts` by `src/codegen/layers.rs`). A field's key is its name in
//! camelCase (`in_channels` is `inChannels`); a field with `= default` or of an `Option` type may be
//! left out, any other is required.

use std::rc::Rc;

use crate::backend::Device;
use crate::error::Result;
use crate::nn::{Flavor, Module};
use crate::ops::Padding;

/// A config error, worded by the source (`"Dense: config 'units' is required"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

/// Typed reads of a config's keys: `Ok(None)` when the key is missing, an error naming the layer,
/// the key and the value when it has the wrong type.
pub trait ConfigSource {
    /// A non-negative integer.
    fn size(&self, key: &str) -> std::result::Result<Option<usize>, ConfigError>;
    /// A finite number.
    fn number(&self, key: &str) -> std::result::Result<Option<f32>, ConfigError>;
    fn flag(&self, key: &str) -> std::result::Result<Option<bool>, ConfigError>;
    fn string(&self, key: &str) -> std::result::Result<Option<String>, ConfigError>;
    /// An integer or an array of integers.
    fn ints(&self, key: &str) -> std::result::Result<Option<Vec<i64>>, ConfigError>;
    /// Positive integers (one or an array).
    fn sizes(&self, key: &str) -> std::result::Result<Option<Vec<usize>>, ConfigError>;
    /// One or two positive integers, as `[h, w]`.
    fn pair(&self, key: &str) -> std::result::Result<Option<[usize; 2]>, ConfigError>;
    /// `'valid'`, `'same'` or explicit sizes (1 or 2 along the width when `one_d`, else 1, 2 or 4).
    fn padding(&self, key: &str, one_d: bool) -> std::result::Result<Option<Padding>, ConfigError>;
    /// The error of a required key that is missing.
    fn required(&self, key: &str) -> ConfigError;
}

/// A type a config field can have: how it is read and how TypeScript spells it.
pub trait ConfigValue: Sized {
    /// The TypeScript type.
    const TS: &'static str;
    /// Whether a missing key reads as a value (`Option`s: `None`).
    const OPTIONAL: bool = false;
    fn read(source: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError>;
}

impl ConfigValue for usize {
    const TS: &'static str = "number";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        s.size(key)
    }
}

impl ConfigValue for f32 {
    const TS: &'static str = "number";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        s.number(key)
    }
}

impl ConfigValue for bool {
    const TS: &'static str = "boolean";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        s.flag(key)
    }
}

impl ConfigValue for Vec<i64> {
    const TS: &'static str = "number | number[]";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        s.ints(key)
    }
}

impl ConfigValue for Vec<usize> {
    const TS: &'static str = "number | number[]";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        s.sizes(key)
    }
}

impl ConfigValue for [usize; 2] {
    const TS: &'static str = "number | number[]";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        s.pair(key)
    }
}

impl ConfigValue for Padding {
    const TS: &'static str = "PaddingName | number | number[]";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        s.padding(key, false)
    }
}

/// The padding of a 1-D layer: explicit sizes are `left, right` (or one for both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Padding1d(pub Padding);

impl ConfigValue for Padding1d {
    const TS: &'static str = "PaddingName | number | number[]";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        Ok(s.padding(key, true)?.map(Padding1d))
    }
}

/// An activation's name (checked when the layer is built, against `ACTIVATION_NAMES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationKey(pub String);

impl ConfigValue for ActivationKey {
    const TS: &'static str = "ActivationName";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        Ok(s.string(key)?.map(ActivationKey))
    }
}

/// An initializer's name (checked when the layer is built, against `INITIALIZER_NAMES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitializerKey(pub String);

impl ConfigValue for InitializerKey {
    const TS: &'static str = "InitializerName";
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        Ok(s.string(key)?.map(InitializerKey))
    }
}

impl<T: ConfigValue> ConfigValue for Option<T> {
    const TS: &'static str = T::TS;
    const OPTIONAL: bool = true;
    fn read(s: &dyn ConfigSource, key: &str) -> std::result::Result<Option<Self>, ConfigError> {
        Ok(Some(T::read(s, key)?))
    }
}

/// A field's value: what the source holds, else the default, else the "required" error.
pub fn field<T: ConfigValue>(s: &dyn ConfigSource, key: &str, default: Option<T>) -> std::result::Result<T, ConfigError> {
    match T::read(s, key)? {
        Some(v) => Ok(v),
        None => default.ok_or_else(|| s.required(key)),
    }
}

/// `snake_case` as `camelCase` (a field's key). Field names are ASCII: `to_ascii_uppercase` keeps
/// the Unicode case tables (13 KiB) out of the wasm binary.
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for ch in snake.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.push(ch.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// One field of a config as TypeScript sees it.
pub struct TsField {
    pub key: String,
    pub ts: &'static str,
    pub optional: bool,
    pub doc: String,
}

/// A config struct: read from a source, described for TypeScript, built into its layer.
pub trait LayerConfig: Sized {
    /// The struct's name (the generated TypeScript interface's).
    const NAME: &'static str;
    /// The struct's doc comment.
    const DOC: &'static str;
    fn read(source: &dyn ConfigSource) -> std::result::Result<Self, ConfigError>;
    fn ts_fields() -> Vec<TsField>;
    /// The layer, with `flavor`'s defaults, its weights on `device`.
    fn build(self, flavor: Flavor, device: &Device) -> Result<Rc<dyn Module>>;
}

/// Declares a layer's config struct once: its fields, their types and defaults (see the module
/// doc); the struct gets [`LayerConfig`]'s `read` and `ts_fields` (`build` is written by hand).
#[macro_export]
#[doc(hidden)]
macro_rules! layer_config {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty $(= $default:expr)? ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( $(#[doc = $fdoc])* pub $field: $ty, )*
        }

        impl $name {
            /// Reads every field in declaration order (the first wrong one is the error).
            fn read_fields(s: &dyn $crate::nn::layers::config::ConfigSource) -> ::std::result::Result<$name, $crate::nn::layers::config::ConfigError> {
                let _ = s;
                Ok($name {
                    $( $field: $crate::nn::layers::config::field::<$ty>(
                        s,
                        &$crate::nn::layers::config::camel(stringify!($field)),
                        $crate::layer_config!(@default $($default)?),
                    )?, )*
                })
            }

            fn fields_for_ts() -> Vec<$crate::nn::layers::config::TsField> {
                vec![$( $crate::nn::layers::config::TsField {
                    key: $crate::nn::layers::config::camel(stringify!($field)),
                    ts: <$ty as $crate::nn::layers::config::ConfigValue>::TS,
                    optional: <$ty as $crate::nn::layers::config::ConfigValue>::OPTIONAL || $crate::layer_config!(@has $($default)?),
                    doc: [$($fdoc),*].iter().map(|l: &&str| l.trim()).collect::<Vec<_>>().join(" "),
                }, )*]
            }

            const STRUCT_DOC: &'static str = concat!($($doc, "\n"),*);
        }
    };
    (@default) => { None };
    (@default $d:expr) => { Some($d) };
    (@has) => { false };
    (@has $d:expr) => { true };
}

/// Implements [`LayerConfig`] for a struct made by [`layer_config!`] with its `build` function.
#[macro_export]
#[doc(hidden)]
macro_rules! impl_layer_config {
    ($name:ident, |$c:ident, $flavor:ident, $device:ident| $build:expr) => {
        impl $crate::nn::layers::config::LayerConfig for $name {
            const NAME: &'static str = stringify!($name);
            const DOC: &'static str = $name::STRUCT_DOC;
            fn read(
                s: &dyn $crate::nn::layers::config::ConfigSource,
            ) -> ::std::result::Result<Self, $crate::nn::layers::config::ConfigError> {
                $name::read_fields(s)
            }
            fn ts_fields() -> Vec<$crate::nn::layers::config::TsField> {
                $name::fields_for_ts()
            }
            fn build(
                self,
                $flavor: $crate::nn::Flavor,
                $device: &$crate::backend::Device,
            ) -> $crate::error::Result<::std::rc::Rc<dyn $crate::nn::Module>> {
                let $c = self;
                $build
            }
        }
    };
}

/// One layer kind of the table in `layers/mod.rs`: its core name, how its config is read and built,
/// and its config's TypeScript description.
pub struct LayerKind {
    /// The kind `Layer.create` takes (`"dense"`).
    pub kind: &'static str,
    /// The config's TypeScript interface name (`"DenseConfig"`).
    pub config: &'static str,
    /// The config's doc and fields, for `src/codegen` (native only, as codegen is: in the wasm
    /// table they were dead weight).
    #[cfg(not(target_arch = "wasm32"))]
    pub doc: &'static str,
    #[cfg(not(target_arch = "wasm32"))]
    pub fields: fn() -> Vec<TsField>,
    /// Reads the config; the layer is built with the flavour and device.
    pub read: fn(&dyn ConfigSource) -> std::result::Result<Builder, ConfigError>,
}

/// A read config, waiting for the flavour and device to build its layer.
pub type Builder = Box<dyn FnOnce(Flavor, &Device) -> Result<Rc<dyn Module>>>;

/// The table row of config `C` under `kind`.
pub const fn kind<C: LayerConfig + 'static>(kind: &'static str) -> LayerKind {
    LayerKind {
        kind,
        config: C::NAME,
        #[cfg(not(target_arch = "wasm32"))]
        doc: C::DOC,
        #[cfg(not(target_arch = "wasm32"))]
        fields: C::ts_fields,
        read: |s| {
            let c = C::read(s)?;
            Ok(Box::new(move |flavor, device| c.build(flavor, device)))
        },
    }
}

/// The activation a config names (`linear` when none), with `alpha` for leaky ReLU and ELU.
pub fn activation(name: Option<ActivationKey>, alpha: Option<f32>, flavor: Flavor) -> Result<crate::nn::Act> {
    use crate::nn::Act;
    let act = Act::from_name(name.as_ref().map_or("linear", |n| n.0.as_str()), flavor)?;
    Ok(match (act, alpha) {
        (Act::LeakyRelu(_), Some(a)) => Act::LeakyRelu(a),
        (Act::Elu(_), Some(a)) => Act::Elu(a),
        (other, _) => other,
    })
}

/// The initializer a config names (none when missing or empty).
pub fn initializer(name: Option<InitializerKey>) -> Result<Option<crate::nn::Init>> {
    match name {
        Some(InitializerKey(n)) if !n.is_empty() => crate::nn::Init::from_name(&n).map(Some),
        _ => Ok(None),
    }
}
