// Runs one fuzzer seed in a worker thread so that the harness's watchdog can stop a call that never
// returns (a synchronous hang cannot be timed out from the thread it blocks).
import { parentPort, workerData } from 'node:worker_threads';
import * as wg from '../../dist/index.js';
import { fuzz } from './fuzz.mjs';

await wg.init({ backend: 'cpu' });
const result = await fuzz(wg, {
  ...workerData,
  progress: (index, label) => parentPort.postMessage({ type: 'progress', index, label }),
});
// Outcomes stay here: Node compares no backends.
parentPort.postMessage({ type: 'done', stats: result.stats, failures: result.failures });
