// `npm run bench`: builds nothing itself (the npm script builds first), serves the repository,
// runs bench/index.html in headless Chromium, prints webgrad vs TensorFlow.js as a table with ratios,
// and writes bench/results/latest.json. `--seconds N` sets the minimum time per measurement;
// `--only TEXT` keeps the workloads whose name contains TEXT; `--lib webgrad|tfjs` keeps one side;
// `--group cpu|gpu` keeps one kind of backend.
import { mkdir, writeFile } from 'node:fs/promises';
import { serve } from '../scripts/serve.mjs';
import { launchChromium, openPage } from '../scripts/chromium.mjs';

const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const seconds = Number(arg('--seconds', 0.5));
const query = new URLSearchParams({ seconds: String(seconds) });
if (arg('--only')) query.set('only', arg('--only'));
if (arg('--lib')) query.set('lib', arg('--lib'));
if (arg('--group')) query.set('group', arg('--group'));
const { server, url } = await serve(0);
const browser = await launchChromium();
try {
  const page = await openPage(browser, `${url}/bench/index.html?${query}`);
  page.on('console', (m) => m.type() === 'log' && console.log(`[page] ${m.text()}`));
  await page.waitForFunction(() => window.__bench, null, { timeout: 30 * 60_000, polling: 1000 });
  const report = await page.evaluate(() => window.__bench);
  if (report.error) throw new Error(report.error);
  report.chromium = browser.version();
  report.date = new Date().toISOString();
  const cell = (r) => (r ? (r.error ? `n/a (${r.error.slice(0, 40)})` : `${r.value.toFixed(r.value < 10 ? 3 : 1)} ${r.unit}`) : '');
  console.log(`\nChromium ${report.chromium}; ${report.contenders.map((c) => `${c.id}: ${c.detail}`).join('; ')}`);
  for (const group of ['cpu', 'gpu']) {
    const ids = report.contenders.filter((c) => c.group === group).map((c) => c.id);
    if (ids.length === 0) continue;
    const workloads = [...new Set(report.results.filter((r) => r.group === group).map((r) => r.workload))];
    console.log(`\n${group === 'cpu' ? 'CPU backends' : 'GPU backends (WebGPU adapter: see above)'}`);
    console.log(`| workload | ${ids.join(' | ')} | ${ids.slice(1).map((i) => `webgrad / ${i}`).join(' | ')} |`);
    console.log(`|---|${ids.map(() => '---').join('|')}|${ids.slice(1).map(() => '---').join('|')}|`);
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
