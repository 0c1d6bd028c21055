// Launching the Debian chromium package headless with a real WebGPU adapter (SwiftShader on machines
// without a GPU), for the browser tests, the demo check and the benchmarks.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A headless Chromium with a fresh profile, `extraArgs` after CHROMIUM_ARGS; close it when done. */
export function launchChromium(extraArgs = []) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Opens `url` in a new page, forwarding the page's errors to the console; resolves to the page. */
export async function openPage(browser, url) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`[page console] ${m.text()}`));
  await page.goto(url);
  return page;
}
