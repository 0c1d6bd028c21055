// The storage handlers in Node (wg.io): file paths in a temporary folder, http against a local
// node:http server, custom handlers and artifacts in memory; and TF.js 4.22 (from npm) loading what
// webgrad saved and the other way round. The browser stores are checked in tests/ts/io.html.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The bytes of a weightData (one buffer or shards). */
const bytesOf = (data) =>
  Buffer.concat((Array.isArray(data) ? data : [data]).map((b) => new Uint8Array(b))).toString('hex');

/** Small artifacts with two float32 weights, the weights in two shards. */
function artifacts() {
  const kernel = new Float32Array([1, 2, 3, 4, 5, 6]);
  const bias = new Float32Array([0.5, -0.5]);
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 'm', layers: [] }, keras_version: 'tfjs-layers 4.22.0' },
    format: 'layers-model',
    generatedBy: 'webgrad test',
    convertedBy: null,
    weightSpecs: [
      { name: 'dense/kernel', shape: [3, 2], dtype: 'float32' },
      { name: 'dense/bias', shape: [2], dtype: 'float32' },
    ],
    weightData: [kernel.buffer, bias.buffer],
    userDefinedMetadata: { note: { x: 1 } },
  };
}

/** A TF.js model, its artifacts as TF.js saves them, and its prediction on `x`. */
async function tfjsModel() {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 3, inputShape: [2], activation: 'relu', kernelInitializer: 'glorotUniform' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  let saved;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: {} })));
  const x = tf.tensor2d([
    [1, 2],
    [-3, 0.5],
  ]);
  const predict = async (m) => Array.from(await m.predict(x).data());
  return { tf, model, saved, predict };
}

