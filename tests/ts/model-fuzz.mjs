// A seeded fuzzer over model files (the issue: a model file is input from strangers). Each case
// takes one of the TF.js 4.22 fixture models (tests/fixtures/tfjs-models/), applies 1-3 mutations
// to its shards, its weights manifest or its topology (bit flips, truncation, field edits, lying
// shapes and dtypes, dangling or cyclic graphs), and loads it with `wg.loadLayersModel`. After each
// case the runner checks: the load resolved to a model (then it predicts on zeros and is disposed)
// or rejected with an Error naming its op; never a trap, a hang or a non-Error; no tensor left
// behind; no case grew the wasm memory by more than `caseGrowthBytes` (a lying shape allocates
// nothing); and the module still computes a known value. A case depends only on (seed, index),
// so `{seed, only: index}` replays one. Shared by the Node harness (hardening.test.mjs).
import { CALL_FAILURES, prng, show, timeout } from './fuzz.mjs';

const MiB = 2 ** 20;

// ---- the fixtures ----------------------------------------------------------------------------

/**
 * Reads every fixture model under `dir` (a file URL ending in `/`) once: its model.json and its
 * shards (in the manifest's order). Node only.
 */
export async function readFixtures(dir) {
  const { readdir, readFile } = await import('node:fs/promises');
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const fixtures = [];
  for (const name of names) {
    const folder = new URL(`${name}/`, dir);
    const json = JSON.parse(await readFile(new URL('model.json', folder), 'utf8'));
    const paths = json.weightsManifest.flatMap((g) => g.paths);
    const shards = [];
    for (const p of paths) shards.push(new Uint8Array(await readFile(new URL(p, folder))));
    fixtures.push({ name, json, paths, shards });
  }
  return fixtures;
}

// ---- helpers over a topology -------------------------------------------------------------------

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const layerName = (l) => (isObj(l) ? (l.name ?? (isObj(l.config) ? l.config.name : undefined)) : undefined);

/** The model configs in `topo` (the top one, then nested models'), each with a `layers` array. */
function modelConfigs(topo) {
  const out = [];
  const visit = (cfg, depth) => {
    if (!isObj(cfg) || !Array.isArray(cfg.layers) || depth > 64) return;
    out.push(cfg);
    for (const l of cfg.layers) if (isObj(l)) visit(l.config, depth + 1);
  };
  if (isObj(topo)) visit(topo.config, 0);
  return out;
}

/** Every layer in `topo`, nested models' layers included, with the config that lists it. */
function allLayers(topo) {
  return modelConfigs(topo).flatMap((cfg) => cfg.layers.filter(isObj).map((layer) => ({ layer, cfg })));
}

/**
 * The tensor references in a layer's inbound nodes, in both formats: TF.js/Keras 2's
 * `[[[name, node, tensor, kwargs], ...], ...]` and Keras 3's `keras_history: [name, node, tensor]`.
 */
