// `npm run bench`: builds nothing itself (the npm script builds first), serves the repository,
// runs bench/index.html in headless Chromium, prints webgrad vs TensorFlow.js as a table with ratios,
// and writes bench/results/latest.json. `--seconds N` sets the minimum time per measurement;
// `--only TEXT` keeps the workloads whose name contains TEXT; `--lib webgrad|tfjs` keeps one side;
// `--group cpu|gpu` keeps one kind of backend. Cold start is measured apart (bench/cold.html): a fresh
// browser context per page load, the median of `--loads N` (default 5) loads per contender. The model
// workloads (`--only model`) load the models of bench/load-models.mjs, written first with TensorFlow.js
// (bench/write-models.mjs): load time and batch-1 predict latency in the main page, and memory while
// loading (and that first load's time) in bench/memory.html, a fresh browser context per contender and model.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { serve } from '../scripts/serve.mjs';
import { launchChromium, openPage } from '../scripts/chromium.mjs';
import { LOAD_MODELS, weightBytes } from './load-models.mjs';
import { writeLoadModels } from './write-models.mjs';

const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const seconds = Number(arg('--seconds', 0.5));
const query = new URLSearchParams({ seconds: String(seconds) });
if (arg('--only')) query.set('only', arg('--only'));
if (arg('--lib')) query.set('lib', arg('--lib'));
if (arg('--group')) query.set('group', arg('--group'));
const COLD = 'page load to first 256x256 matmul result (cold)';
const CONTENDERS = {
  cpu: ['webgrad cpu', 'tfjs wasm', 'tfjs cpu'],
  gpu: ['webgrad webgpu', 'tfjs webgpu', 'tfjs webgl'],
};

