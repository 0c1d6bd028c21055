// `npm run bench`: builds nothing itself (the npm script builds first), serves the repository,
// runs bench/index.html in headless Chromium, prints webgrad vs TensorFlow.js as a table with ratios,
// and writes bench/results/latest.json. `--seconds N` sets the minimum time per measurement;
// `--only TEXT` keeps the workloads whose name contains TEXT; `--lib webgrad|tfjs` keeps one side;
// `--group cpu|gpu` keeps one kind of backend. Cold start is measured apart (bench/cold.html): a fresh
// browser context per page load, the median of `--loads N` (default 5) loads per contender.
import { mkdir, writeFile } from 'node:fs/promises';
import { serve } from '../scripts/serve.mjs';
import { launchChromium, openPage } from '../scripts/chromium.mjs';

const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const seconds = Number(arg('--seconds', 0.5));
const query = new URLSearchParams({ seconds: String(seconds) });
if (arg('--only')) query.set('only', arg('--only'));
if (arg('--lib')) query.set('lib', arg('--lib'));
if (arg('--group')) query.set('group', arg('--group'));
const COLD = 'page load to first 256x256 matmul result (cold)';
const COLD_CONTENDERS = {
  cpu: ['webgrad cpu', 'tfjs wasm', 'tfjs cpu'],
  gpu: ['webgrad webgpu', 'tfjs webgpu', 'tfjs webgl'],
};

/** The median over `--loads` fresh page loads of bench/cold.html, per contender. */
async function coldStarts(browser, url) {
  const loads = Number(arg('--loads', 5));
  const results = [];
  for (const [group, ids] of Object.entries(COLD_CONTENDERS)) {
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

const { server, url } = await serve(0);
const browser = await launchChromium();
try {
  const page = await openPage(browser, `${url}/bench/index.html?${query}`);
  page.on('console', (m) => m.type() === 'log' && console.log(`[page] ${m.text()}`));
  await page.waitForFunction(() => window.__bench, null, { timeout: 30 * 60_000, polling: 1000 });
  const report = await page.evaluate(() => window.__bench);
  if (report.error) throw new Error(report.error);
  await page.close();
  if (!arg('--only') || COLD.includes(arg('--only'))) report.results.push(...(await coldStarts(browser, url)));
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
        if (!ours || ours.error || !r || r.error) return 'n/a';
        const ratio = r.higherIsBetter ? ours.value / r.value : r.value / ours.value;
        return `${ratio.toFixed(2)}x`;
      });
      console.log(`| ${w} | ${row.map(cell).join(' | ')} | ${ratios.join(' | ')} |`);
    }
  }
  console.log('\n(ratios > 1 mean webgrad is faster)');
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/latest.json', JSON.stringify(report, null, 2));
  console.log('wrote bench/results/latest.json');
} finally {
  await browser.close();
  server.close();
}
