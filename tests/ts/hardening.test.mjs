// The fuzzer and the soaks (issue: no input kills the module, memory stays flat). Node: the CPU
// backend, each fuzzer seed in a worker thread under a watchdog. Chromium: WebGPU, the same seed
// replayed on the CPU backend in the page and compared call by call.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import * as wg from '../../dist/index.js';
import { serve } from '../../scripts/serve.mjs';
import { launchChromium, openPage } from '../../scripts/chromium.mjs';
import { torchSoak, kerasSoak, table, notFlat } from './soak.mjs';
import { CALL_FAILURES } from './fuzz.mjs';
import { KNOWN, MUST_BE_ZERO, summaryLine } from './model-fuzz.mjs';

const env = (name, fallback) => (process.env[name] ? process.env[name].split(',').map(Number) : fallback);
// Six seeds of 1,000 calls in Node, one of 1,000 calls in Chromium per run; FUZZ_SEEDS explores others.
const NODE_SEEDS = env('FUZZ_SEEDS', [1, 2, 3, 4, 5, 6]);
const [CALLS] = env('FUZZ_CALLS', [1000]);
const [BROWSER_SEED] = env('FUZZ_BROWSER_SEED', [7]);
// Model files: four seeds of 1,000 cases (about 3 s each on the CPU) (MODEL_FUZZ_SEEDS / MODEL_FUZZ_CASES explore others).
const MODEL_SEEDS = env('MODEL_FUZZ_SEEDS', [1, 2, 3, 4]);
const [MODEL_CASES] = env('MODEL_FUZZ_CASES', [1000]);
const WATCHDOG_MS = 30_000;
const regressions = JSON.parse(await readFile(new URL('./fuzz-regressions.json', import.meta.url), 'utf8'));

/** One seed in a worker; a call that makes no progress for WATCHDOG_MS is a hang. */
function fuzzInWorker(workerData) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fuzz-worker.mjs', import.meta.url), { workerData });
    let last = { index: -1, label: '(init)' };
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        worker.terminate();
        resolve({
          stats: { seed: workerData.seed, calls: last.index + 1, hangs: 1 },
          failures: [
            {
              kind: 'hangs',
              seed: workerData.seed,
              index: last.index,
              label: last.label,
              detail: `no progress for ${WATCHDOG_MS} ms`,
            },
          ],
        });
      }, WATCHDOG_MS);
    };
    arm();
    worker.on('message', (m) => {
      if (m.type === 'progress') {
        last = m;
        arm();
      } else {
        clearTimeout(timer);
        resolve(m);
        worker.terminate();
      }
    });
    worker.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`the fuzzer worker died at call ${last.index} (${last.label}): ${e?.stack ?? e}`));
    });
  });
}

function assertClean(name, results) {
  const total = Object.fromEntries(
    ['calls', 'values', 'cleanErrors', ...CALL_FAILURES].map((k) => [
      k,
      results.reduce((s, r) => s + (r.stats[k] ?? 0), 0),
    ]),
  );
  console.log(`${name}: ${JSON.stringify(total)}`);
  const failures = results.flatMap((r) => r.failures);
  for (const f of failures.slice(0, 30))
    console.log(`  ${f.kind} seed ${f.seed} call ${f.index}: ${f.label}\n    ${f.detail}`);
  for (const k of CALL_FAILURES)
    assert.equal(
      total[k],
      0,
      `${name}: ${total[k]} ${k} (first: ${JSON.stringify(failures.find((f) => f.kind === k))})`,
    );
  return total;
}

test('fuzzer regressions: every kept failing case runs clean', async () => {
  const results = [];
  for (const c of regressions) results.push(await fuzzInWorker({ seed: c.seed, calls: c.calls, only: c.only }));
  assertClean('regressions', results);
});

test(`fuzzer in Node (CPU): ${NODE_SEEDS.length} seeds x ${CALLS} calls, no trap, hang, leak or unnamed error`, async () => {
  const results = [];
  for (const seed of NODE_SEEDS) results.push(await fuzzInWorker({ seed, calls: CALLS }));
  const total = assertClean('fuzzer (Node, CPU)', results);
  assert.ok(total.calls >= 5000 || process.env.FUZZ_SEEDS, `only ${total.calls} calls`);
  assert.ok(
    total.values > total.calls / 4 && total.cleanErrors > total.calls / 10,
    'the fuzzer mixes valid and invalid calls',
  );
});

