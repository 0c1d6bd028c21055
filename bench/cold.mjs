// One cold page load (bench/run.mjs opens this page in a fresh browser context each time): loads only
// the library of `?contender=`, selects its backend, and times a first 256x256 matmul's result from
// the start of navigation (performance.now()), so script and wasm download, compilation, backend set-up
// and the first kernels all count. The result lands on window.__cold.
const contender = new URLSearchParams(location.search).get('contender');
const [lib, backend] = contender.split(' ');

function script(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(s);
  });
}

async function webgrad() {
  const wg = await import('/dist/index.js');
  await wg.init({ backend });
  const a = wg.tensor(new Float32Array(256 * 256).fill(0.5), [256, 256]);
  await a.matmul(a).data();
}

async function tfjs() {
  await script('/node_modules/@tensorflow/tfjs/dist/tf.min.js');
  const tf = globalThis.tf;
  if (backend === 'wasm') {
    await script('/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js');
    tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  }
  if (backend === 'webgpu') await script('/node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js');
  await tf.setBackend(backend);
  await tf.ready();
  const a = tf.tensor2d(new Float32Array(256 * 256).fill(0.5), [256, 256]);
  await tf.matMul(a, a).data();
}

(lib === 'webgrad' ? webgrad() : tfjs()).then(
  () => {
    window.__cold = { ms: performance.now() };
  },
  (e) => {
    window.__cold = { error: String(e?.message ?? e) };
  },
);