/** The median over `--loads` fresh page loads of bench/cold.html, per contender. */
async function coldStarts(browser, url) {
  const loads = Number(arg('--loads', 5));
  const results = [];
  for (const [group, ids] of Object.entries(CONTENDERS)) {
    if (arg('--group') && arg('--group') !== group) continue;
    for (const id of ids.filter((i) => !arg('--lib') || i.startsWith(arg('--lib')))) {
      const times = [];
      let error = null;
      for (let i = 0; i < loads && !error; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${url}/bench/cold.html?contender=${encodeURIComponent(id)}`);
        await page.waitForFunction(() => window.__cold, null, { timeout: 120_000 });
        const r = await page.evaluate(() => window.__cold);
        await context.close();
        if (r.error) error = r.error;
        else times.push(r.ms);
      }
      times.sort((a, b) => a - b);
      const entry = { workload: COLD, contender: id, group, higherIsBetter: false, loads: times };
      results.push(error ? { ...entry, error } : { ...entry, value: times[Math.floor(times.length / 2)], unit: 'ms' });
      console.log(`[cold] ${id}: ${error ?? times.map((t) => t.toFixed(0)).join(', ')} ms`);
    }
  }
  return results;
}

const memoryName = (m, what) => `model load, fresh page: ${m.title}: ${what}`;
const MB = (bytes) => ({ value: bytes / 1e6, unit: 'MB' });
const times = (x) => ({ value: x, unit: 'x' });
/** The table rows of bench/memory.html's result `r` for model `m` (`weights`: its weight bytes). */
const memoryRows = (m, r, weights) => [
  [memoryName(m, 'first load'), { value: r.ms, unit: 'ms' }],
  [memoryName(m, 'wasm memory growth'), r.wasmGrowth == null ? { error: 'no wasm memory' } : MB(r.wasmGrowth)],
  [
    memoryName(m, 'wasm growth / weight bytes'),
    r.wasmGrowth == null ? { error: 'no wasm memory' } : times(r.wasmGrowth / weights),
  ],
  [memoryName(m, 'JS heap peak growth (sampled)'), MB(r.heapPeakGrowth)],
  [
    memoryName(m, '(wasm growth + JS heap peak) / weight bytes'),
    times(((r.wasmGrowth ?? 0) + r.heapPeakGrowth) / weights),
  ],
  [memoryName(m, 'JS heap held after load'), MB(r.heapAfterGrowth)],
  [memoryName(m, 'tensor bytes after load'), r.tensorBytes == null ? { error: 'not counted' } : MB(r.tensorBytes)],
];

/** Memory while loading each model, one fresh browser context per contender and model (bench/memory.mjs). */
async function loadMemory(browser, url) {
  const results = [];
  for (const m of LOAD_MODELS) {
    if (arg('--only') && !memoryRows(m, {}, 1).some(([name]) => name.includes(arg('--only')))) continue;
    const weights = weightBytes(JSON.parse(await readFile(new URL(`..${m.url}`, import.meta.url), 'utf8')));
    console.log(`[memory] ${m.title}: ${(weights / 1e6).toFixed(3)} MB of weights`);
    for (const [group, ids] of Object.entries(CONTENDERS)) {
      if (arg('--group') && arg('--group') !== group) continue;
      for (const id of ids.filter((i) => !arg('--lib') || i.startsWith(arg('--lib')))) {
        const context = await browser.newContext();
        const page = await context.newPage();
        page.on('pageerror', (e) => console.error(`[memory page error] ${e.message}`));
        await page.goto(`${url}/bench/memory.html?contender=${encodeURIComponent(id)}&model=${m.key}`);
        await page.waitForFunction(() => window.__memory, null, { timeout: 600_000, polling: 200 });
        const r = await page.evaluate(() => window.__memory);
        await context.close();
        console.log(`[memory] ${id} ${m.key}: ${JSON.stringify(r)}`);
        const base = { contender: id, group, higherIsBetter: false, weightBytes: weights, raw: r };
        if (r.error) results.push(...memoryRows(m, {}, 1).map(([workload]) => ({ workload, ...base, error: r.error })));
        else results.push(...memoryRows(m, r, weights).map(([workload, v]) => ({ workload, ...base, ...v })));
      }
    }
  }
  return results;
}

const only = arg('--only');
const modelNames = LOAD_MODELS.flatMap((m) => [`model load: ${m.title}`, `model predict batch-1: ${m.title}`]);
if (!only || [...modelNames, ...LOAD_MODELS.map((m) => memoryName(m, ''))].some((n) => n.includes(only))) {
  const sizes = await writeLoadModels(new URL('results/models', import.meta.url).pathname);
  console.log(
    `wrote bench/results/models/ (${Object.entries(sizes).map(([k, b]) => `${k}: ${(b / 1e6).toFixed(1)} MB`)})`,
  );
}

const { server, url } = await serve(0);
const browser = await launchChromium(['--enable-precise-memory-info', '--js-flags=--expose-gc']);
try {
  const page = await openPage(browser, `${url}/bench/index.html?${query}`);
  page.on('console', (m) => m.type() === 'log' && console.log(`[page] ${m.text()}`));
  await page.waitForFunction(() => window.__bench, null, { timeout: 30 * 60_000, polling: 1000 });
  const report = await page.evaluate(() => window.__bench);
  if (report.error) throw new Error(report.error);
  await page.close();
  if (!arg('--only') || COLD.includes(arg('--only'))) report.results.push(...(await coldStarts(browser, url)));
  report.results.push(...(await loadMemory(browser, url)));
  report.chromium = browser.version();
  report.date = new Date().toISOString();
  const cell = (r) =>
    r ? (r.error ? `n/a (${r.error.slice(0, 40)})` : `${r.value.toFixed(r.value < 10 ? 3 : 1)} ${r.unit}`) : '';
  console.log(`\nChromium ${report.chromium}; ${report.contenders.map((c) => `${c.id}: ${c.detail}`).join('; ')}`);
  for (const group of ['cpu', 'gpu']) {
    const ids = report.contenders.filter((c) => c.group === group).map((c) => c.id);
    if (ids.length === 0) continue;
    const workloads = [...new Set(report.results.filter((r) => r.group === group).map((r) => r.workload))];
    console.log(`\n${group === 'cpu' ? 'CPU backends' : 'GPU backends (WebGPU adapter: see above)'}`);
    console.log(
      `| workload | ${ids.join(' | ')} | ${ids
        .slice(1)
        .map((i) => `webgrad / ${i}`)
        .join(' | ')} |`,
    );
    console.log(
      `|---|${ids.map(() => '---').join('|')}|${ids
        .slice(1)
        .map(() => '---')
        .join('|')}|`,
    );
    for (const w of workloads) {
      const row = ids.map((id) => report.results.find((r) => r.workload === w && r.contender === id));
      const ours = row[0];
      const ratios = row.slice(1).map((r) => {
        if (!ours || ours.error || !r || r.error || ours.value === 0) return 'n/a';
        const ratio = r.higherIsBetter ? ours.value / r.value : r.value / ours.value;
        return `${ratio.toFixed(2)}x`;
      });
      console.log(`| ${w} | ${row.map(cell).join(' | ')} | ${ratios.join(' | ')} |`);
    }
  }
  console.log('\n(ratios > 1 mean webgrad is faster, or needs less memory)');
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/latest.json', JSON.stringify(report, null, 2));
  console.log('wrote bench/results/latest.json');
} finally {
  await browser.close();
  server.close();
}
