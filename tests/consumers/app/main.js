// The page of the bundled consumer apps (Vite, webpack): computes on both backends in the page and
// in a module Web Worker each, and leaves the results on window.__consumer for the test.
import * as wg from 'webgrad';
import { compute } from './compute.js';

function inWorker(backend) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data.error) reject(new Error(`worker (${backend}): ${event.data.error}`));
      else resolve(event.data.result);
    };
    worker.onerror = (event) => reject(new Error(`worker (${backend}): ${event.message}`));
    worker.postMessage({ backend });
  });
}

async function main() {
  const report = { page: {}, worker: {}, firstResultMs: null, error: null };
  try {
    for (const backend of ['cpu', 'webgpu']) {
      report.page[backend] = await compute(wg, backend);
      report.firstResultMs ??= performance.now();
    }
    for (const backend of ['cpu', 'webgpu']) report.worker[backend] = await inWorker(backend);
  } catch (e) {
    report.error = String(e?.stack ?? e);
  }
  document.getElementById('result').textContent = JSON.stringify(report, null, 2);
  window.__consumer = report;
}

main();
