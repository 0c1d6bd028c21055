//! The layer config table read through a plain map (the wasm shim reads JS objects the same way):
//! every kind builds from its required keys alone, a missing required key is the source's
//! "required" error, defaults follow the flavour, and the TypeScript keys are the camelCase names.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::HashMap;

use common::{assert_close, read};
use webgrad::nn::layers::config::{ConfigError, ConfigSource};
use webgrad::nn::layers::LAYER_KINDS;
use webgrad::nn::Flavor;
use webgrad::{Device, Padding, Tensor};

#[derive(Clone)]
enum V {
    N(f64),
    S(&'static str),
    A(Vec<f64>),
}

struct Map(HashMap<&'static str, V>);

fn wrong(key: &str) -> ConfigError {
    ConfigError(format!("config '{key}' has the wrong type"))
}

impl Map {
    fn of(entries: &[(&'static str, V)]) -> Map {
        Map(entries.iter().cloned().collect())
    }

    fn numbers(&self, key: &str) -> Result<Option<Vec<f64>>, ConfigError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(V::N(x)) => Ok(Some(vec![*x])),
            Some(V::A(v)) => Ok(Some(v.clone())),
            Some(V::S(_)) => Err(wrong(key)),
        }
    }
}

impl ConfigSource for Map {
    fn size(&self, key: &str) -> Result<Option<usize>, ConfigError> {
        Ok(self.numbers(key)?.map(|v| v[0] as usize))
    }
    fn number(&self, key: &str) -> Result<Option<f32>, ConfigError> {
        Ok(self.numbers(key)?.map(|v| v[0] as f32))
    }
    fn flag(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        Ok(self.numbers(key)?.map(|v| v[0] != 0.0))
    }
    fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(V::S(s)) => Ok(Some(s.to_string())),
            Some(_) => Err(wrong(key)),
        }
    }
    fn ints(&self, key: &str) -> Result<Option<Vec<i64>>, ConfigError> {
        Ok(self.numbers(key)?.map(|v| v.iter().map(|&x| x as i64).collect()))
    }
    fn sizes(&self, key: &str) -> Result<Option<Vec<usize>>, ConfigError> {
        Ok(self.numbers(key)?.map(|v| v.iter().map(|&x| x as usize).collect()))
    }
    fn pair(&self, key: &str) -> Result<Option<[usize; 2]>, ConfigError> {
        Ok(self.sizes(key)?.map(|v| if v.len() == 1 { [v[0], v[0]] } else { [v[0], v[1]] }))
    }
    fn padding(&self, key: &str, one_d: bool) -> Result<Option<Padding>, ConfigError> {
        if let Some(V::S(s)) = self.0.get(key) {
            return Padding::named(s).map(Some).ok_or_else(|| wrong(key));
        }
        match self.sizes(key)? {
            None => Ok(None),
            Some(v) => (if one_d { Padding::explicit_1d(&v) } else { Padding::explicit(&v) }).map(Some).ok_or_else(|| wrong(key)),
        }
    }
    fn required(&self, key: &str) -> ConfigError {
        ConfigError(format!("config '{key}' is required"))
    }
}

fn kind(name: &str) -> &'static webgrad::nn::layers::config::LayerKind {
    LAYER_KINDS.iter().find(|k| k.kind == name).expect("a layer kind")
}

fn build(name: &str, map: &Map, flavor: Flavor) -> std::rc::Rc<dyn webgrad::nn::Module> {
    ((kind(name).read)(map).expect("a config"))(flavor, &Device::Cpu).expect("a layer")
}

