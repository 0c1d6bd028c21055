// wg.safetensors against files Hugging Face's safetensors (PyPI) wrote (tests/fixtures/safetensors/,
// made by make_safetensors.py): every dtype webgrad reads converts by the rule, refusals name the
// tensor, lying headers are Errors that leave nothing behind, and webgrad writes the library's file
// byte for byte. Shared by the Node and Chromium harnesses.
const inNode =
  typeof process !== 'undefined' && process.versions?.node !== undefined && typeof document === 'undefined';

/** The path (Node) or URL (browser) of a fixture file: both are sources `load` takes. */
const fixture = (file) =>
  inNode
    ? new URL(`../fixtures/safetensors/${file}`, import.meta.url).pathname
    : `${location.origin}/tests/fixtures/safetensors/${file}`;

async function bytes(file) {
  if (inNode) return new Uint8Array(await (await import('node:fs/promises')).readFile(fixture(file)));
  return new Uint8Array(await (await fetch(fixture(file))).arrayBuffer());
}

const expected = async () => JSON.parse(new TextDecoder().decode(await bytes('expected.json')));
const number = (v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

/** Throws unless `t` has the fixture's shape, dtype and exactly its values (NaN, -0 and all). */
async function exactly(t, want, what) {
  if (JSON.stringify(t.shape) !== JSON.stringify(want.shape))
    throw new Error(`${what}: shape ${t.shape}, not ${want.shape}`);
  if (t.dtype !== want.dtype) throw new Error(`${what}: dtype ${t.dtype}, not ${want.dtype}`);
  const got = Array.from(await t.data());
  const values = want.dtype === 'bool' ? want.values.map(Number) : want.values.map(number);
  values.forEach((v, i) => {
    if (!Object.is(got[i], want.dtype === 'float32' ? Math.fround(v) : v))
      throw new Error(`${what}[${i}]: ${got[i]}, not ${v}`);
  });
}

async function refused(wg, source, pattern, what) {
  const before = wg.memory().numTensors;
  try {
    await wg.safetensors.load(source);
  } catch (e) {
    if (!(e instanceof Error) || !pattern.test(e.message)) throw new Error(`${what}: unexpected ${e?.message ?? e}`);
    if (wg.memory().numTensors !== before) throw new Error(`${what}: a refused file left tensors behind`);
    return;
  }
  throw new Error(`${what}: loaded`);
}

/** A file of `header` (an object, or raw JSON text) and `data` bytes. */
function file(header, data = new Uint8Array(0)) {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

export const safetensorsChecks = {
  async 'safetensors: every dtype the library wrote reads by the rule, with its metadata'(wg) {
    const want = await expected();
    for (const name of ['dtypes_numpy', 'bf16']) {
      const { tensors: state, metadata } = await wg.safetensors.loadFile(fixture(`${name}.safetensors`));
      if (JSON.stringify(metadata) !== JSON.stringify(want[name].metadata ?? {}))
        throw new Error(`${name}: metadata ${JSON.stringify(metadata)}`);
      const names = Object.keys(want[name].tensors);
      if (JSON.stringify(Object.keys(state).sort()) !== JSON.stringify(names.sort()))
        throw new Error(`${name}: names ${Object.keys(state)}`);
      for (const n of names) await exactly(state[n], want[name].tensors[n], `${name}.${n}`);
      Object.values(state).forEach((t) => t.dispose());
    }
    // The same file from its bytes, an ArrayBuffer and a Blob.
    const raw = await bytes('bf16.safetensors');
    for (const source of [raw, raw.slice().buffer, new Blob([raw])]) {
      const { bf16 } = await wg.safetensors.load(source);
      await exactly(bf16, want.bf16.tensors.bf16, `bf16 from a ${source.constructor.name}`);
      bf16.dispose();
    }
  },

  async 'safetensors: a dtype or value webgrad cannot hold is an Error naming the tensor'(wg) {
    const want = await expected();
    for (const [name, words] of Object.entries(want.refused))
      await refused(
        wg,
        fixture(`${name}.safetensors`),
        new RegExp(`^safetensors\\.load: ${words.replace(/[()[\]]/g, '\\$&')}`),
        name,
      );
  },

  async 'safetensors: a header that lies is an Error, and the module keeps working'(wg) {
    const f32 = (shape, offsets) => ({ dtype: 'F32', shape, data_offsets: offsets });
    const eight = new Uint8Array(8);
    const cases = [
      [new Uint8Array(4), /not a valid safetensors file: .*header/i, 'shorter than its length field'],
      [file({ a: f32([2], [0, 8]) }).slice(0, 20), /not a valid safetensors file/, 'a header past the end'],
      [file({ a: f32([2], [0, 16]) }, eight), /not a valid safetensors file/, 'offsets past the end'],
      [
        file({ a: f32([2], [0, 8]), b: f32([1], [4, 8]) }, eight),
        /not a valid safetensors file/,
        'overlapping offsets',
      ],
      [file({ a: f32([3], [0, 8]) }, eight), /not a valid safetensors file/, 'a shape that disagrees with the bytes'],
      [
        file({ a: f32([2 ** 31, 2 ** 31, 2 ** 31], [0, 8]) }, eight),
        /not a valid safetensors file/,
        'a shape whose product overflows',
      ],
      [
        file({ a: { dtype: 'Q4', shape: [2], data_offsets: [0, 8] } }, eight),
        /not a valid safetensors file/,
        'an unknown dtype',
      ],
      [
        file(
          '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
          eight,
        ),
        /the header names 'a' twice/,
        'a name twice',
      ],
      [file('{"a": nope}', eight), /not a valid safetensors file/, 'a header that is not JSON'],
      [
        file({ a: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, new Uint8Array([1, 7])),
        /tensor 'a' \(BOOL\) holds the byte 7/,
        'a bool byte that is not 0 or 1',
      ],
    ];
    for (const [source, pattern, what] of cases) await refused(wg, source, pattern, what);
    await refused(
      wg,
      fixture('missing.safetensors'),
      /^safetensors\.load: (reading .* failed: ENOENT|fetching .* gave HTTP 404)/,
      'a missing file',
    );
    const [a, b] = [wg.tensor([1, 2]), wg.tensor([1, 1])];
    const sum = a.add(b);
    if (JSON.stringify(Array.from(await sum.data())) !== '[2,3]') throw new Error('the module stopped computing');
    [a, b, sum].forEach((t) => t.dispose());
  },

  async 'safetensors: a PyTorch BatchNorm2d checkpoint (num_batches_tracked included) loads strictly into nn.BatchNorm2d, which counts on and saves back'(
    wg,
  ) {
    const want = (await expected()).batchnorm2d.tensors;
    const bn = new wg.nn.BatchNorm2d(3);
    const state = await wg.safetensors.load(fixture('batchnorm2d.safetensors'));
    bn.loadStateDict(state);
    for (const [n, t] of Object.entries(bn.stateDict())) await exactly(t, want[n], `loaded ${n}`);
    // Evaluation uses the loaded statistics: y = (x - mean) / sqrt(var + 1e-5) * weight + bias.
    bn.eval();
    const x = wg.tensor([1, 2, 3, -1, -2, -3], [2, 3, 1, 1]);
    const out = bn.forward(x);
    const y = Array.from(await out.data());
    out.dispose();
    const v = (k, c) => want[k].values[c];
    [1, 2, 3, -1, -2, -3].forEach((xi, i) => {
      const c = i % 3;
      const hand =
        ((xi - v('running_mean', c)) / Math.sqrt(v('running_var', c) + 1e-5)) * v('weight', c) + v('bias', c);
      if (Math.abs(y[i] - hand) > 1e-5) throw new Error(`eval output ${i}: ${y[i]}, by hand ${hand}`);
    });
    // A training batch counts on, and the count saves as PyTorch's key.
    bn.train();
    bn.forward(x).dispose();
    const again = await wg.safetensors.loadFile(await wg.safetensors.save(bn.stateDict()));
    await exactly(
      again.tensors.num_batches_tracked,
      { shape: [], dtype: 'int32', values: [6] },
      'num_batches_tracked after a batch',
    );
    [x, ...Object.values(state), ...Object.values(again.tensors)].forEach((t) => t.dispose());
    bn.dispose();
  },

  async "safetensors: webgrad writes the library's file byte for byte, and reads its own back"(wg) {
    const want = (await expected()).written;
    const state = Object.fromEntries(
      Object.entries(want.tensors).map(([n, t]) => [
        n,
        wg.tensor(t.dtype === 'bool' ? t.values.map(Number) : t.values, t.shape, { dtype: t.dtype }),
      ]),
    );
    const written = await wg.safetensors.save(state, { metadata: want.metadata });
    const theirs = await bytes('written.safetensors');
    if (written.length !== theirs.length || written.some((b, i) => b !== theirs[i]))
      throw new Error(`webgrad's file (${written.length} bytes) differs from the library's (${theirs.length} bytes)`);
    const back = await wg.safetensors.load(written);
    for (const [n, t] of Object.entries(want.tensors)) await exactly(back[n], t, `read back: ${n}`);
    [...Object.values(state), ...Object.values(back)].forEach((t) => t.dispose());
    const z = wg.zeros([1]);
    try {
      await wg.safetensors.save({ __metadata__: z });
      throw new Error('saved a tensor named __metadata__');
    } catch (e) {
      if (!/^safetensors\.save: a tensor name must be non-empty and not '__metadata__'/.test(e.message)) throw e;
    } finally {
      z.dispose();
    }
  },
};
