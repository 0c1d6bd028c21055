// The TypeScript API and the demo page in headless Chromium on WebGPU. A missing adapter fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { serve } from '../../scripts/serve.mjs';
import { launchChromium, openPage } from '../../scripts/chromium.mjs';
import { checks } from './slice-checks.mjs';
import { coreChecks } from './core-checks.mjs';
import { apiChecks } from './api-checks.mjs';

let server, url, browser, report;

before(async () => {
  ({ server, url } = await serve(0));
  browser = await launchChromium();
  const page = await openPage(browser, `${url}/tests/ts/browser.html`);
  await page.waitForFunction(() => window.__report, null, { timeout: 120_000 });
  report = await page.evaluate(() => window.__report);
  await page.close();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('Chromium exposes a WebGPU adapter and webgrad runs on it', () => {
  assert.equal(report.error, null, `init failed: ${report.error}`);
  assert.match(report.backend, /^webgpu \(/);
  console.log(`chromium WebGPU adapter (TypeScript API): ${report.backend}`);
  // Chromium has relaxed SIMD, so these checks run the FMA binary (Node runs the plain SIMD one).
  assert.equal(report.relaxedSimd, true);
});

const expected = [
  ...Object.keys(checks).map((n) => `webgpu: ${n}`),
  ...Object.keys(coreChecks).flatMap((n) => [`webgpu: ${n}`, `cpu: ${n}`]),
  ...Object.keys(apiChecks).flatMap((n) => [`webgpu: ${n}`, `cpu: ${n}`]),
];
for (const name of expected) {
  test(name, () => {
    const result = report.results.find((r) => r.name === name);
    assert.ok(result, `check "${name}" did not run`);
    assert.ok(result.ok, result.detail);
  });
}

test('the demo page shows a WebGPU result', async () => {
  const page = await openPage(browser, `${url}/www/`);
  await page.waitForSelector('#status[data-state="done"]', { timeout: 120_000 });
  assert.match(await page.textContent('#backend'), /^webgpu \(/);
  // The page computes sum(x @ w + b) and its gradients for fixed inputs; the values are hand-derived.
  assert.equal(await page.textContent('#loss'), '163');
  assert.equal(await page.textContent('#grad-w'), '[5, 5, 7, 7, 9, 9]');
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/demo.png', fullPage: true });
  await page.close();
});
