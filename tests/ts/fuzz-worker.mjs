// Runs one fuzzer seed in a worker thread so that the harness's watchdog can stop a call that never
// returns (a synchronous hang cannot be timed out from the thread it blocks). `workerData.fuzzer`:
// 'calls' (the API fuzzer, fuzz.mjs; the default) or 'models' (the model-file fuzzer, model-fuzz.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import * as wg from '../../dist/index.js';
import { fuzz } from './fuzz.mjs';
import { modelFuzz, readFixtures } from './model-fuzz.mjs';

await wg.init({ backend: 'cpu' });
const progress = (index, label) => parentPort.postMessage({ type: 'progress', index, label });
if (workerData.fuzzer === 'models') {
  const fixtures = await readFixtures(new URL('../fixtures/tfjs-models/', import.meta.url));
  const result = await modelFuzz(wg, { ...workerData, fixtures, progress });
  parentPort.postMessage({ type: 'done', ...result });
} else {
  const result = await fuzz(wg, { ...workerData, progress });
  // Outcomes stay here: Node compares no backends.
  parentPort.postMessage({ type: 'done', stats: result.stats, failures: result.failures });
}
