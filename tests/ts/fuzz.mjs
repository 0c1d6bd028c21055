// A seeded fuzzer over the public TypeScript API: creation, every op family, layers, losses,
// optimizers, fit, loadStateDict, tidy and dispose, each called with a mix of valid and invalid
// arguments. After every call it checks that the call returned a result or threw an Error naming
// its op (never a trap, a non-Error or an unnamed message), that no tensor leaked, and that the
// module still computes a known value. The call sequence depends only on the seed (never on
// results), so one seed replays the same calls on another backend: `outcomes` lets a caller compare
// the CPU and WebGPU backends call by call. Shared by the Node and Chromium harnesses.

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
  };
  // Values that must be refused where an integer size, axis or count is expected.
  const BAD_INTS = [
    -1,
    -2,
    2.5,
    0.5,
    NaN,
    Infinity,
    -Infinity,
    2 ** 32,
    2 ** 31,
    1e10,
    2 ** 53,
    '3',
    null,
    true,
    [],
    {},
    1e100,
  ];
  const BAD_SHAPES = [
    [-1],
    [2.7, 3.9],
    '23',
    [2 ** 32],
    [1e5, 1e5],
    [65536, 65536],
    [2 ** 31, 2],
    null,
    5,
    [NaN],
    [[2]],
    [3, -1, -1],
    {},
  ];
  r.bad = () => r.pick(BAD_INTS);
  /** A size: mostly 0..max (rarely 0), sometimes a value to refuse. */
  r.size = (max = 4, min = 0) => (r.chance(0.85) ? r.int(r.chance(0.9) ? Math.max(1, min) : min, max) : r.bad());
  /** An axis of a rank-`rank` tensor, negative ones included; sometimes out of range or not an integer. */
  r.axis = (rank) =>
    r.chance(0.85)
      ? r.int(-Math.max(rank, 1), Math.max(rank - 1, 0))
      : r.pick([rank, -rank - 1, 100, 1.5, NaN, '0', null]);
  /** Axes: none, one, a list (sometimes with a duplicate), the empty list, or junk. */
  r.axes = (rank) => {
    const k = r.next();
    if (k < 0.2) return undefined;
    if (k < 0.45) return r.axis(rank);
    if (k < 0.55) return [];
    if (k < 0.62) return [0, 0];
    if (k < 0.68) return r.pick(['0', null, [1.5], {}]);
    const all = [...Array(rank).keys()].filter(() => r.chance(0.6));
    return all.map((a) => (r.chance(0.3) ? a - rank : a));
  };
  /** A shape: mostly rank 0-3 with sizes 0-4, sometimes one to refuse. */
  r.shape = () => (r.chance(0.85) ? Array.from({ length: r.int(0, 3) }, () => r.size(4)) : r.pick(BAD_SHAPES));
  /** A number argument (alpha, lr, a fill value): mostly ordinary, sometimes extreme or not a number. */
  r.num = () =>
    r.chance(0.8)
      ? Math.round((r.next() * 6 - 3) * 100) / 100
      : r.pick([0, -1, NaN, Infinity, -Infinity, 1e30, '1', null, undefined]);
  r.dtype = () =>
    r.chance(0.85) ? r.pick(['float32', 'int32', 'bool']) : r.pick(['int64', 'float64', 7, null, 'float', {}]);
  r.bool = () => (r.chance(0.9) ? r.chance(0.5) : r.pick([0, 1, 'yes', null]));
  return r;
}