test(`model-file fuzz in Node (CPU): ${MODEL_SEEDS.length} seeds x ${MODEL_CASES} mutated TF.js model files, each loaded or refused with a named Error, no trap, hang, leak or unbounded allocation`, async () => {
  const results = [];
  for (const seed of MODEL_SEEDS) results.push(await fuzzInWorker({ fuzzer: 'models', seed, cases: MODEL_CASES }));
  console.log(summaryLine(results));
  const failures = results.flatMap((r) => r.failures);
  for (const f of failures.slice(0, 30))
    console.log(`  ${f.kind} seed ${f.seed} case ${f.index}: ${f.label}\n    ${f.detail}`);
  const sum = (k) => results.reduce((s, r) => s + (r.stats[k] ?? 0), 0);
  for (const h of results.flatMap((r) => r.knownHits ?? []).slice(0, 10))
    console.log(`  known ${h.kind} seed ${h.seed} case ${h.index}: ${h.label}`);
  if (sum('known') > 0) console.log(`  known (not yet fixed):\n    ${KNOWN.map((k) => k.note).join('\n    ')}`);
  for (const k of MUST_BE_ZERO)
    assert.equal(
      sum(k),
      0,
      `model-file fuzz: ${sum(k)} ${k} (first: ${JSON.stringify(failures.find((f) => f.kind === k))})`,
    );
  assert.ok(
    sum('cases') >= 2000 || process.env.MODEL_FUZZ_SEEDS || process.env.MODEL_FUZZ_CASES,
    `only ${sum('cases')} cases`,
  );
  assert.ok(
    sum('loaded') > sum('cases') / 20 && sum('refused') > sum('cases') / 4,
    'the cases mix files that load and files that are refused',
  );
});

test('soak in Node (CPU): 10,000 PyTorch-like steps and 10,000 fit batches keep memory flat', async () => {
  await wg.init({ backend: 'cpu' });
  const base = wg.memory().numTensors;
  for (const [name, run] of [
    ['PyTorch-like loop', torchSoak],
    ['Keras fit', kerasSoak],
  ]) {
    const samples = await run(wg, { steps: 10_000 });
    console.log(table(`soak, Node CPU, ${name}`, samples));
    assert.deepEqual(notFlat(samples), [], name);
  }
  assert.equal(wg.memory().numTensors, base, 'the soaks freed what they made');
});

let server, url, browser;
before(async () => {
  ({ server, url } = await serve(0));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** Opens hardening.html and waits for its report, watching its progress for hangs. */
async function runPage(query) {
  const page = await openPage(browser, `${url}/tests/ts/hardening.html?${query}`);
  try {
    let last = null;
    let lastChange = Date.now();
    for (;;) {
      const state = await Promise.race([
        page.evaluate(() => ({ done: window.__hardening ?? null, progress: window.__progress ?? null })),
        new Promise((r) => setTimeout(() => r(null), WATCHDOG_MS)),
      ]);
      if (state === null) assert.fail(`the page stopped responding during ${JSON.stringify(last)}`);
      if (state.done) return state.done;
      if (JSON.stringify(state.progress) !== JSON.stringify(last)) {
        last = state.progress;
        lastChange = Date.now();
      }
      if (Date.now() - lastChange > WATCHDOG_MS)
        assert.fail(`hang: no progress for ${WATCHDOG_MS} ms at ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await page.close();
  }
}

test(`fuzzer in Chromium (WebGPU): ${CALLS} calls, clean, and the CPU backend agrees call by call`, async () => {
  const report = await runPage(`fuzz=${BROWSER_SEED}&calls=${CALLS}`);
  assert.equal(report.error, null, report.error);
  assert.match(report.backend, /^webgpu/);
  assertClean('fuzzer (Chromium, WebGPU)', [report.webgpu]);
  assertClean('fuzzer (Chromium, CPU replay)', [report.cpu]);
  console.log(
    `CPU/WebGPU agreement: ${report.agreement.compared} calls with values compared, ${report.agreement.mismatches.length} mismatches`,
  );
  for (const m of report.agreement.mismatches.slice(0, 20)) console.log(`  call ${m.index}: ${m.label}: ${m.detail}`);
  assert.deepEqual(report.agreement.mismatches, []);
  assert.ok(report.agreement.compared > CALLS / 4);
});

test('soak in Chromium (WebGPU): 2,000 PyTorch-like steps and 2,000 fit batches keep memory, GPU pool included, flat', async () => {
  const report = await runPage('soak=2000');
  assert.equal(report.error, null, report.error);
  for (const [name, samples] of Object.entries(report.soaks)) {
    console.log(table(`soak, Chromium WebGPU, ${name}`, samples));
    assert.deepEqual(notFlat(samples), [], name);
  }
  assert.ok(report.afterTrim.gpuPooledBytes === 0, `trimMemory left ${report.afterTrim.gpuPooledBytes} pooled bytes`);
  // Tensors' buffers all come back; the context keeps a few small buffers of its own for kernels
  // first used in the long run (256 bytes here), once, not per step (the samples above are flat).
  assert.ok(
    report.afterTrim.gpuBytes <= report.before.gpuBytes + 4096,
    `the soaks left ${report.afterTrim.gpuBytes - report.before.gpuBytes} GPU bytes behind`,
  );
  assert.equal(report.afterTrim.numTensors, report.before.numTensors, 'the soaks freed their tensors');
  console.log(
    `after the soaks and trimMemory(): ${report.afterTrim.gpuBytes} GPU bytes live (after the warm-up: ${report.before.gpuBytes}), ${report.afterTrim.gpuPooledBytes} pooled`,
  );
});
