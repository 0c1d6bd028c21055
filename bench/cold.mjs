// One cold page load (bench/run.mjs opens this page in a fresh browser context each time): loads only
// the library of `?contender=`, selects its backend, and times a first 256x256 matmul's result from
// the start of navigation (performance.now()), so script and wasm download, compilation, backend set-up
// and the first kernels all count. The result lands on window.__cold.
import { lib, tfjs, webgrad } from '/bench/fresh-page.mjs';

async function webgradMatmul() {
  const wg = await webgrad();
  const a = wg.tensor(new Float32Array(256 * 256).fill(0.5), [256, 256]);
  await a.matmul(a).data();
}

async function tfjsMatmul() {
  const tf = await tfjs();
  const a = tf.tensor2d(new Float32Array(256 * 256).fill(0.5), [256, 256]);
  await tf.matMul(a, a).data();
}

(lib === 'webgrad' ? webgradMatmul() : tfjsMatmul()).then(
  () => {
    window.__cold = { ms: performance.now() };
  },
  (e) => {
    window.__cold = { error: String(e?.message ?? e) };
  },
);