/** A short, stable description of an argument for call labels. */
export function show(v) {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v && typeof v === 'object' && v.__name) return v.__name;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join(', ')}}`;
  return String(v);
}

// ---- the fuzzer's own tensors -----------------------------------------------------------------

/** The operand tensors every call draws from (made once per module instance, kept alive). */
function makePool(wg) {
  const seq = (n, scale = 1, offset = 0) =>
    Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 1.7 + offset) * 2 * scale * 1000) / 1000);
  const mk = (name, data, shape, opts) =>
    Object.assign(wg.tensor(Float32Array.from(data), shape, opts), { __name: name });
  const int = (name, data, shape = [data.length]) =>
    Object.assign(wg.tensor(Int32Array.from(data), shape), { __name: name });
  const pool = {
    s: mk('s', [1.5], []),
    v3: mk('v3', [0.5, -1, 2], [3]),
    m23: mk('m23', seq(6), [2, 3]),
    m32: mk('m32', seq(6, 1, 2), [3, 2]),
    m34: mk('m34', seq(12, 0.5, 1), [3, 4]),
    t234: mk('t234', seq(24, 1, 3), [2, 3, 4]),
    img: mk('img', seq(50, 1, 4), [1, 2, 5, 5]),
    w2d: mk('w2d', seq(54, 0.3, 5), [3, 2, 3, 3]),
    wt2d: mk('wt2d', seq(36, 0.3, 6), [2, 2, 3, 3]),
    seq: mk('seq', seq(12, 1, 7), [1, 2, 6]),
    w1d: mk('w1d', seq(18, 0.3, 8), [3, 2, 3]),
    empty: mk('empty', [], [0, 3]),
    pos: mk('pos', [0.1, 0.5, 0.9, 0.3, 0.7, 0.2], [2, 3]),
    nan: Object.assign(mk('nan', [NaN, Infinity, -1], [3]), { nonFinite: true }),
    idx: int('idx', [0, 2, 1]),
    idxBad: int('idxBad', [0, 5]),
    idx22: int('idx22', [0, 1, 1, 0], [2, 2]),
    labels: int('labels', [1, 0]),
    bools: Object.assign(wg.tensor([true, false, true]), { __name: 'bools' }),
  };
  for (const t of Object.values(pool)) wg.keep(t);
  return pool;
}

const FLOAT_POOL = ['s', 'v3', 'm23', 'm32', 'm34', 't234', 'img', 'seq', 'empty', 'pos', 'nan'];
const ANY_POOL = [...FLOAT_POOL, 'idx', 'bools', 'labels'];
const UNARY = [
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'rsqrt',
  'square',
  'reciprocal',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'silu',
  'softplus',
  'sign',
  'floor',
  'ceil',
  'round',
  'erf',
  'logicalNot',
];
const BINARY = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'logicalAnd',
  'logicalOr',
];
const KERAS_LOSSES = [
  'meanSquaredError',
  'meanAbsoluteError',
  'huber',
  'binaryCrossentropy',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'nll',
];
const REDUCE = ['sum', 'mean', 'max', 'min', 'prod', 'logsumexp'];

// ---- the call generators ----------------------------------------------------------------------
// Each draws its arguments from `r` (and only from `r`) and returns a call: `label`, the op names
// an error may start with, `run` (synchronous, run inside tidy; its returned tensors are read back
// and disposed) or `runAsync` (cleans up after itself), and `random: true` where values depend on
// the backend's generator (only shapes are compared across backends).

const GENERATORS = [];
function gen(weight, make) {
  GENERATORS.push({ weight, make });
}
const call = (label, names, run, extra = {}) => ({
  label,
  names: Array.isArray(names) ? names : [names],
  run,
  ...extra,
});

// Creation.
gen(3, (r, P, wg) => {
  const op = r.pick(['zeros', 'ones']);
  const shape = r.shape();
  const dtype = r.chance(0.3) ? r.dtype() : undefined;
  // zeros and ones are the core's full(shape, 0 | 1), whose size errors name full.
  return call(`${op}(${show(shape)}${dtype === undefined ? '' : `, ${show(dtype)}`})`, [op, 'full'], () =>
    wg[op](shape, dtype),
  );
});
gen(1, (r, P, wg) => {
  const shape = r.shape();
  const v = r.num();
  return call(`full(${show(shape)}, ${show(v)})`, 'full', () => wg.full(shape, v));
});
gen(2, (r, P, wg) => {
  const [a, b, s] = [
    r.int(-3, 3),
    r.chance(0.9) ? r.int(-3, 6) : r.num(),
    r.chance(0.8) ? r.pick([1, 2, 0.5, -1]) : r.pick([0, NaN, 1e-9, '1']),
  ];
  return call(`arange(${a}, ${show(b)}, ${show(s)})`, 'arange', () => wg.arange(a, b, s));
});
gen(2, (r, P, wg) => {
  const [a, b, n] = [r.num(), r.num(), r.size(6)];
  return call(`linspace(${show(a)}, ${show(b)}, ${show(n)})`, 'linspace', () => wg.linspace(a, b, n));
});
gen(2, (r, P, wg) => {
  const n = r.chance(0.9) ? r.size(4) : r.pick([65536, 1e5]);
  const m = r.chance(0.5) ? undefined : r.size(4);
  return call(`eye(${show(n)}${m === undefined ? '' : `, ${show(m)}`})`, 'eye', () => wg.eye(n, m));
});
gen(3, (r, P, wg) => {
  const k = r.int(0, 6);
  const data = [
    [1, 2, 3],
    [
      [1, 2],
      [3, 4],
    ],
    [[1, 2], [3]],
    7,
    [],
    [true, false],
    ['a', 'b'],
    null,
  ][k] ?? [1];
  const shape = r.chance(0.4) ? r.shape() : undefined;
  const opts = r.chance(0.3) ? { dtype: r.dtype() } : r.chance(0.1) ? { requiresGrad: r.bool() } : undefined;
  const args = [data, ...(shape !== undefined ? [shape] : []), ...(opts ? [opts] : [])];
  return call(`tensor(${args.map(show).join(', ')})`, 'tensor', () => wg.tensor(...args));
});
gen(1, (r, P, wg) => {
  const op = r.pick(['rand', 'randn', 'randperm', 'randint']);
  const shape = r.shape();
  if (op === 'randperm') {
    const n = r.size(6);
    return call(`randperm(${show(n)})`, 'randperm', () => wg.randperm(n), { random: true });
  }
  if (op === 'randint') {
    const [lo, hi] = [r.int(-2, 2), r.chance(0.8) ? r.int(-1, 5) : r.bad()];
    return call(`randint(${lo}, ${show(hi)}, ${show(shape)})`, 'randint', () => wg.randint(lo, hi, shape), {
      random: true,
    });
  }
  return call(`${op}(${show(shape)})`, op === 'rand' ? ['rand', 'uniform'] : ['randn', 'normal'], () => wg[op](shape), {
    random: true,
  });
});
gen(1, (r, P, wg) => {
  const op = r.pick(['zerosLike', 'onesLike']);
  const x = P[r.pick(ANY_POOL)];
  return call(`${op}(${show(x)})`, op, () => wg[op](x));
});

// Elementwise.
gen(6, (r, P) => {
  const op = r.pick(UNARY);
  const x = P[r.pick(ANY_POOL)];
  return call(`${show(x)}.${op}()`, op, () => x[op]());
});
gen(2, (r, P) => {
  const x = P[r.pick(FLOAT_POOL)];
  const k = r.int(0, 3);
  if (k === 0) {
    const a = r.num();
    return call(`${show(x)}.leakyRelu(${show(a)})`, 'leakyRelu', () => x.leakyRelu(a));
  }
  if (k === 1) {
    const a = r.num();
    return call(`${show(x)}.elu(${show(a)})`, 'elu', () => x.elu(a));
  }
  if (k === 2) {
    const [lo, hi] = [r.chance(0.8) ? r.num() : undefined, r.chance(0.8) ? r.num() : undefined];
    return call(`${show(x)}.clamp(${show(lo)}, ${show(hi)})`, 'clamp', () => x.clamp(lo, hi));
  }
  const o = r.chance(0.8)
    ? { approximate: r.pick(['none', 'tanh']) }
    : r.pick([{ approximate: 'fast' }, { approximate: 3 }, 'tanh']);
  return call(`${show(x)}.gelu(${show(o)})`, 'gelu', () => x.gelu(o));
});
gen(8, (r, P) => {
  const op = r.pick(BINARY);
  const x = P[r.pick(ANY_POOL)];
  const y = r.chance(0.7)
    ? P[r.pick(ANY_POOL)]
    : r.chance(0.6)
      ? r.num()
      : r.pick([[1, 2, 3], '2', null, undefined, {}]);
  return call(`${show(x)}.${op}(${show(y)})`, op, () => x[op](y));
});
gen(2, (r, P) => {
  const x = P[r.pick(ANY_POOL)];
  const d = r.dtype();
  return call(`${show(x)}.cast(${show(d)})`, 'cast', () => x.cast(d));
});
gen(1, (r, P, wg) => {
  const c = P[r.pick(['bools', 'bools', 'idx', 'm23'])];
  const a = r.chance(0.6) ? P[r.pick(FLOAT_POOL)] : r.num();
  const b = r.chance(0.6) ? P[r.pick(FLOAT_POOL)] : r.num();
  return call(`where(${show(c)}, ${show(a)}, ${show(b)})`, 'where', () => wg.where(c, a, b));
});

// Reductions.
gen(6, (r, P) => {
  const op = r.pick(REDUCE);
  const x = P[r.pick(FLOAT_POOL)];
  const axes = r.axes(x.shape.length);
  const keep = r.chance(0.3) ? r.bool() : undefined;
  return call(`${show(x)}.${op}(${show(axes)}, ${show(keep)})`, op, () => x[op](axes, keep));
});
gen(2, (r, P) => {
  const op = r.pick(['var', 'std']);
  const x = P[r.pick(FLOAT_POOL)];
  const axes = r.axes(x.shape.length);
  const o = r.chance(0.5) ? {} : { correction: r.chance(0.8) ? r.int(0, 2) : r.bad(), keepdim: r.bool() };
  return call(`${show(x)}.${op}(${show(axes)}, ${show(o)})`, op, () => x[op](axes, o));
});
gen(3, (r, P) => {
  const op = r.pick(['argmax', 'argmin', 'softmax', 'logSoftmax']);
  const x = P[r.pick(FLOAT_POOL)];
  const axis = r.chance(0.2) ? undefined : r.axis(x.shape.length);
  return call(`${show(x)}.${op}(${show(axis)})`, op, () => x[op](axis));
});

// Linear algebra.
gen(3, (r, P) => {
  const x = P[r.pick(['m23', 'm32', 'm34', 't234', 'v3', 's', 'empty'])];
  const y = r.chance(0.9)
    ? P[r.pick(['m23', 'm32', 'm34', 't234', 'v3', 's', 'empty', 'idx'])]
    : r.pick([[1, 2], null]);
  return call(`${show(x)}.matmul(${show(y)})`, 'matmul', () => x.matmul(y));
});
gen(1, (r, P) => {
  const x = P[r.pick(['m23', 'm32'])];
  const w = P[r.pick(['m23', 'm32', 'm34'])];
  const b = P[r.pick(['v3', 's', 'm23'])];
  const act = r.chance(0.8) ? r.pick(['linear', 'relu', 'sigmoid', 'tanh']) : r.pick([5, 'gelu', null]);
  return call(`${show(x)}.linear(${show(w)}, ${show(b)}, ${show(act)})`, 'linear', () => x.linear(w, b, act));
});

// Movement.
gen(10, (r, P, wg) => {
  const x = P[r.pick(FLOAT_POOL)];
  const rank = x.shape.length;
  const k = r.int(0, 15);
  const dims = (n) => Array.from({ length: n }, () => (r.chance(0.15) ? -1 : r.size(4)));
  switch (k) {
    case 0: {
      const s = r.chance(0.8) ? dims(r.int(0, 3)) : r.shape();
      return call(`${show(x)}.reshape(${show(s)})`, ['reshape', 'view'], () => x.reshape(s));
    }
    case 1: {
      const [a, b] = [r.axis(rank), r.axis(rank)];
      return call(`${show(x)}.flatten(${show(a)}, ${show(b)})`, 'flatten', () => x.flatten(a, b));
    }
    case 2: {
      const a = r.chance(0.3) ? undefined : r.axis(rank);
      return call(`${show(x)}.squeeze(${show(a)})`, 'squeeze', () => x.squeeze(a));
    }
    case 3: {
      const a = r.axis(rank + 1);
      return call(`${show(x)}.unsqueeze(${show(a)})`, 'unsqueeze', () => x.unsqueeze(a));
    }
    case 4: {
      const order = r.chance(0.8)
        ? [...Array(rank).keys()].sort(() => r.next() - 0.5)
        : Array.from({ length: r.int(0, 3) }, () => r.axis(rank));
      return call(`${show(x)}.permute(${order.map(show).join(', ')})`, 'permute', () => x.permute(...order));
    }
    case 5: {
      const [a, b] = [r.axis(rank), r.axis(rank)];
      return call(`${show(x)}.transpose(${show(a)}, ${show(b)})`, 'transpose', () => x.transpose(a, b));
    }
    case 6:
      return call(`${show(x)}.t()`, ['t', 'transpose'], () => x.t());
    case 7: {
      const s = r.chance(0.7)
        ? [...(r.chance(0.3) ? [r.size(3)] : []), ...x.shape.map((d) => (d === 1 || r.chance(0.2) ? r.size(3) : d))]
        : r.pick([[65536, 65536], [-1], [2 ** 32]]);
      return call(`${show(x)}.expand(${show(s)})`, ['expand', 'broadcastTo'], () => x.expand(s));
    }
    case 8: {
      const [a, s, e, st] = [
        r.axis(rank),
        r.chance(0.8) ? r.int(-4, 4) : r.bad(),
        r.chance(0.3) ? undefined : r.int(-4, 5),
        r.chance(0.8) ? r.int(1, 2) : r.pick([0, -1, 1.5]),
      ];
      return call(`${show(x)}.slice(${show(a)}, ${show(s)}, ${show(e)}, ${show(st)})`, 'slice', () =>
        x.slice(a, s, e, st),
      );
    }
    case 9: {
      const [a, s, l] = [r.axis(rank), r.chance(0.8) ? r.int(-4, 4) : r.bad(), r.size(3)];
      return call(`${show(x)}.narrow(${show(a)}, ${show(s)}, ${show(l)})`, 'narrow', () => x.narrow(a, s, l));
    }
    case 10: {
      const s = r.chance(0.5) ? r.size(3) : Array.from({ length: r.int(1, 3) }, () => r.size(3));
      const a = r.chance(0.5) ? undefined : r.axis(rank);
      return call(`${show(x)}.split(${show(s)}, ${show(a)})`, 'split', () => x.split(s, a));
    }
    case 11: {
      const n = r.size(4);
      const a = r.chance(0.5) ? undefined : r.axis(rank);
      return call(`${show(x)}.chunk(${show(n)}, ${show(a)})`, 'chunk', () => x.chunk(n, a));
    }
    case 12: {
      const w = r.chance(0.85)
        ? Array.from({ length: r.int(0, rank + 1) }, () => [
            r.chance(0.9) ? r.int(0, 2) : r.bad(),
            r.chance(0.9) ? r.int(0, 2) : r.bad(),
          ])
        : r.pick([[[-1, 0]], [1, 2], null, [[1]]]);
      const v = r.chance(0.7) ? undefined : r.num();
      return call(`${show(x)}.pad(${show(w)}, ${show(v)})`, 'pad', () => x.pad(w, v));
    }
    case 13: {
      const a = r.axes(rank);
      return call(`${show(x)}.flip(${show(a)})`, 'flip', () => x.flip(a));
    }
    case 14: {
      const list = Array.from({ length: r.int(0, 3) }, () => (r.chance(0.6) ? x : P[r.pick(FLOAT_POOL)]));
      const a = r.chance(0.3) ? undefined : r.axis(rank + 1);
      const op = r.pick(['concat', 'stack']);
      return call(`${op}(${show(list)}, ${show(a)})`, op, () => wg[op](list, a));
    }
    default:
      return call(`${show(x)}.contiguous()`, 'contiguous', () => x.contiguous());
  }
});

// Indexing.
gen(4, (r, P) => {
  const x = P[r.pick(['v3', 'm23', 'm34', 't234', 'empty'])];
  const index = P[r.pick(['idx', 'idx', 'idxBad', 'idx22', 'labels', 'm23'])];
  const axis = r.axis(x.shape.length);
  const k = r.int(0, 3);
  if (k === 0) return call(`${show(x)}.gather(${show(axis)}, ${show(index)})`, 'gather', () => x.gather(axis, index));
  if (k === 1)
    return call(`${show(x)}.indexSelect(${show(axis)}, ${show(index)})`, 'indexSelect', () =>
      x.indexSelect(axis, index),
    );
  if (k === 2) {
    const src = P[r.pick(['m23', 'v3', 'm34'])];
    return call(`${show(x)}.scatterAdd(${show(axis)}, ${show(index)}, ${show(src)})`, 'scatterAdd', () =>
      x.scatterAdd(axis, index, src),
    );
  }
  const n = r.chance(0.85) ? r.int(1, 6) : r.bad();
  const labels = P[r.pick(['idx', 'labels', 'idxBad', 'm23'])];
  return call(`${show(labels)}.oneHot(${show(n)})`, 'oneHot', () => labels.oneHot(n));
});

// Convolution and pooling.
const pairOrBad = (r, lo, hi) =>
  r.chance(0.85)
    ? r.chance(0.5)
      ? r.int(lo, hi)
      : [r.int(lo, hi), r.int(lo, hi)]
    : r.pick([0, -1, 1.5, [1], NaN, '1']);
const paddingArg = (r) =>
  r.chance(0.4) ? r.pick(['valid', 'same']) : r.chance(0.8) ? pairOrBad(r, 0, 2) : r.pick(['full', -1, [[1, 1]]]);
gen(4, (r, P) => {
  const k = r.int(0, 2);
  if (k === 0) {
    const x = P[r.pick(['img', 'img', 'm23', 'seq'])];
    const w = P[r.pick(['w2d', 'w2d', 'wt2d', 'w1d'])];
    const o = {
      stride: pairOrBad(r, 1, 2),
      padding: paddingArg(r),
      dilation: r.chance(0.8) ? 1 : pairOrBad(r, 1, 2),
      groups: r.chance(0.85) ? 1 : r.pick([2, 0, -1, 3]),
    };
    if (r.chance(0.3)) o.bias = P[r.pick(['v3', 's', 'm23'])];
    return call(`${show(x)}.conv2d(${show(w)}, ${show(o)})`, 'conv2d', () => x.conv2d(w, o));
  }
  if (k === 1) {
    const x = P[r.pick(['seq', 'seq', 'img'])];
    const w = P[r.pick(['w1d', 'w1d', 'w2d'])];
    const o = {
      stride: r.size(2, 1),
      padding: r.chance(0.5) ? r.pick(['valid', 'same']) : r.size(2),
      dilation: r.chance(0.8) ? 1 : r.size(2, 1),
    };
    return call(`${show(x)}.conv1d(${show(w)}, ${show(o)})`, 'conv1d', () => x.conv1d(w, o));
  }
  const x = P[r.pick(['img', 'img', 'm23'])];
  const w = P[r.pick(['wt2d', 'w2d'])];
  const o = {
    stride: pairOrBad(r, 1, 2),
    padding: pairOrBad(r, 0, 1),
    outputPadding: r.chance(0.8) ? 0 : pairOrBad(r, 0, 1),
  };
  return call(`${show(x)}.convTranspose2d(${show(w)}, ${show(o)})`, 'convTranspose2d', () => x.convTranspose2d(w, o));
});
gen(3, (r, P, wg) => {
  const op = r.pick(['maxPool2d', 'avgPool2d', 'globalAvgPool2d']);
  const x = r.chance(0.8) ? P[r.pick(['img', 'img', 'm23'])] : null;
  const o = {
    kernelSize: pairOrBad(r, 1, 3),
    stride: r.chance(0.3) ? undefined : pairOrBad(r, 1, 3),
    padding: paddingArg(r),
  };
  if (op === 'globalAvgPool2d')
    return call(`${show(x ?? P.img)}.globalAvgPool2d()`, op, () => (x ?? P.img).globalAvgPool2d());
  if (x === null) {
    // An input with an empty spatial axis.
    return call(`zeros([1, 1, 0, 4]).${op}(${show(o)})`, [op, 'zeros'], () => wg.zeros([1, 1, 0, 4])[op](o));
  }
  return call(`${show(x)}.${op}(${show(o)})`, op, () => x[op](o));
});

// Autograd.
gen(2, (r, P, wg) => {
  const depth = r.int(1, 5);
  const seedGrad = r.chance(0.7) ? undefined : r.pick(['m23', 'v3', 's']);
  return call(`grad chain ${depth} then backward(${show(seedGrad)})`, ['backward', 'tensor'], () => {
    const x = wg.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    let y = x;
    for (let i = 0; i < depth; i++) y = y.mul(1.5).add(0.5).tanh();
    const out = seedGrad === undefined ? y.sum() : y;
    out.backward(seedGrad === undefined ? undefined : P[seedGrad]);
    // A copy: disposing x (tidy does) frees its gradient with it.
    return x.grad.mul(1);
  });
});
gen(1, (r, P, wg) => {
  const fn = r.pick([() => P.m23.mul(2), async () => P.m23.mul(2), 5]);
  return call(`noGrad(${typeof fn})`, 'noGrad', () => wg.noGrad(fn));
});

// Lifetimes: tidy that throws, disposed operands, double dispose.
gen(2, (r, P, wg) => {
  const k = r.int(0, 3);
  if (k === 0)
    return call('tidy(throws after making tensors)', ['tidy', 'boom'], () =>
      wg.tidy(() => {
        P.m23.add(1).mul(2);
        throw new Error('boom: thrown by the fuzzer');
      }),
    );
  if (k === 1)
    return call('disposed.add(1)', ['add', 'dispose'], () => {
      const t = wg.ones([2]);
      t.dispose();
      return t.add(1);
    });
  if (k === 2)
    return call('dispose twice', 'dispose', () => {
      const t = wg.ones([2]);
      t.dispose();
      t.dispose();
    });
  const notFn = r.pick([5, null, 'x']);
  return call(`tidy(${show(notFn)})`, 'tidy', () => wg.tidy(notFn));
});

// Layers, losses, optimizers (PyTorch-like).
gen(3, (r, P, wg) => {
  const { nn } = wg;
  const k = r.int(0, 3);
  if (k === 0) {
    const [i, o] = [
      r.chance(0.9) ? r.int(1, 4) : r.pick([0, -1, 2.5, 1e5, '3']),
      r.chance(0.9) ? r.int(1, 4) : r.pick([0, -1, 2.5, 1e5, null]),
    ];
    const x = P[r.pick(['m23', 'm32', 'v3', 'm34'])];
    return call(`new nn.Linear(${show(i)}, ${show(o)}).forward(${show(x)})`, ['Linear', 'linear', 'matmul'], () => {
      const m = new nn.Linear(i, o);
      try {
        return m.forward(x);
      } finally {
        m.dispose();
      }
    });
  }
  if (k === 1) {
    const [ci, co, ks] = [r.size(3, 1), r.size(3, 1), r.size(3, 1)];
    const o = r.chance(0.7)
      ? {}
      : { stride: r.size(2, 1), padding: r.chance(0.5) ? r.size(2) : r.pick(['same', 'valid', 'x']) };
    return call(
      `new nn.Conv2d(${show(ci)}, ${show(co)}, ${show(ks)}, ${show(o)}).forward(img)`,
      ['Conv2d', 'conv2d'],
      () => {
        const m = new nn.Conv2d(ci, co, ks, o);
        try {
          return m.forward(P.img);
        } finally {
          m.dispose();
        }
      },
    );
  }
  if (k === 2) {
    const loss = r.pick([
      'mseLoss',
      'l1Loss',
      'huberLoss',
      'crossEntropy',
      'nllLoss',
      'binaryCrossEntropy',
      'binaryCrossEntropyWithLogits',
    ]);
    const a = P[r.pick(['m23', 'pos', 'v3', 'm32'])];
    const b = P[r.pick(['m23', 'pos', 'labels', 'v3'])];
    const o = r.chance(0.5)
      ? undefined
      : { reduction: r.chance(0.7) ? r.pick(['mean', 'sum', 'none']) : r.pick([1, 'avg', null]) };
    // The core names a loss by its Keras name (the one loss table serves both front doors).
    return call(`F.${loss}(${show(a)}, ${show(b)}, ${show(o)})`, [loss, ...KERAS_LOSSES], () =>
      nn.functional[loss](a, b, o),
    );
  }
  const state = r.pick([
    () => ({}),
    (m) => m.stateDict(),
    (m) => ({ ...m.stateDict(), extra: P.v3 }),
    () => ({ weight: 0 }),
    () => ({ weight: P.m23, bias: P.v3 }),
    () => null,
  ]);
  const strict = r.chance(0.7) ? undefined : r.bool();
  return call('nn.Linear(3, 2).loadStateDict(...)', ['loadStateDict', 'Linear'], () => {
    const m = new nn.Linear(3, 2);
    try {
      m.loadStateDict(state(m), strict);
      return m.forward(P.m23);
    } finally {
      m.dispose();
    }
  });
});
gen(3, (r, P, wg) => {
  const name = r.pick(['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad']);
  const o = r.chance(0.4)
    ? {}
    : { lr: r.chance(0.7) ? r.pick([0.1, 0.01, 1e-3]) : r.pick([-1, NaN, Infinity, '0.1', 0]) };
  if (r.chance(0.3)) o.weightDecay = r.chance(0.7) ? 0.01 : r.pick([-1, NaN]);
  if (name === 'SGD' && r.chance(0.4)) o.momentum = r.chance(0.7) ? 0.9 : r.pick([-0.5, NaN]);
  if (name.startsWith('Adam') && r.chance(0.3))
    o.betas = r.chance(0.6) ? [0.9, 0.99] : r.pick([[1.5, 0.9], [0.9], 'x']);
  const k = r.int(0, 4);
  const then = ['step', 'set lr', 'StepLR', 'CosineAnnealingLR', 'clipGradNorm_'][k];
  const arg = k === 1 ? r.num() : k === 2 ? r.size(3) : k === 3 ? r.size(3) : r.num();
  return call(
    `new optim.${name}(Linear(3, 2), ${show(o)}) then ${then}(${show(arg)})`,
    [
      name,
      name.toLowerCase(),
      'step',
      'lr',
      'setLr',
      'StepLR',
      'CosineAnnealingLR',
      'clipGradNorm_',
      'clip_grad_norm_',
      'Linear',
    ],
    () => {
      const m = new wg.nn.Linear(3, 2);
      let opt;
      try {
        opt = new wg.optim[name](m.parameters(), o);
        wg.nn.functional.mseLoss(m.forward(P.m23), P.m23.narrow(1, 0, 2)).backward();
        if (k === 1) opt.lr = arg;
        if (k === 2) {
          const s = new wg.optim.lr_scheduler.StepLR(opt, { stepSize: arg });
          s.step();
        }
        if (k === 3) {
          const s = new wg.optim.lr_scheduler.CosineAnnealingLR(opt, { tMax: arg });
          s.step();
        }
        if (k === 4) wg.nn.utils.clipGradNorm_(m.parameters(), arg);
        opt.step();
        return m.weight.add(0);
      } finally {
        opt?.dispose();
        m.dispose();
      }
    },
  );
});

// Keras-like: layers, compile, fit, predict, evaluate.
gen(2, (r, P, wg) => {
  const units = r.chance(0.85) ? r.int(1, 4) : r.pick([0, -1, 2.5, '4', null]);
  const act = r.chance(0.8) ? r.pick(['relu', 'linear', 'tanh', undefined]) : r.pick(['nope', 5]);
  const optimizer = r.chance(0.85) ? r.pick(['sgd', 'adam', 'rmsprop']) : r.pick(['nadam', 3, null]);
  const loss = r.chance(0.85)
    ? r.pick(['meanSquaredError', 'mse', 'meanAbsoluteError'])
    : r.pick(['hinge', 2, undefined]);
  const metrics = r.chance(0.7) ? undefined : r.pick(['mse', ['mse'], ['accuracy'], ['nope'], 'm']);
  const fitArgs = {
    epochs: r.chance(0.85) ? r.int(1, 2) : r.pick([0, -1, 1.5]),
    batchSize: r.chance(0.8) ? r.int(1, 4) : r.pick([0, 2.5, -1, '2']),
    verbose: 0,
  };
  if (r.chance(0.2)) fitArgs.validationSplit = r.pick([0.25, 1.5, -0.1]);
  if (r.chance(0.2)) fitArgs.shuffle = r.bool();
  const then = r.pick(['fit', 'fit', 'predict', 'evaluate', 'fit twice']);
  const label = `sequential(dense(${show(units)}, ${show(act)})).compile(${show(optimizer)}, ${show(loss)}, ${show(metrics)}).${then}(${show(fitArgs)})`;
  // `optimizer:`, `loss:` and `metric:` name the compile argument that was refused.
  const names = [
    'sequential',
    'dense',
    'Dense',
    'add',
    'compile',
    'fit',
    'predict',
    'evaluate',
    'Sequential',
    'Activation',
    'optimizer',
    'loss',
    'metric',
    ...KERAS_LOSSES,
    'Cannot start training because another fit()',
  ];
  return call(label, names, null, {
    async runAsync() {
      const model = wg.sequential({
        layers: [wg.layers.dense({ units, activation: act, inputShape: [3] }), wg.layers.dense({ units: 2 })],
      });
      const x = P.m23.add(0);
      const y = P.pos.narrow(1, 0, 2);
      try {
        model.compile({ optimizer, loss, metrics });
        if (then === 'predict') {
          const p = model.predict(x, { batchSize: fitArgs.batchSize });
          return p;
        }
        if (then === 'evaluate') return await model.evaluate(x, y, { batchSize: fitArgs.batchSize });
        if (then === 'fit twice') {
          const results = await Promise.allSettled([model.fit(x, y, fitArgs), model.fit(x, y, fitArgs)]);
          const rejected = results.find((s) => s.status === 'rejected');
          if (rejected) throw rejected.reason;
          return null;
        }
        await model.fit(x, y, fitArgs);
        return model.predict(x);
      } finally {
        model.dispose();
        x.dispose();
        y.dispose();
      }
    },
  });
});

const TOTAL_WEIGHT = GENERATORS.reduce((s, g) => s + g.weight, 0);

/** The `i`-th call of a run: draws a generator and its arguments (nothing runs yet). */
function drawCall(r, P, wg) {
  let w = r.next() * TOTAL_WEIGHT;
  for (const g of GENERATORS) {
    w -= g.weight;
    if (w < 0) return g.make(r, P, wg);
  }
  return GENERATORS[GENERATORS.length - 1].make(r, P, wg);
}

// ---- running calls and checking what happened -------------------------------------------------

const TRAP =
  /unreachable|RuntimeError|memory access out of bounds|trapped|borrowed|null pointer passed to rust|recursive use of an object|Maximum call stack|already mutably|invalid size error|out of bounds/i;

/** What a call must never do, counted by every fuzzer: each count must end at zero. */
export const CALL_FAILURES = ['traps', 'hangs', 'nonErrors', 'unnamed', 'leaks', 'broken'];

/** `promise`, or a rejection marked `hang` naming `what` after `ms` (`prefix` names the harness). */
export function timeout(promise, ms, what, prefix = 'fuzz') {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`${prefix}: ${what} did not settle within ${ms} ms`), { hang: true })),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The tensors in a call's result (a tensor, or arrays and objects of them). */
function tensorsIn(value, Tensor, out = []) {
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, Tensor, out);
  return out;
}

/** What a call produced, in a form two backends can be compared by. */
async function summarize(value, Tensor, ms) {
  const list = tensorsIn(value, Tensor);
  const out = [];
  for (const t of list)
    out.push({ shape: [...t.shape], dtype: t.dtype, values: Array.from(await timeout(t.data(), ms, 'data()')) });
  return out;
}

/**
 * Runs `calls` fuzzer calls from `seed`. Returns the counts, the failures (each with its call index
 * and label, replayable with `{seed, only: index}`), and each call's outcome for cross-backend
 * comparison. `progress(i, label)` is called before each call (a watchdog can spot a hang).
 */
export async function fuzz(wg, { seed, calls, only, callTimeoutMs = 20_000, progress = () => {}, maxFailures = 40 }) {
  const r = prng(seed);
  const stats = { seed, calls: 0, values: 0, cleanErrors: 0, ...Object.fromEntries(CALL_FAILURES.map((k) => [k, 0])) };
  const failures = [];
  const outcomes = [];
  const fail = (kind, i, label, detail) => {
    stats[kind] += 1;
    if (failures.length < maxFailures)
      failures.push({ kind, seed, index: i, label, detail: String(detail).slice(0, 400) });
  };
  let P = makePool(wg);
  const restart = async () => {
    // After a trap the module is re-instantiated by init(); the old pool belongs to the dead instance.
    try {
      await wg.init({ backend: wg.backend().startsWith('webgpu') ? 'webgpu' : 'cpu' });
    } catch {
      await wg.init();
    }
    P = makePool(wg);
  };
  for (let i = 0; i < calls; i++) {
    const c = drawCall(r, P, wg);
    if (only !== undefined && i !== only) continue;
    progress(i, c.label);
    stats.calls += 1;
    // Layers initialise from the core's generator: seeding each call makes the backends comparable.
    wg.manualSeed(seed * 100_000 + i);
    let before;
    try {
      before = wg.memory().numTensors;
    } catch (e) {
      fail('broken', i, c.label, `memory() before the call threw: ${e?.message}`);
      await restart();
      before = wg.memory().numTensors;
    }
    let outcome;
    let trapped = false;
    try {
      let value;
      let inner = [];
      if (c.runAsync) {
        value = await timeout(c.runAsync(), callTimeoutMs, c.label);
      } else {
        value = wg.tidy(() => c.run());
      }
      try {
        inner = await summarize(value, wg.Tensor, callTimeoutMs);
      } finally {
        for (const t of tensorsIn(value, wg.Tensor)) t.dispose();
      }
      outcome = { ok: true, tensors: inner };
      stats.values += 1;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      outcome = { ok: false, op: msg.split(':')[0].slice(0, 40) };
      if (e?.hang) {
        fail('hangs', i, c.label, msg);
        trapped = true;
      } else if (!(e instanceof Error)) fail('nonErrors', i, c.label, `threw ${typeof e}: ${String(e)}`);
      else if (e instanceof WebAssembly.RuntimeError || TRAP.test(msg) || e.name === 'RangeError') {
        fail('traps', i, c.label, `${e.name}: ${msg}`);
        trapped = true;
      } else if (!c.names.some((n) => msg.startsWith(`${n}:`) || msg.startsWith(`${n}(`) || msg.startsWith(`${n} `)))
        fail('unnamed', i, c.label, `${e.name}: ${msg}`);
      else stats.cleanErrors += 1;
    }
    outcomes.push({ index: i, label: c.label, random: !!c.random, ...outcome });
    if (trapped) {
      await restart();
      continue;
    }
    // The module still works, and the call left nothing behind.
    try {
      const after = wg.memory().numTensors;
      if (after !== before) fail('leaks', i, c.label, `${after - before} tensors left behind (${before} -> ${after})`);
      const s = wg.tidy(() => wg.tensor([1, 2, 3]).mul(2).sum());
      const v = await timeout(s.data(), callTimeoutMs, 'the known-value check');
      s.dispose();
      if (v[0] !== 12) throw new Error(`sum([1, 2, 3] * 2) read back ${v[0]}`);
      if (wg.memory().numTensors !== after) throw new Error('the known-value check leaked');
    } catch (e) {
      fail('broken', i, c.label, `after the call the module no longer computes: ${e?.message ?? e}`);
      await restart();
    }
  }
  for (const t of Object.values(P)) {
    try {
      t.dispose();
    } catch {
      /* a dead instance's tensor */
    }
  }
  return { stats, failures, outcomes };
}

/**
 * Compares two runs of one seed on two backends: for every call both must throw, or both return
 * tensors of one shape and dtype whose values agree within `atol + rtol * |b|` (NaN matches NaN);
 * calls whose values depend on the backend's random generator compare shapes only.
 */
export function compareOutcomes(a, b, { atol = 1e-4, rtol = 1e-3 } = {}) {
  const mismatches = [];
  let compared = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (x.label !== y.label) {
      mismatches.push({ index: x.index, label: x.label, detail: `the runs diverged: ${y.label}` });
      break;
    }
    if (x.ok !== y.ok) {
      mismatches.push({
        index: x.index,
        label: x.label,
        detail: x.ok ? `only the second threw (${y.op})` : `only the first threw (${x.op})`,
      });
      continue;
    }
    if (!x.ok) continue;
    compared += 1;
    if (x.tensors.length !== y.tensors.length) {
      mismatches.push({ index: x.index, label: x.label, detail: 'different numbers of tensors' });
      continue;
    }
    x.tensors.forEach((tx, j) => {
      const ty = y.tensors[j];
      if (String(tx.shape) !== String(ty.shape) || tx.dtype !== ty.dtype) {
        mismatches.push({
          index: x.index,
          label: x.label,
          detail: `shape/dtype ${tx.shape}/${tx.dtype} vs ${ty.shape}/${ty.dtype}`,
        });
        return;
      }
      if (x.random) return;
      const bad = tx.values.findIndex((v, k) => {
        const w = ty.values[k];
        if (Number.isNaN(v) || Number.isNaN(w)) return Number.isNaN(v) !== Number.isNaN(w);
        if (!Number.isFinite(v) || !Number.isFinite(w)) return v !== w;
        return Math.abs(v - w) > atol + rtol * Math.abs(w);
      });
      if (bad >= 0)
        mismatches.push({
          index: x.index,
          label: x.label,
          detail: `value ${bad}: ${tx.values[bad]} vs ${ty.values[bad]}`,
        });
    });
  }
  return { compared, mismatches };
}
