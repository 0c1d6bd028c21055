// A module Web Worker: runs the computation on the backend the page asks for.
import * as wg from 'webgrad';
import { compute } from './compute.js';

self.onmessage = async (event) => {
  try {
    self.postMessage({ result: await compute(wg, event.data.backend) });
  } catch (e) {
    self.postMessage({ error: String(e?.stack ?? e) });
  }
};