/** A local server: `routes[path]` answers GETs; POSTs are recorded with their form data. */
async function server(routes = {}) {
  const seen = [];
  const srv = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    seen.push({ method: req.method, path: url.pathname, search: url.search, headers: req.headers, body });
    const route = routes[url.pathname];
    if (req.method === 'POST') {
      res.writeHead(routes.postStatus ?? 200).end('{}');
    } else if (route === undefined) {
      res.writeHead(404).end('not found');
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(route);
    }
  });
  await new Promise((done) => srv.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${srv.address().port}`, seen, close: () => srv.close() };
}

/** The parts of a multipart POST body, parsed by Node's own fetch Response. */
async function formParts(request) {
  const form = await new Response(request.body, {
    headers: { 'content-type': request.headers['content-type'] },
  }).formData();
  return Object.fromEntries(
    await Promise.all(
      [...form.entries()].map(async ([k, v]) => [k, { name: v.name, bytes: Buffer.from(await v.arrayBuffer()) }]),
    ),
  );
}

async function tempDir() {
  return mkdtemp(join(tmpdir(), 'webgrad-io-'));
}

async function rejects(promise, pattern, what) {
  await assert.rejects(promise, (e) => e instanceof Error && pattern.test(e.message), what);
}

export const ioChecks = {
  async 'io: a file path saves model.json + weights.bin as tfjs-node does, and loads back'(wg) {
    const dir = await tempDir();
    try {
      const a = artifacts();
      const result = await wg.io.handlerFor(join(dir, 'plain')).save(a);
      assert.equal(result.modelArtifactsInfo.weightDataBytes, 32);
      assert.equal(result.modelArtifactsInfo.modelTopologyType, 'JSON');
      assert.equal(result.modelArtifactsInfo.modelTopologyBytes, Buffer.byteLength(JSON.stringify(a.modelTopology)));
      assert.deepEqual((await readdir(join(dir, 'plain'))).sort(), ['model.json', 'weights.bin']);
      const json = JSON.parse(await readFile(join(dir, 'plain', 'model.json'), 'utf8'));
      assert.deepEqual(json.weightsManifest, [{ paths: ['weights.bin'], weights: a.weightSpecs }]);
      assert.deepEqual(json.userDefinedMetadata, a.userDefinedMetadata);
      assert.equal(json.format, 'layers-model');
      assert.equal((await readFile(join(dir, 'plain', 'weights.bin'))).toString('hex'), bytesOf(a.weightData));
      // Loaded by the folder, its model.json, or a file:// URL.
      for (const target of [
        join(dir, 'plain'),
        join(dir, 'plain', 'model.json'),
        pathToFileURL(join(dir, 'plain')).href,
      ]) {
        const back = await wg.io.handlerFor(target).load();
        assert.equal(bytesOf(back.weightData), bytesOf(a.weightData), target);
        assert.deepEqual(back.weightSpecs, a.weightSpecs);
        assert.deepEqual(back.modelTopology, a.modelTopology);
        assert.deepEqual(back.userDefinedMetadata, a.userDefinedMetadata);
        assert.equal(back.generatedBy, 'webgrad test');
      }
      // A file:// URL saves too; a file in the way is an Error.
      await wg.io.handlerFor(pathToFileURL(join(dir, 'url')).href).save(a);
      assert.deepEqual((await readdir(join(dir, 'url'))).sort(), ['model.json', 'weights.bin']);
      await rejects(
        wg.io.handlerFor(join(dir, 'plain', 'weights.bin')).save(a),
        /^io.file: .*weights\.bin is a file: saving needs a folder/,
      );
      await rejects(
        wg.io.handlerFor(join(dir, 'none')).load(),
        /^io.file: .*none does not exist: expected a model.json or a folder holding one$/,
      );
    } finally {
      await rm(dir, { recursive: true });
    }
  },

  async 'io: a manifest naming a missing or short shard is an Error naming the path and the sizes (file, http, files)'(
    wg,
  ) {
    const dir = await tempDir();
    const json = JSON.stringify({
      modelTopology: {},
      weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: [{ name: 'w', shape: [2, 3], dtype: 'float32' }] }],
    });
    const srv = await server({ '/m/model.json': json, '/m/a.bin': Buffer.alloc(16) });
    try {
      await writeFile(join(dir, 'model.json'), json);
      await writeFile(join(dir, 'a.bin'), Buffer.alloc(16));
      await rejects(
        wg.io.handlerFor(dir).load(),
        /^io.file: reading weight shard 'b.bin' of .*model.json \(.*b\.bin\) failed: .*ENOENT/,
      );
      await rejects(
        wg.io.handlerFor(`${srv.url}/m/model.json`).load(),
        /^io.http: fetching weight shard 'b.bin' of http:\/\/127.0.0.1:\d+\/m\/b.bin failed: HTTP 404$/,
      );
      await writeFile(join(dir, 'b.bin'), Buffer.alloc(4));
      const short =
        /weight group 0 is 20 bytes in a.bin \(16 bytes\), b.bin \(4 bytes\), but its weights need 24 bytes: w float32 \[2, 3\]$/;
      await rejects(wg.io.handlerFor(dir).load(), new RegExp(`^io.file: .*model.json: ${short.source}`));
      const files = [
        new File([json], 'model.json'),
        new File([Buffer.alloc(16)], 'a.bin'),
        new File([Buffer.alloc(4)], 'b.bin'),
      ];
      await rejects(wg.io.handlerFor(files).load(), new RegExp(`^io.browserFiles: model.json: ${short.source}`));
      await rejects(
        wg.io.handlerFor(files.slice(0, 2)).load(),
        /^io.browserFiles: the weights manifest names 2 shard file\(s\) \(a.bin, b.bin\) but 1 were given$/,
      );
      await rejects(
        wg.io.handlerFor([files[0], files[1], new File([], 'c.bin')]).load(),
        /^io.browserFiles: the weight file 'b.bin' \(manifest path 'b.bin'\) was not given: got a.bin, c.bin$/,
      );
      // Enough bytes load.
      await writeFile(join(dir, 'b.bin'), Buffer.alloc(8));
      assert.equal((await wg.io.handlerFor(dir).load()).weightData.length, 2);
    } finally {
      srv.close();
      await rm(dir, { recursive: true });
    }
  },

  async 'io: http loads model.json then each shard relative to it, one at a time, with onProgress, requestInit and fetchFunc'(
    wg,
  ) {
    const a = artifacts();
    const k = Buffer.from(a.weightData[0]);
    const b = Buffer.from(a.weightData[1]);
    const json = JSON.stringify({
      modelTopology: a.modelTopology,
      format: 'layers-model',
      weightsManifest: [
        { paths: ['./group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [a.weightSpecs[0]] },
        { paths: ['sub/group2-shard1of1.bin'], weights: [a.weightSpecs[1]] },
      ],
    });
    const srv = await server({
      '/models/model.json': json,
      '/models/group1-shard1of2.bin': k.subarray(0, 10),
      '/models/group1-shard2of2.bin': k.subarray(10),
      '/models/sub/group2-shard1of1.bin': b,
    });
    try {
      const progress = [];
      const fetched = [];
      const fetchFunc = (url, init) => (
        fetched.push([url, init.headers?.['x-token'], progress.length]),
        fetch(url, init)
      );
      const handler = wg.io.handlerFor(`${srv.url}/models/model.json?v=3`, {
        onProgress: (f) => progress.push(f),
        requestInit: { headers: { 'x-token': 'abc' } },
        fetchFunc,
      });
      const back = await handler.load();
      assert.equal(bytesOf(back.weightData), bytesOf(a.weightData));
      assert.deepEqual(back.weightSpecs, a.weightSpecs);
      assert.deepEqual(back.modelTopology, a.modelTopology);
      assert.equal(back.weightData.length, 3);
      assert.deepEqual(progress, [1 / 4, 2 / 4, 3 / 4, 1]);
      // One at a time: each fetch starts after the previous file's progress; the query string is
      // kept and the paths resolve against model.json's folder (as TF.js).
      assert.deepEqual(fetched, [
        [`${srv.url}/models/model.json?v=3`, 'abc', 0],
        [`${srv.url}/models/./group1-shard1of2.bin?v=3`, 'abc', 1],
        [`${srv.url}/models/group1-shard2of2.bin?v=3`, 'abc', 2],
        [`${srv.url}/models/sub/group2-shard1of1.bin?v=3`, 'abc', 3],
      ]);
      assert.ok(srv.seen.every((r) => r.headers['x-token'] === 'abc' && r.search === '?v=3'));
      await rejects(
        wg.io.handlerFor(`${srv.url}/nothing/model.json`).load(),
        /^io.http: fetching model.json http:\/\/127.0.0.1:\d+\/nothing\/model.json failed: HTTP 404$/,
      );
      await rejects(
        wg.io.handlerFor(`${srv.url}/models/group1-shard1of2.bin`).load(),
        /^io.http: http:.*group1-shard1of2.bin is not JSON: /,
      );
      assert.throws(
        () => wg.io.handlerFor(srv.url, { requestInit: { body: 'x' } }),
        /^Error: io.http: requestInit must have no body/,
      );
    } finally {
      srv.close();
    }
  },

  async "io: http save POSTs multipart form data with model.json and model.weights.bin parts, as TF.js's http handler"(
    wg,
  ) {
    const srv = await server();
    try {
      const a = artifacts();
      const result = await wg.io
        .handlerFor(`${srv.url}/upload`, { requestInit: { headers: { 'x-token': 't' } } })
        .save(a);
      assert.equal(result.responses[0].status, 200);
      assert.equal(result.modelArtifactsInfo.weightDataBytes, 32);
      const [post] = srv.seen;
      assert.equal(post.method, 'POST');
      assert.equal(post.headers['x-token'], 't');
      const parts = await formParts(post);
      assert.deepEqual(Object.keys(parts), ['model.json', 'model.weights.bin']);
      assert.equal(parts['model.json'].name, 'model.json');
      assert.equal(parts['model.weights.bin'].name, 'model.weights.bin');
      const json = JSON.parse(parts['model.json'].bytes.toString('utf8'));
      assert.deepEqual(json.weightsManifest, [{ paths: ['./model.weights.bin'], weights: a.weightSpecs }]);
      assert.equal(parts['model.weights.bin'].bytes.toString('hex'), bytesOf(a.weightData));
      const failing = await server({ postStatus: 500 });
      await rejects(
        wg.io.handlerFor(`${failing.url}/upload`).save(a),
        /^io.http: saving to http:\/\/127.0.0.1:\d+\/upload failed: HTTP 500$/,
      );
      failing.close();
    } finally {
      srv.close();
    }
  },

  async 'io: fromMemory, withSaveHandler, custom handlers, model.json bytes and Files route through handlerFor'(wg) {
    const a = artifacts();
    assert.equal(await wg.io.handlerFor(wg.io.fromMemory(a)).load(), a);
    let got;
    const saver = wg.io.withSaveHandler(async (x) => void (got = x));
    const result = await wg.io.handlerFor(saver).save(a);
    assert.equal(got, a);
    assert.equal(result.modelArtifactsInfo.weightDataBytes, 32);
    const custom = { load: async () => a };
    assert.equal(wg.io.handlerFor(custom), custom, 'a handler passes through');
    // model.json bytes and a lone model.json File: the topology and metadata, no weights (as TF.js's browserFiles).
    const json = JSON.stringify({
      modelTopology: a.modelTopology,
      format: 'layers-model',
      weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }],
    });
    for (const target of [
      new TextEncoder().encode(json),
      new TextEncoder().encode(json).buffer,
      new File([json], 'model.json'),
      [new Blob([json])],
    ]) {
      const back = await wg.io.handlerFor(target).load();
      assert.deepEqual(back.modelTopology, a.modelTopology);
      assert.equal(back.format, 'layers-model');
      assert.equal(back.weightData, undefined);
    }
    // Unnamed Blobs are the shards in manifest order.
    const blobs = [new Blob([json]), new Blob([new Uint8Array(a.weightData[0]), new Uint8Array(a.weightData[1])])];
    assert.equal(bytesOf((await wg.io.handlerFor(blobs).load()).weightData), bytesOf(a.weightData));
    await rejects(
      wg.io.handlerFor(new TextEncoder().encode('{"x": 1}')).load(),
      /^io.bytes: the model.json bytes is not a model.json: it has neither modelTopology nor weightsManifest$/,
    );
    assert.throws(
      () => wg.io.handlerFor('gs://bucket/model.json'),
      /^Error: io.handlerFor: unknown scheme 'gs:\/\/' in 'gs:\/\/bucket\/model.json': expected one of indexeddb:\/\/, localstorage:\/\/, downloads:\/\/, http:\/\/, https:\/\/, file:\/\/$/,
    );
    assert.throws(() => wg.io.handlerFor(42), /^Error: io.handlerFor: expects a URL or path, .* got number$/);
    assert.throws(() => wg.io.handlerFor({}), /got Object$/);
    // The browser stores are not in Node: nothing listed, and using one is an Error that says so.
    assert.deepEqual(await wg.io.listModels(), {});
    await rejects(wg.io.handlerFor('indexeddb://m').load(), /^io.indexeddb: this runtime has no IndexedDB/);
    await rejects(wg.io.handlerFor('localstorage://m').save(a), /^io.localstorage: this runtime has no localStorage/);
    await rejects(wg.io.handlerFor('downloads://m').save(a), /^io.browserDownloads: downloads need a browser page/);
    await rejects(wg.io.removeModel('file:///x'), /^io.removeModel: 'file:\/\/\/x' is not in a model store/);
  },

  async 'io: TF.js loads what the file handler saved, and webgrad loads what TF.js saved over http'(wg) {
    const { tf, model, saved, predict } = await tfjsModel();
    const expected = await predict(model);
    const dir = await tempDir();
    const posted = await server();
    try {
      // webgrad writes TF.js's artifacts to a folder and reads them back; TF.js rebuilds the model from them.
      await wg.io.handlerFor(join(dir, 'm')).save(saved);
      const back = await wg.io.handlerFor(join(dir, 'm')).load();
      assert.equal(bytesOf(back.weightData), bytesOf(saved.weightData));
      same(await predict(await tf.loadLayersModel(tf.io.fromMemory(back))), expected, 'tf from webgrad artifacts');
      // TF.js's own http loader reads the folder webgrad wrote, served over http.
      const files = {
        '/m/model.json': await readFile(join(dir, 'm', 'model.json')),
        '/m/weights.bin': await readFile(join(dir, 'm', 'weights.bin')),
      };
      const served = await server(files);
      same(await predict(await tf.loadLayersModel(`${served.url}/m/model.json`)), expected, 'tf.loadLayersModel(http)');
      served.close();
      // TF.js's http saver POSTs; the parts written as files load in webgrad's file and http handlers.
      await model.save(tf.io.http(`${posted.url}/upload`));
      const parts = await formParts(posted.seen[0]);
      await mkdir(join(dir, 'tf'));
      for (const [name, { bytes }] of Object.entries(parts)) await writeFile(join(dir, 'tf', name), bytes);
      const fromTf = await wg.io.handlerFor(join(dir, 'tf', 'model.json')).load();
      assert.equal(bytesOf(fromTf.weightData), bytesOf(saved.weightData));
      assert.deepEqual(fromTf.weightSpecs, saved.weightSpecs);
      assert.deepEqual(fromTf.modelTopology, saved.modelTopology);
      const again = await server({
        '/tf/model.json': parts['model.json'].bytes,
        '/tf/model.weights.bin': parts['model.weights.bin'].bytes,
      });
      const overHttp = await wg.io.handlerFor(`${again.url}/tf/model.json`).load();
      again.close();
      same(await predict(await tf.loadLayersModel(tf.io.fromMemory(overHttp))), expected, 'tf from webgrad http load');
    } finally {
      posted.close();
      await rm(dir, { recursive: true });
    }
  },
};

function same(actual, expected, what) {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, i) =>
    assert.ok(Math.abs(v - expected[i]) <= 1e-6 * (1 + Math.abs(expected[i])), `${what}: ${actual} vs ${expected}`),
  );
}