#[test]
fn every_kind_builds_from_its_required_keys() {
    let required: HashMap<&str, V> = [
        ("inputs", V::N(3.0)),
        ("units", V::N(2.0)),
        ("inChannels", V::N(2.0)),
        ("outChannels", V::N(2.0)),
        ("kernel", V::N(1.0)),
        ("channels", V::N(2.0)),
        ("count", V::N(4.0)),
        ("dim", V::N(2.0)),
        ("shape", V::N(2.0)),
        // Issue 14's layers: dot's axes, permute's dims, repeatVector's n, rescaling's scale.
        ("axes", V::N(1.0)),
        ("dims", V::N(1.0)),
        ("n", V::N(2.0)),
        ("scale", V::N(0.5)),
        ("filters", V::N(2.0)),
    ]
    .into_iter()
    .collect();
    let mut names = Vec::new();
    for k in LAYER_KINDS {
        let fields = (k.fields)();
        let mut map =
            Map(fields.iter().filter(|f| !f.optional).map(|f| (required_key(&f.key), required[f.key.as_str()].clone())).collect());
        if fields.iter().any(|f| f.key == "shape") {
            // Layer normalisation's shape has a default the layer refuses (an empty shape).
            map.0.insert("shape", V::N(2.0));
        }
        for f in fields.iter().filter(|f| !f.optional) {
            // Without one required key, the source's "required" error names it.
            let mut partial = Map(map.0.clone());
            partial.0.remove(f.key.as_str());
            let err = (k.read)(&partial).err().expect("a missing key is an error");
            assert_eq!(err, ConfigError(format!("config '{}' is required", f.key)), "{}", k.kind);
        }
        for flavor in [Flavor::Keras, Flavor::Torch] {
            ((k.read)(&map).expect("a config"))(flavor, &Device::Cpu).unwrap_or_else(|e| panic!("{}: {e}", k.kind));
        }
        names.push(k.kind);
    }
    assert!(names.contains(&"dense") && names.contains(&"conv2d"), "{names:?}");
}

/// The key as a `'static` str for the map (the few required keys there are).
fn required_key(key: &str) -> &'static str {
    ["inputs", "units", "inChannels", "outChannels", "kernel", "channels", "count", "dim", "shape", "axes", "dims", "n", "scale", "filters"]
        .into_iter()
        .find(|k| *k == key)
        .unwrap_or_else(|| panic!("unexpected required key {key}"))
}

#[test]
fn keys_are_camel_case_and_defaults_follow_the_flavour() {
    let keys: Vec<String> = (kind("conv2d").fields)().into_iter().map(|f| f.key).collect();
    assert_eq!(
        keys,
        ["inChannels", "outChannels", "kernel", "stride", "padding", "dilation", "groups", "bias", "activation", "alpha", "channelsLast"]
    );
    // A 3x3 pool without a stride takes the kernel as its stride: [1, 1, 6, 6] -> [1, 1, 2, 2] of maxima.
    let x = Tensor::arange(0.0, 36.0, 1.0, webgrad::DType::F32, &Device::Cpu).unwrap().reshape(&[1, 1, 6, 6]).unwrap();
    let pool = build("maxPool2d", &Map::of(&[("kernel", V::N(3.0))]), Flavor::Torch);
    let y = pool.forward(&x).unwrap();
    assert_eq!(y.shape(), [1, 1, 2, 2]);
    assert_close(&read(&y), &[14., 17., 32., 35.], 0.0, 0.0);
    // Average pooling with padding: PyTorch counts the padded zeros in the divisor, Keras does not.
    let ones = Tensor::ones(&[1, 1, 2, 2], webgrad::DType::F32, &Device::Cpu).unwrap();
    let cfg = Map::of(&[("kernel", V::A(vec![2.0, 2.0])), ("padding", V::N(1.0)), ("stride", V::N(2.0)), ("channelsLast", V::N(0.0))]);
    assert_close(&read(&build("avgPool2d", &cfg, Flavor::Torch).forward(&ones).unwrap()), &[0.25; 4], 1e-6, 0.0);
    assert_close(&read(&build("avgPool2d", &cfg, Flavor::Keras).forward(&ones).unwrap()), &[1.0; 4], 1e-6, 0.0);
    // A wrong type is the source's error; an unknown activation the core's.
    let bad = Map::of(&[("inputs", V::N(2.0)), ("units", V::S("two"))]);
    assert_eq!((kind("dense").read)(&bad).err(), Some(wrong("units")));
    let relux = Map::of(&[("inputs", V::N(2.0)), ("units", V::N(2.0)), ("activation", V::S("relux"))]);
    let err = ((kind("dense").read)(&relux).unwrap())(Flavor::Keras, &Device::Cpu).err().unwrap().to_string();
    assert!(err.starts_with("activation: unknown activation 'relux'"), "{err}");
}
