// The MNIST demo's saving and loading, driven in headless Chromium (browser.test.mjs runs it): a model
// trained on the page is saved to IndexedDB, the page reloads and loads it back with the same test
// accuracy; its download is two files that load back through the file input with the same accuracy;
// a model TF.js saved (written here, in Node) loads with TF.js's own accuracy and predictions; a
// model that is no MNIST classifier shows its summary and a message; broken picks show an error.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';

const TEST = 2000;

/** www/data/mnist.bin: a u32 count n, n 28x28 images (a byte a pixel), n label bytes. */
async function digits() {
  const bytes = new Uint8Array(await readFile(new URL('../../www/data/mnist.bin', import.meta.url)));
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const pixels = Float32Array.from(bytes.subarray(4, 4 + n * 784), (v) => v / 255);
  return { n, pixels, labels: Int32Array.from(bytes.subarray(4 + n * 784, 4 + n * 785)) };
}

/** `model` as the two files TF.js's downloads would give, for playwright's `setInputFiles`. */
async function tfjsFiles(model, name) {
  let saved;
  await model.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: {} })));
  const { weightData, weightSpecs, ...rest } = saved;
  const json = { ...rest, weightsManifest: [{ paths: [`./${name}.weights.bin`], weights: weightSpecs }] };
  return [
    { name: `${name}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) },
    { name: `${name}.weights.bin`, mimeType: 'application/octet-stream', buffer: Buffer.from(weightData) },
  ];
}

/**
 * A small MNIST classifier trained and saved by TF.js (input [28, 28, 1], so the page reshapes its
 * digits), and TF.js's own results on the page's held-out digits: how many it gets right, its
 * probabilities, and how many of its top-two margins are under 1e-4 (where another float order may
 * flip the guess).
 */
async function tfjsMnist() {
  const { n, pixels, labels } = await digits();
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const nTrain = 2000;
  const x = tf.tensor4d(pixels.subarray(0, nTrain * 784), [nTrain, 28, 28, 1]);
  const y = tf.tensor1d(labels.subarray(0, nTrain), 'float32');
  await model.fit(x, y, { epochs: 4, batchSize: 64, verbose: 0 });
  const xTest = tf.tensor4d(pixels.subarray((n - TEST) * 784), [TEST, 28, 28, 1]);
  const probs = model.predict(xTest).dataSync();
  let [right, close] = [0, 0];
  for (let i = 0; i < TEST; i++) {
    const row = Array.from(probs.subarray(i * 10, i * 10 + 10));
    const sorted = [...row].sort((a, b) => b - a);
    if (row.indexOf(sorted[0]) === labels[n - TEST + i]) right++;
    if (sorted[0] - sorted[1] < 1e-4) close++;
  }
  const files = await tfjsFiles(model, 'tfjs-mnist');
  tf.dispose([x, y, xTest, model]);
  return { files, right, close, probs };
}

/** A model TF.js saved that is no MNIST classifier: [5] → [3]. */
async function tfjsMisfit() {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [5] })] });
  const files = await tfjsFiles(model, 'not-mnist');
  model.dispose();
  return files;
}

async function read(download) {
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Runs the whole check in a new page of `browser`, the demo served at `url`. */
export async function demoSaveLoad(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const demo = () => page.evaluate(() => window.__demo);
  /** Waits for the page's `count`th save or load to end; asserts it succeeded unless `expect` is 'error'. */
  const ioEnd = async (count, expect = 'done') => {
    await page.waitForFunction((c) => window.__demo.ioCount >= c, count, { timeout: 300_000 });
    const d = await demo();
    assert.equal(d.ioCount, count);
    assert.equal(d.io, expect, d.ioMessage);
    assert.equal(await page.getAttribute('#io-status', 'data-state'), expect);
    return d;
  };
  const pct = (a) => `${(100 * a).toFixed(2)}%`;
  // The page itself never loads the WebAssembly module (downloading included): its worker holds the model.
  const noWasm = async () => {
    const wasm = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => new URL(e.name).pathname)
        .filter((p) => p.endsWith('.wasm')),
    );
    assert.deepEqual(wasm, [], 'the page loaded the WebAssembly module itself');
  };

  await page.goto(`${url}/www/?backend=webgpu&api=keras&model=mlp&epochs=1&train=2000`);
  await page.waitForFunction(() => window.__demo?.state === 'ready', null, { timeout: 120_000 });
  // Nothing to save yet; loading is offered.
  assert.equal(await page.isDisabled('#save'), true);
  assert.equal(await page.isDisabled('#load-saved'), false);
  await page.click('#train');
  await page.waitForFunction(() => ['done', 'error'].includes(window.__demo.state), null, { timeout: 600_000 });
  const { testAccuracy, error } = await demo();
  assert.equal(error, null);
  assert.ok(testAccuracy > 0.5, `test accuracy ${testAccuracy}`);

  // Save to IndexedDB (from the worker, which holds the model).
  await page.click('#save');
  await ioEnd(1);
  assert.match(
    await page.textContent('#io-status'),
    /^saved to indexeddb:\/\/webgrad-mnist \([\d,]+ bytes of weights\)$/,
  );
  assert.equal(
    await page.textContent('#saved-accuracy'),
    `${pct(testAccuracy)} test accuracy when saved to this browser`,
  );

  // Download: the worker's artifacts, downloaded by the page as two files.
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.click('#download');
  await ioEnd(2);
  while (downloads.length < 2) await new Promise((done) => setTimeout(done, 50));
  assert.deepEqual(
    downloads.map((d) => d.suggestedFilename()),
    ['webgrad-mnist.json', 'webgrad-mnist.weights.bin'],
  );
  const downloaded = await Promise.all(
    downloads.map(async (d) => ({ name: d.suggestedFilename(), mimeType: 'text/plain', buffer: await read(d) })),
  );
  const json = JSON.parse(downloaded[0].buffer.toString('utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['./webgrad-mnist.weights.bin']);
  // The MLP's 784x128 + 128 + 128x10 + 10 float32 weights.
  assert.equal(downloaded[1].buffer.length, 4 * (784 * 128 + 128 + 128 * 10 + 10));
  await noWasm();

  // A real reload: the page forgets everything but IndexedDB and localStorage.
  await page.reload();
  await page.waitForFunction(() => window.__demo?.state === 'ready', null, { timeout: 120_000 });
  assert.equal((await demo()).testAccuracy, null);
  assert.equal(
    await page.textContent('#saved-accuracy'),
    `${pct(testAccuracy)} test accuracy when saved to this browser`,
  );
  await page.click('#load-saved');
  let d = await ioEnd(1);
  assert.equal(d.loaded.testAccuracy, testAccuracy, 'the model loaded from IndexedDB tests differently');
  assert.equal(d.loaded.misfit, null);
  assert.equal(
    await page.textContent('#loaded-accuracy'),
    `${pct(testAccuracy)} test accuracy (${pct(testAccuracy)} when saved)`,
  );
  assert.match(await page.textContent('#summary'), /Total params: 101770/);
  // The loaded model predicts a digit drawn by the page.
  await page.click('#sample');
  await page.waitForFunction(() => window.__demo.predictions === 1);
  assert.match(await page.textContent('#prediction'), /^\d \(\d+\.\d%\)$/);

  // The two downloaded files, picked in the file input (weights first: the page puts model.json first).
  await page.setInputFiles('#files', [downloaded[1], downloaded[0]]);
  d = await ioEnd(2);
  assert.equal(d.loaded.testAccuracy, testAccuracy, 'the downloaded files test differently');
  assert.equal(await page.textContent('#loaded-accuracy'), `${pct(testAccuracy)} test accuracy`);

  // A model TF.js trained and saved: the page's accuracy and probabilities are TF.js's.
  const reference = await tfjsMnist();
  await page.setInputFiles('#files', reference.files);
  d = await ioEnd(3);
  assert.equal(d.loaded.misfit, null);
  const right = Math.round(d.loaded.testAccuracy * TEST);
  assert.ok(
    Math.abs(right - reference.right) <= reference.close,
    `the page gets ${right} of ${TEST} right, TF.js ${reference.right} (${reference.close} near ties)`,
  );
  let worst = 0;
  d.loaded.probs.forEach((p, i) => (worst = Math.max(worst, Math.abs(p - reference.probs[i]))));
  assert.ok(worst <= 1e-4, `the page's probabilities differ from TF.js's by up to ${worst}`);
  assert.match(await page.textContent('#summary'), /Total params: 25450/);
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/demo-io.png', fullPage: true });
  console.log(
    `MNIST demo save/load: trained ${pct(testAccuracy)}, reloaded from IndexedDB and downloads the same; TF.js's model ${pct(reference.right / TEST)} in TF.js, ${pct(d.loaded.testAccuracy)} on the page (probabilities within ${worst.toExponential(1)})`,
  );

  // A TF.js model that is no MNIST classifier: its summary, and why it is not tested.
  await page.setInputFiles('#files', await tfjsMisfit());
  d = await ioEnd(4);
  assert.equal(d.loaded.testAccuracy, null);
  assert.match(d.loaded.misfit, /input is \[5\]/);
  assert.match(await page.textContent('#loaded-accuracy'), /^not tested: \[5\] → \[3\] does not fit MNIST/);
  assert.match(await page.textContent('#summary'), /Total params: 18/);

  // Broken picks are errors in the page: weights without a model.json; a truncated weights file.
  await page.setInputFiles('#files', [downloaded[1]]);
  d = await ioEnd(5, 'error');
  assert.match(d.ioMessage, /^error: pick a model\.json with its weight files \(got webgrad-mnist\.weights\.bin\)$/);
  const truncated = { ...downloaded[1], buffer: downloaded[1].buffer.subarray(0, 1000) };
  await page.setInputFiles('#files', [downloaded[0], truncated]);
  d = await ioEnd(6, 'error');
  assert.match(d.ioMessage, /^error: .*webgrad-mnist\.weights\.bin/);
  assert.equal(await page.textContent('#loaded-accuracy'), '–');

  await noWasm();
  assert.deepEqual(errors, []);
  await page.close();
}