function refsOf(layer) {
  const out = [];
  const walk = (v, depth) => {
    if (depth > 12) return;
    if (Array.isArray(v)) {
      if (v.length >= 3 && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number') {
        out.push(v);
        return;
      }
      for (const x of v) walk(x, depth + 1);
    } else if (isObj(v)) {
      for (const x of Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(layer.inbound_nodes, 0);
  return out;
}

/** The weights' specs of a fixture, the manifest's groups concatenated. */
const specsOf = (json) => json.weightsManifest.flatMap((g) => g.weights);

/** A random weight spec of the state (null when the specs are no longer a list). */
const pickSpec = (r, st) => (Array.isArray(st.specs) && st.specs.length > 0 ? r.pick(st.specs) : null);

const product = (shape) => (Array.isArray(shape) ? shape.reduce((a, b) => a * b, 1) : NaN);

// ---- the mutations ---------------------------------------------------------------------------

// Values to put where a config field is: wrong types, negatives, zeros, huge sizes.
const BAD_VALUES = [
  -1,
  0,
  1e12,
  2 ** 31,
  2 ** 32 + 1,
  2 ** 53,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  'x',
  '',
  null,
  true,
  false,
  [],
  {},
  [0],
  [-1],
  [0, 0],
  [1e9, 1e9],
  [1, 2, 3],
  [[1]],
  undefined,
];
// Fields real layers have, and values that lie about them.
const FIELD_VALUES = {
  // 3e5 and the like are addressable but far from the file's weights: building them must not allocate.
  units: [0, -3, 1e12, 2 ** 31, 2 ** 32 + 1, 1.5, '8', 100_000, 3e5],
  filters: [0, -1, 1e12, 2 ** 31, 1e6, 1e9, 2.5, '4'],
  kernel_size: [[0], [0, 0], [-1, -1], [1e6, 1e6], [3], [3, 3, 3], 0, 1e9, 'x', [2 ** 31, 1]],
  strides: [[0, 0], 0, [-1, -1], [1e9, 1e9], [1.5, 1.5], []],
  pool_size: [[0, 0], [1e9, 1e9], -1, [2, 2, 2]],
  dilation_rate: [[0, 0], 0, [1e9, 1]],
  depth_multiplier: [0, -1, 1e9, 2.5],
  input_dim: [0, -1, 1e12, 2 ** 31, 1, 1e7],
  output_dim: [0, -1, 1e12, 2 ** 31, 1, 2e6],
  batch_input_shape: [
    [null, 1e9],
    [null, 2 ** 31, 2 ** 31],
    [null, -1],
    [null, 0],
    [],
    'x',
    [null, 1e5, 1e5, 3],
    [2 ** 32 + 1, 4],
    [null, 1.5],
  ],
  batch_shape: [[null, 1e9], [null, -1], [null, 0], [], [null, 1e5, 1e5, 1]],
  rate: [-1, 2, NaN, 'x', 1],
  axis: [99, -99, 1.5, 'x', [0, 0], 0],
  padding: [
    'bogus',
    5,
    [
      [-1, -1],
      [-1, -1],
    ],
    [
      [1e9, 1e9],
      [0, 0],
    ],
    'SAME',
  ],
  activation: ['nope', 5, null, 'tanh', 'softmax', '__proto__', 'constructor'],
  use_bias: [false, true, 'yes', 0],
  dtype: ['float64', 'int64', 'string', 5, 'complex64', 'int32'],
  epsilon: [-1, NaN, 0, 'x'],
  momentum: [2, -1, NaN],
  data_format: ['channels_first', 'bogus', 5],
  target_shape: [[-1], [0], [1e9, 1e9], [2, 2, 2, 2, 2]],
  size: [[0, 0], [1e6, 1e6], -1],
  cropping: [
    [
      [1e6, 1e6],
      [0, 0],
    ],
    -1,
  ],
  dims: [
    [0, 0],
    [3, 1],
    [1, 1, 2],
    [9, 9],
  ],
  n: [0, -1, 1e9],
  center: [false, 'no'],
  scale: [false, 'no'],
  trainable: ['yes', null, false],
  name: ['', 5, null, '__proto__', 'constructor', 'x/y'],
};
const QUANT_DTYPES = ['uint8', 'uint16', 'float16'];
const CLASS_JUNK = [
  'Conv9D',
  'Lambda',
  'TFOpLambda',
  'Custom>Thing',
  '',
  5,
  null,
  undefined,
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'Object',
];
const KNOWN_CLASSES = [
  'InputLayer',
  'Dense',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'BatchNormalization',
  'ReLU',
  'Activation',
  'Add',
  'Concatenate',
  'Flatten',
  'Dropout',
  'Embedding',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'ZeroPadding2D',
  'Reshape',
  'Maximum',
  'Multiply',
  'Model',
  'Functional',
  'Sequential',
];

/** Sets `obj[key]` to `value`, or deletes it when `value` is undefined. */
function put(obj, key, value) {
  if (value === undefined) delete obj[key];
  else obj[key] = value;
}

/** Flips `n` random bits of `bytes` in place; returns the flipped bit positions. */
function flipBits(r, bytes, n) {
  const at = [];
  for (let k = 0; k < n && bytes.length > 0; k++) {
    const bit = r.int(0, bytes.length * 8 - 1);
    bytes[bit >> 3] ^= 1 << (bit & 7);
    at.push(bit);
  }
  return at;
}

/** A copy of a fixture a case mutates: topology, specs, shard bytes and how it is handed over. */
function stateOf(fx) {
  const json = structuredClone(fx.json);
  return {
    fixture: fx.name,
    json,
    topo: json.modelTopology,
    specs: specsOf(json),
    paths: [...fx.paths],
    shards: fx.shards.map((s) => s.slice()),
    // 'memory': fromMemory(artifacts); 'files': [model.json, ...shards] as Files; 'bytes': the
    // model.json bytes alone (topology, no weights).
    route: 'memory',
    textEdits: [],
    joinShards: false,
    weightData: 'shards',
    extra: {},
  };
}

/**
 * The mutations, each `(r, st) => detail` (a short description) or `null` when it does not
 * apply to this state (another is drawn). `kind` groups them in the summary.
 */
const MUTATIONS = [
  // ---- the shards' bytes
  {
    kind: 'bytes.bitflip',
    weight: 3,
    apply(r, st) {
      const k = r.int(0, st.shards.length - 1);
      if (!st.shards[k]?.length) return null;
      return `shard ${k} bits ${flipBits(r, st.shards[k], r.int(1, 8)).join(',')}`;
    },
  },
  {
    kind: 'bytes.truncate',
    weight: 2,
    apply(r, st) {
      const k = r.int(0, st.shards.length - 1);
      const s = st.shards[k];
      if (!s?.length) return null;
      const to = r.pick([0, 1, 3, s.length - 1, s.length - 4, Math.floor(s.length / 2), r.int(0, s.length - 1)]);
      st.shards[k] = s.slice(0, Math.max(0, to));
      return `shard ${k} to ${st.shards[k].length} of ${s.length} bytes`;
    },
  },
  {
    kind: 'bytes.drop',
    weight: 1,
    apply(r, st) {
      if (st.shards.length === 0) return null;
      const k = r.int(0, st.shards.length - 1);
      st.shards.splice(k, 1);
      return `shard ${k} of ${st.shards.length + 1}`;
    },
  },
  {
    kind: 'bytes.extra',
    weight: 1,
    apply(r, st) {
      const n = r.pick([1, 4, 64, 4096]);
      const extra = Uint8Array.from({ length: n }, () => r.int(0, 255));
      const at = r.int(0, st.shards.length);
      st.shards.splice(at, 0, extra);
      return `${n} bytes at shard ${at}`;
    },
  },
  {
    kind: 'bytes.pad',
    weight: 1,
    apply(r, st) {
      if (st.shards.length === 0) return null;
      const k = r.int(0, st.shards.length - 1);
      const n = r.pick([1, 3, 4, 1024]);
      const s = new Uint8Array(st.shards[k].length + n);
      s.set(st.shards[k]);
      st.shards[k] = s;
      return `${n} bytes after shard ${k}`;
    },
  },
  {
    kind: 'bytes.swap',
    weight: 1,
    apply(r, st) {
      if (st.shards.length >= 2) {
        const a = r.int(0, st.shards.length - 1);
        let b = r.int(0, st.shards.length - 2);
        if (b >= a) b += 1;
        [st.shards[a], st.shards[b]] = [st.shards[b], st.shards[a]];
        return `shards ${a} and ${b}`;
      }
      const s = st.shards[0];
      if (!s || s.length < 8) return null;
      const cut = 4 * r.int(1, Math.floor(s.length / 4) - 1);
      st.shards[0] = Uint8Array.from([...s.subarray(cut), ...s.subarray(0, cut)]);
      return `the halves of shard 0 at byte ${cut}`;
    },
  },
  {
    kind: 'bytes.missing',
    weight: 1,
    apply(r, st) {
      st.weightData = r.pick(['none', 'empty', 'junk']);
      return `weightData ${st.weightData}`;
    },
  },
  // ---- the weights manifest
  {
    kind: 'manifest.shape',
    weight: 4,
    apply(r, st) {
      const e = pickSpec(r, st);
      if (!isObj(e)) return null;
      const s = Array.isArray(e.shape) ? e.shape : [1];
      const p = product(s);
      const value = r.pick([
        [0],
        [-1],
        [2 ** 31],
        [2 ** 31, 2 ** 31],
        [2 ** 20, 2 ** 20, 2 ** 20],
        [2 ** 53, 2],
        [1.5, 2],
        [NaN],
        [Infinity],
        [1e308, 1e308],
        s.slice(1),
        [...s, 1],
        [...s].reverse(),
        s.map((d) => d * 2),
        [p],
        [-1, -p],
        [2 ** 32 + p],
        [p, 2 ** 32 + 1],
        [0, ...s],
        '3',
        3,
        null,
        {},
        undefined,
        [[2]],
        ['2'],
        [],
      ]);
      put(e, 'shape', value);
      return `${e.name} ${show(s)} -> ${show(value)}`;
    },
  },
  {
    kind: 'manifest.dtype',
    weight: 2,
    apply(r, st) {
      const e = pickSpec(r, st);
      if (!isObj(e)) return null;
      const value = r.pick([
        'float64',
        'int64',
        'uint8',
        'float16',
        '',
        'Float32',
        'string',
        'complex64',
        'int32',
        'bool',
        7,
        null,
        {},
        undefined,
      ]);
      put(e, 'dtype', value);
      // The fixtures' weights are all float32: another dtype lies (TF.js 4.22 refuses every one).
      if (value !== undefined && value !== 'float32') st.mustRefuse = `${e.name} declared ${show(value)}`;
      return `${e.name} -> ${show(value)}`;
    },
  },
  {
    kind: 'manifest.quantization',
    weight: 2,
    apply(r, st) {
      const e = pickSpec(r, st);
      if (!isObj(e)) return null;
      if (!isObj(e.quantization)) {
        const q = r.chance(0.7)
          ? { dtype: r.pick(QUANT_DTYPES), scale: 0.01, min: -1 }
          : r.pick([{ dtype: 'int8', scale: 1, min: 0 }, 'uint8', 5, []]);
        e.quantization = q;
        return `${e.name} given ${show(q)}`;
      }
      const field = r.pick(['dtype', 'scale', 'min', 'whole', 'delete']);
      if (field === 'delete') {
        delete e.quantization;
        return `${e.name} unquantized`;
      }
      if (field === 'whole') {
        const v = r.pick([null, 'uint8', [], 5, {}]);
        e.quantization = v;
        return `${e.name} quantization -> ${show(v)}`;
      }
      const v =
        field === 'dtype'
          ? r.pick(['int8', 'uint32', 'float32', 'float64', '', 7, null, undefined, ...QUANT_DTYPES])
          : r.pick([NaN, Infinity, -Infinity, 'x', null, undefined, 0, -1, 1e308]);
      put(e.quantization, field, v);
      // uint8/uint16 need a finite min and scale (float16 has neither).
      if (field !== 'dtype' && !Number.isFinite(v) && ['uint8', 'uint16'].includes(e.quantization.dtype))
        st.mustRefuse = `${e.name} quantization.${field} ${show(v)}`;
      return `${e.name} quantization.${field} -> ${show(v)}`;
    },
  },
  {
    kind: 'manifest.name',
    weight: 2,
    apply(r, st) {
      if (!Array.isArray(st.specs) || st.specs.length === 0) return null;
      const k = r.int(0, st.specs.length - 1);
      const e = st.specs[k];
      if (!isObj(e)) return null;
      const how = r.pick(['dup', 'rename', 'remove']);
      if (how === 'remove') {
        st.specs.splice(k, 1);
        return `${e.name} removed`;
      }
      const was = e.name;
      const value =
        how === 'dup'
          ? r.pick(st.specs)?.name
          : r.pick([
              '',
              'nope/kernel',
              `${was}x`,
              String(was).toUpperCase(),
              '__proto__',
              'constructor',
              'toString',
              5,
              null,
              undefined,
            ]);
      put(e, 'name', value);
      return `${show(was)} -> ${show(value)}`;
    },
  },
  {
    kind: 'manifest.order',
    weight: 2,
    apply(r, st) {
      if (!Array.isArray(st.specs) || st.specs.length === 0) return null;
      const n = st.specs.length;
      const how = r.pick(['swap', 'reverse', 'duplicate', 'rotate', 'shuffle']);
      if (how === 'reverse') st.specs.reverse();
      else if (how === 'rotate') st.specs.unshift(st.specs.pop());
      else if (how === 'duplicate') st.specs.splice(r.int(0, n), 0, structuredClone(r.pick(st.specs)));
      else if (how === 'shuffle')
        for (let i = n - 1; i > 0; i--) {
          const j = r.int(0, i);
          [st.specs[i], st.specs[j]] = [st.specs[j], st.specs[i]];
        }
      else {
        if (n < 2) return null;
        const a = r.int(0, n - 1);
        const b = (a + r.int(1, n - 1)) % n;
        [st.specs[a], st.specs[b]] = [st.specs[b], st.specs[a]];
        return `swap ${a} and ${b}`;
      }
      return how;
    },
  },
  {
    kind: 'manifest.entries',
    weight: 1,
    apply(r, st) {
      if (!Array.isArray(st.specs) || st.specs.length === 0) return null;
      const how = r.pick(['null entry', 'number entry', 'not an array', 'doubled', 'emptied', 'group']);
      if (how === 'null entry') st.specs[r.int(0, st.specs.length - 1)] = null;
      else if (how === 'number entry') st.specs.splice(r.int(0, st.specs.length), 0, 5);
      else if (how === 'not an array') st.specs = r.pick([null, {}, 'x', 5, undefined]);
      else if (how === 'doubled') st.specs = [...st.specs, ...structuredClone(st.specs)];
      else if (how === 'emptied') st.specs = [];
      else {
        const e = pickSpec(r, st);
        if (!isObj(e)) return null;
        e.group = r.pick(['optimizer', 'x', 5, null]);
        return `${e.name} group ${show(e.group)}`;
      }
      return how;
    },
  },
  // ---- the topology
  {
    kind: 'topology.class',
    weight: 2,
    apply(r, st) {
      const layers = allLayers(st.topo);
      const target = r.chance(0.2) || layers.length === 0 ? st.topo : r.pick(layers).layer;
      if (!isObj(target)) return null;
      const was = target.class_name;
      const value = r.chance(0.5) ? r.pick(CLASS_JUNK) : r.pick(KNOWN_CLASSES);
      put(target, 'class_name', value);
      return `${layerName(target) ?? 'the model'}: ${show(was)} -> ${show(value)}`;
    },
  },
  {
    kind: 'topology.config',
    weight: 4,
    apply(r, st) {
      const layers = allLayers(st.topo);
      if (layers.length === 0) return null;
      const { layer } = r.pick(layers);
      const name = layerName(layer);
      if (!isObj(layer.config) || r.chance(0.05)) {
        const v = r.pick([null, [], 'x', 5, {}, undefined]);
        put(layer, 'config', v);
        return `${name} config -> ${show(v)}`;
      }
      const own = Object.keys(layer.config).filter((k) => k in FIELD_VALUES);
      let field;
      let value;
      if (own.length > 0 && r.chance(0.6)) {
        field = r.pick(own);
        value = r.chance(0.8) ? r.pick(FIELD_VALUES[field]) : r.pick(BAD_VALUES);
      } else if (r.chance(0.5)) {
        field = r.pick(Object.keys(layer.config));
        value = r.pick(BAD_VALUES);
      } else {
        field = r.pick(Object.keys(FIELD_VALUES));
        value = r.pick(FIELD_VALUES[field]);
      }
      // Nudge a size by one now and then: the layer builds, its weights no longer fit.
      if (typeof layer.config[field] === 'number' && Number.isInteger(layer.config[field]) && r.chance(0.2))
        value = layer.config[field] + r.pick([-1, 1]);
      put(layer.config, field, structuredClone(value));
      return `${name}.${field} -> ${show(value)}`;
    },
  },
  {
    kind: 'topology.inbound',
    weight: 4,
    apply(r, st) {
      const layers = allLayers(st.topo).map((x) => x.layer);
      const withRefs = layers.filter((l) => refsOf(l).length > 0);
      if (withRefs.length === 0) return null;
      const layer = r.pick(withRefs);
      const ref = r.pick(refsOf(layer));
      const names = layers.map(layerName).filter((n) => typeof n === 'string');
      const how = r.pick(['layer', 'node', 'tensor', 'self', 'cycle', 'cycle', 'nodes', 'kwargs', 'forward']);
      const was = show(ref.slice(0, 3));
      if (how === 'layer') ref[0] = r.pick(['nope', '', 'toString', '__proto__']);
      else if (how === 'node') ref[1] = r.pick([1, 2, 99, -1, 1.5, 2 ** 31, NaN]);
      else if (how === 'tensor') ref[2] = r.pick([1, 5, -1, 1.5, 2 ** 31, NaN]);
      else if (how === 'self') ref[0] = layerName(layer);
      else if (how === 'forward') ref[0] = r.pick(names);
      else if (how === 'kwargs') {
        if (ref.length < 4) return null;
        ref[3] = r.pick([null, 5, 'x', [], { mask: 'x' }, { training: true }]);
      } else if (how === 'cycle') {
        // The layer it reads from now reads from it: a 2-cycle (inputs included).
        const from = layers.find((l) => layerName(l) === ref[0]);
        if (!from) return null;
        const back = refsOf(from);
        if (back.length > 0) r.pick(back)[0] = layerName(layer);
        else from.inbound_nodes = [[[layerName(layer), 0, 0, {}]]];
        return `${layerName(layer)} <-> ${layerName(from)}`;
      } else {
        const v = r.pick([null, 5, 'x', [[]], [[[]]], [[['x']]], [{}], [{ args: 5 }], [[['a', 0, 0, 5]]], 'double']);
        layer.inbound_nodes = v === 'double' ? [...layer.inbound_nodes, ...structuredClone(layer.inbound_nodes)] : v;
        return `${layerName(layer)} inbound_nodes -> ${show(v)}`;
      }
      return `${layerName(layer)} ${how}: ${was} -> ${show(ref.slice(0, 4))}`;
    },
  },
  {
    kind: 'topology.io',
    weight: 2,
    apply(r, st) {
      const cfgs = modelConfigs(st.topo).filter((c) => Array.isArray(c.input_layers) || Array.isArray(c.output_layers));
      if (cfgs.length === 0) return null;
      const cfg = r.pick(cfgs);
      const field = r.pick(['input_layers', 'output_layers']);
      const list = Array.isArray(cfg[field]) ? cfg[field] : [];
      const names = cfg.layers.map(layerName);
      const first = list[0] ?? ['x', 0, 0];
      const value = r.pick([
        [],
        null,
        'x',
        undefined,
        [['nope', 0, 0]],
        [[first[0], 5, 0]],
        [[first[0], 0, 5]],
        [[r.pick(names), 0, 0]],
        [...list, ...list],
        [[5, 0, 0]],
        [[]],
        [['x']],
        list.slice(1),
      ]);
      put(cfg, field, structuredClone(value));
      return `${cfg.name ?? 'model'}.${field} -> ${show(value)}`;
    },
  },
  {
    kind: 'topology.layers',
    weight: 2,
    apply(r, st) {
      const cfgs = modelConfigs(st.topo);
      if (cfgs.length === 0) return null;
      const cfg = r.pick(cfgs);
      const n = cfg.layers.length;
      const how = r.pick([
        'empty',
        'truncate',
        'remove',
        'duplicate',
        'reverse',
        'not an array',
        'junk layer',
        'same name',
        'no name',
      ]);
      if (how === 'empty') cfg.layers = [];
      else if (how === 'truncate') cfg.layers = cfg.layers.slice(0, r.int(0, Math.max(0, n - 1)));
      else if (how === 'remove') cfg.layers.splice(r.int(0, n - 1), 1);
      else if (how === 'duplicate') cfg.layers.splice(r.int(0, n), 0, structuredClone(r.pick(cfg.layers)));
      else if (how === 'reverse') cfg.layers.reverse();
      else if (how === 'not an array') cfg.layers = r.pick([null, {}, 'x', 5]);
      else if (how === 'junk layer') cfg.layers[r.int(0, n - 1)] = r.pick([null, 5, 'x', [], {}]);
      else {
        const l = r.pick(cfg.layers);
        if (!isObj(l)) return null;
        const value = how === 'no name' ? undefined : layerName(r.pick(cfg.layers));
        put(l, 'name', value);
        if (isObj(l.config)) put(l.config, 'name', value);
        return `${cfg.name ?? 'model'} ${how}: ${show(value)}`;
      }
      return `${cfg.name ?? 'model'} ${how} (${n} layers)`;
    },
  },
  {
    kind: 'topology.rename',
    weight: 1,
    apply(r, st) {
      // A layer renamed everywhere it is named: the graph holds, its weights' names no longer match.
      const layers = allLayers(st.topo).map((x) => x.layer);
      const layer = r.pick(layers);
      const was = layerName(layer);
      if (typeof was !== 'string') return null;
      const now = r.pick([`${was}_2`, 'renamed', '__proto__']);
      const visit = (v) => {
        if (Array.isArray(v)) {
          v.forEach((x, i) => {
            if (x === was) v[i] = now;
            else visit(x);
          });
        } else if (isObj(v)) {
          for (const [k, x] of Object.entries(v)) {
            if (x === was && k === 'name') v[k] = now;
            else visit(x);
          }
        }
      };
      visit(st.topo);
      return `${was} -> ${now}`;
    },
  },
  {
    kind: 'topology.nested',
    weight: 2,
    apply(r, st) {
      // The model as a layer of an outer functional model, `depth` times (a valid file unless
      // another mutation breaks it), or a nested model that contains itself by name.
      const depth = r.pick([1, 1, 2, 3, 20]);
      for (let d = 0; d < depth; d++) {
        const inner = st.topo;
        if (!isObj(inner) || !isObj(inner.config) || !Array.isArray(inner.config.layers)) return null;
        const inputs = innerInputs(inner);
        if (inputs === null) return null;
        const outs = Array.isArray(inner.config.output_layers) ? inner.config.output_layers.length : 1;
        const name = inner.config.name ?? `inner${d}`;
        const inLayers = inputs.map((cfg, k) => ({
          class_name: 'InputLayer',
          name: `outer${d}_in${k}`,
          config: { ...cfg, name: `outer${d}_in${k}` },
          inbound_nodes: [],
        }));
        const layer = {
          class_name: inner.class_name,
          name,
          config: inner.config,
          inbound_nodes: [inLayers.map((l) => [l.name, 0, 0, {}])],
        };
        const outer = {
          class_name: 'Model',
          config: {
            name: `outer${d}`,
            layers: [...inLayers, layer],
            input_layers: inLayers.map((l) => [l.name, 0, 0]),
            // A nested model's node 0 is its own (TF.js numbers a container's kept nodes from 1).
            output_layers: Array.from({ length: outs }, (_, k) => [name, 1, k]),
          },
          keras_version: inner.keras_version,
          backend: inner.backend,
        };
        st.json.modelTopology = outer;
        st.topo = outer;
      }
      if (r.chance(0.2)) {
        // The innermost model lists a copy of itself, by its own name, as one of its layers.
        const cfgs = modelConfigs(st.topo);
        const deepest = cfgs[cfgs.length - 1];
        const copy = structuredClone(deepest);
        deepest.layers.push({ class_name: 'Model', name: deepest.name, config: copy, inbound_nodes: [] });
        return `depth ${depth}, the innermost containing itself`;
      }
      return `depth ${depth}`;
    },
  },
  {
    kind: 'topology.top',
    weight: 1,
    apply(r, st) {
      const how = r.pick(['topology', 'config', 'model_config', 'training', 'format']);
      if (how === 'topology') {
        const v = r.pick([null, undefined, 5, 'x', [], {}, 'ArrayBuffer']);
        st.topo = v === 'ArrayBuffer' ? new ArrayBuffer(8) : v;
        st.json.modelTopology = st.topo;
        return `modelTopology -> ${show(v)}`;
      }
      if (!isObj(st.topo)) return null;
      if (how === 'config') {
        const v = r.pick([null, [], 'x', undefined, {}]);
        put(st.topo, 'config', v);
        return `config -> ${show(v)}`;
      }
      if (how === 'model_config') {
        // TF.js also reads a topology wrapped as {model_config: ...} (a Keras h5 conversion).
        st.topo = { model_config: st.topo, training_config: r.pick([undefined, {}, 5]) };
        st.json.modelTopology = st.topo;
        return 'wrapped in model_config';
      }
      if (how === 'training') {
        const v = r.pick([{}, 5, { loss: 5 }, { optimizer_config: { class_name: 'Nope' }, loss: 'mse' }]);
        st.extra.trainingConfig = v;
        return `trainingConfig -> ${show(v)}`;
      }
      const v = r.pick(['graph-model', '', 5, null]);
      st.extra.format = v;
      return `format -> ${show(v)}`;
    },
  },
  // ---- model.json text (its bit flips go through the file loaders' JSON parsing)
  {
    kind: 'json.text',
    weight: 2,
    apply(r, st) {
      st.route = r.chance(0.85) ? 'files' : 'bytes';
      const how = r.pick(['flip', 'flip', 'flip', 'truncate', 'delete', 'insert']);
      st.textEdits.push({ how, n: r.int(1, 4), at: r.next() });
      return `${how} via ${st.route}`;
    },
  },
];

/** The input layers' configs a model reads (for wrapping it in an outer model), or null. */
function innerInputs(topo) {
  const cfg = topo.config;
  const layers = cfg.layers.filter(isObj);
  if (Array.isArray(cfg.input_layers)) {
    const found = cfg.input_layers.map((ref) => layers.find((l) => Array.isArray(ref) && layerName(l) === ref[0]));
    if (!found.every((l) => l && l.class_name === 'InputLayer' && isObj(l.config))) return null;
    return found.map((l) => ({ ...l.config }));
  }
  const first = layers[0];
  if (!isObj(first)) return null;
  const shape = first?.config?.batch_input_shape ?? first?.config?.batch_shape;
  if (!Array.isArray(shape)) return null;
  return [{ batch_input_shape: shape, dtype: first.config.dtype ?? 'float32', sparse: false }];
}

const TOTAL_WEIGHT = MUTATIONS.reduce((s, m) => s + m.weight, 0);
function drawMutation(r) {
  let x = r.next() * TOTAL_WEIGHT;
  for (const m of MUTATIONS) if ((x -= m.weight) < 0) return m;
  return MUTATIONS[MUTATIONS.length - 1];
}

/** The model.json text of a state, with its text edits applied. */
function textOf(r, st) {
  const json = {
    ...st.json,
    ...st.extra,
    modelTopology: st.topo,
    weightsManifest: [{ paths: st.paths, weights: st.specs }],
  };
  delete json.trainingConfig;
  let text = JSON.stringify(json) ?? '';
  for (const e of st.textEdits) {
    for (let k = 0; k < e.n && text.length > 0; k++) {
      const i = Math.floor(r.next() * text.length);
      if (e.how === 'flip') {
        const c = text.charCodeAt(i) ^ (1 << r.int(0, 6));
        text = text.slice(0, i) + String.fromCharCode(c) + text.slice(i + 1);
      } else if (e.how === 'truncate') {
        text = text.slice(0, Math.floor(e.at * text.length));
        break;
      } else if (e.how === 'delete') text = text.slice(0, i) + text.slice(i + 1);
      else text = text.slice(0, i) + r.pick(['{', '}', '[', ']', ',', '"', '0', '-', 'e99', 'null']) + text.slice(i);
    }
  }
  return text;
}

const bufferOf = (u8) => u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength);
const baseName = (p) => String(p).split('/').pop();

/**
 * Case `index` of `seed`: a fixture, 1-3 mutations, and how it is loaded. Returns
 * `{index, label, kinds, options, source(wg)}`; `source` builds a fresh handler each call.
 */
export function drawCase(seed, index, fixtures) {
  const r = prng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const fx = r.pick(fixtures);
  const st = stateOf(fx);
  const kinds = [];
  const details = [];
  const n = r.int(1, 3);
  for (let tries = 0; kinds.length < n && tries < 20; tries++) {
    const m = drawMutation(r);
    const detail = m.apply(r, st);
    if (detail === null) continue;
    kinds.push(m.kind);
    details.push(`${m.kind}(${detail})`);
  }
  st.joinShards = r.chance(0.3);
  const options = r.chance(0.25) ? { strict: false } : {};
  const text = st.route === 'memory' ? null : textOf(r, st);
  const label = `${fx.name} ${st.route}${options.strict === false ? ' strict:false' : ''}: ${details.join('; ')}`;
  const source = (wg) => {
    if (st.route === 'bytes') return wg.io.handlerFor(new TextEncoder().encode(text));
    if (st.route === 'files') {
      const files = st.shards.map((s, k) => new File([s], baseName(st.paths[k] ?? `extra${k}.bin`)));
      return wg.io.handlerFor([new File([text], 'model.json'), ...files]);
    }
    let weightData;
    if (st.weightData === 'none') weightData = undefined;
    else if (st.weightData === 'empty') weightData = new ArrayBuffer(0);
    else if (st.weightData === 'junk') weightData = 'junk';
    else if (st.joinShards) {
      const all = new Uint8Array(st.shards.reduce((s, b) => s + b.length, 0));
      let at = 0;
      for (const s of st.shards) {
        all.set(s, at);
        at += s.length;
      }
      weightData = all.buffer;
    } else weightData = st.shards.map(bufferOf);
    const artifacts = {
      modelTopology: st.topo,
      weightSpecs: st.specs,
      weightData,
      format: st.json.format,
      generatedBy: st.json.generatedBy,
      convertedBy: st.json.convertedBy,
      ...st.extra,
    };
    return wg.io.fromMemory(artifacts);
  };
  // One mutation that makes the file a lie whatever `strict` says: loading it is a failure.
  const mustRefuse = kinds.length === 1 ? st.mustRefuse : undefined;
  return { index, label, kinds, options, source, mustRefuse };
}

// ---- running cases and checking what happened ------------------------------------------------

const TRAP =
  /unreachable|RuntimeError|memory access out of bounds|trapped|borrowed|null pointer passed to rust|recursive use of an object|Maximum call stack|already mutably|invalid size error|out of bounds|Invalid typed array length|Array buffer allocation failed/i;
// What a refusal's message must start with: the loader, or the io handler that read the files.
const NAMED = /^(loadLayersModel|io\.[A-Za-z]+): \S/;

/**
 * Failures seen and not yet fixed, reported to the lead: `{kind, match, label?, note}`; a failure
 * of `kind` whose detail matches `match` (and label `label`) counts as `known`, not as a failure.
 */
export const KNOWN = [];

/** Zeros for each of the model's inputs (batch 1), or null when a shape is unknown or large. */
function zerosFor(wg, model, maxElements) {
  const shapes = model.inputs.map((t) => t.shape.map((d, i) => (d === null && i === 0 ? 1 : d)));
  if (!shapes.every((s) => s.every((d) => Number.isInteger(d) && d > 0) && product(s) <= maxElements)) return null;
  return shapes.map((s, k) => wg.zeros(s, model.inputs[k].dtype));
}

/** Classifies a thrown value: `['traps' | 'hangs' | 'nonErrors' | 'unnamed' | null, detail]`. */
function classify(e, named) {
  if (e?.hang) return ['hangs', e.message];
  if (!(e instanceof Error)) return ['nonErrors', `threw ${typeof e}: ${String(e)}`];
  const msg = e.message;
  if (e instanceof WebAssembly.RuntimeError || TRAP.test(msg) || e.name === 'RangeError')
    return ['traps', `${e.name}: ${msg}`];
  if (!named.test(msg)) return ['unnamed', `${e.name}: ${msg}`];
  return [null, msg];
}

/**
 * Runs `cases` cases of `seed` over `fixtures` (from `readFixtures`). Returns `{stats, byKind,
 * failures}`: counts (cases, loaded, refused, and the failures by kind, which must all be 0),
 * per-mutation-kind counts, and the first failures with their index and label (replayable with
 * `{seed, only: index}`). `progress(i, label)` runs before each case (a watchdog can spot a hang).
 */
export async function modelFuzz(
  wg,
  {
    seed,
    cases,
    fixtures,
    only,
    caseTimeoutMs = 20_000,
    progress = () => {},
    maxFailures = 40,
    caseGrowthBytes = 64 * MiB,
    runGrowthBytes = 256 * MiB,
    maxPredictElements = 1 << 16,
    named = NAMED,
  },
) {
  const stats = {
    seed,
    cases: 0,
    loaded: 0,
    refused: 0,
    predicted: 0,
    known: 0,
    ...Object.fromEntries(CALL_FAILURES.map((k) => [k, 0])),
    predictErrors: 0,
    accepted: 0,
    allocations: 0,
    warnings: 0,
  };
  const byKind = {};
  const failures = [];
  const refusals = {};
  let excusedBytes = 0;
  const knownHits = [];
  const fail = (kind, i, label, detail, grew = 0) => {
    const known = KNOWN.find(
      (k) => k.kind === kind && k.match.test(String(detail)) && (k.label === undefined || k.label.test(label)),
    );
    if (known) {
      stats.known += 1;
      if (knownHits.length < maxFailures)
        knownHits.push({ kind, seed, index: i, label, note: known.note.slice(0, 60) });
      // A known over-allocation is not counted again against the run's bound.
      excusedBytes += grew;
      return;
    }
    stats[kind] += 1;
    if (failures.length < maxFailures)
      failures.push({ kind, seed, index: i, label, detail: String(detail).slice(0, 500) });
  };
  const restart = async () => {
    // After a trap the module is re-instantiated by init().
    try {
      await wg.init({ backend: 'cpu' });
    } catch {
      await wg.init();
    }
  };
  // The loader warns about what it reads but does not apply (regularizers...): counted, not printed.
  const warn = console.warn;
  console.warn = () => {
    stats.warnings += 1;
  };
  try {
    return await runCases();
  } finally {
    console.warn = warn;
  }
  async function runCases() {
    const startBytes = wg.memory().wasmBytes;
    let peakBytes = startBytes;
    const first = only ?? 0;
    const last = only !== undefined ? only + 1 : cases;
    for (let i = first; i < last; i++) {
      const c = drawCase(seed, i, fixtures);
      progress(i, c.label);
      stats.cases += 1;
      for (const k of new Set(c.kinds)) byKind[k] ??= { cases: 0, loaded: 0, refused: 0 };
      const count = (field) => {
        for (const k of new Set(c.kinds)) byKind[k][field] += 1;
      };
      count('cases');
      wg.manualSeed(seed * 100_000 + i);
      let before;
      try {
        before = wg.memory();
      } catch (e) {
        fail('broken', i, c.label, `memory() before the case threw: ${e?.message}`);
        await restart();
        before = wg.memory();
      }
      let trapped = false;
      let model = null;
      try {
        model = await timeout(
          Promise.resolve().then(() => wg.loadLayersModel(c.source(wg), c.options)),
          caseTimeoutMs,
          'loadLayersModel',
          'model-fuzz',
        );
      } catch (e) {
        const [kind, detail] = classify(e, named);
        if (kind) {
          fail(kind, i, c.label, detail);
          trapped = kind === 'traps' || kind === 'hangs';
        } else {
          stats.refused += 1;
          count('refused');
          const key = detail.replace(/'[^']*'|"[^"]*"|\d+(\.\d+)?/g, '_').slice(0, 70);
          refusals[key] = (refusals[key] ?? 0) + 1;
        }
      }
      if (model !== null) {
        stats.loaded += 1;
        count('loaded');
        if (c.mustRefuse) fail('accepted', i, c.label, `loaded a file that lies: ${c.mustRefuse}`);
        let xs = null;
        let ys = [];
        try {
          xs = zerosFor(wg, model, maxPredictElements);
          if (xs !== null) {
            const out = model.predict(xs.length === 1 ? xs[0] : xs);
            ys = Array.isArray(out) ? out : [out];
            for (const y of ys) await timeout(y.data(), caseTimeoutMs, 'predict data()', 'model-fuzz');
            stats.predicted += 1;
          }
        } catch (e) {
          const [kind, detail] = classify(e, /./);
          fail(kind ?? 'predictErrors', i, c.label, `predict after a successful load: ${detail}`);
          trapped = kind === 'traps' || kind === 'hangs';
        } finally {
          try {
            for (const t of [...(xs ?? []), ...ys]) t.dispose();
            model.dispose();
          } catch (e) {
            if (!trapped) fail('broken', i, c.label, `disposing the model threw: ${e?.message ?? e}`);
          }
        }
      }
      if (trapped) {
        await restart();
        continue;
      }
      // The module still works, the case left nothing behind and allocated nothing unbounded.
      try {
        const after = wg.memory();
        if (after.numTensors !== before.numTensors)
          fail(
            'leaks',
            i,
            c.label,
            `${after.numTensors - before.numTensors} tensors left behind (${before.numTensors} -> ${after.numTensors})`,
          );
        if (after.wasmBytes - before.wasmBytes > caseGrowthBytes)
          fail(
            'allocations',
            i,
            c.label,
            `wasm memory grew by ${((after.wasmBytes - before.wasmBytes) / MiB).toFixed(1)} MiB in one case`,
            after.wasmBytes - before.wasmBytes,
          );
        peakBytes = Math.max(peakBytes, after.wasmBytes);
        const s = wg.tidy(() => wg.tensor([1, 2]).add(1));
        const v = await timeout(s.data(), caseTimeoutMs, 'the known-value check', 'model-fuzz');
        s.dispose();
        if (v[0] !== 2 || v[1] !== 3) throw new Error(`[1, 2] + 1 read back [${Array.from(v)}]`);
        if (wg.memory().numTensors !== after.numTensors) throw new Error('the known-value check leaked');
      } catch (e) {
        fail('broken', i, c.label, `after the case the module no longer computes: ${e?.message ?? e}`);
        await restart();
      }
    }
    if (peakBytes - startBytes - excusedBytes > runGrowthBytes)
      fail(
        'allocations',
        -1,
        '(the run)',
        `wasm memory grew by ${((peakBytes - startBytes) / MiB).toFixed(1)} MiB over the run`,
      );
    stats.wasmGrowthMiB = Math.round(((peakBytes - startBytes) / MiB) * 10) / 10;
    stats.excusedMiB = Math.round((excusedBytes / MiB) * 10) / 10;
    return { stats, byKind, failures, knownHits, refusals };
  }
}

/** The counts that must be zero after a run. */
export const MUST_BE_ZERO = [...CALL_FAILURES, 'predictErrors', 'allocations', 'accepted'];

/** A one-line summary: cases, loaded, refused, and per mutation kind `kind cases/loaded`. */
export function summaryLine(results) {
  const sum = (k) => results.reduce((s, r) => s + (r.stats[k] ?? 0), 0);
  const kinds = {};
  for (const r of results)
    for (const [k, v] of Object.entries(r.byKind ?? {})) {
      kinds[k] ??= { cases: 0, loaded: 0 };
      kinds[k].cases += v.cases;
      kinds[k].loaded += v.loaded;
    }
  const byKind = Object.entries(kinds)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v.cases}/${v.loaded}`)
    .join(', ');
  const bad = MUST_BE_ZERO.map((k) => `${k} ${sum(k)}`).join(', ');
  return `model-file fuzz: ${sum('cases')} cases, ${sum('loaded')} loaded (${sum('predicted')} predicted), ${sum('refused')} refused; ${bad}; known ${sum('known')}; by kind (cases/loaded): ${byKind}`;
}
