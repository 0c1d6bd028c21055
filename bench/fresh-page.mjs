// The one contender a fresh-page measurement (cold.mjs, memory.mjs) loads: `?contender=` names the
// library and its backend ("webgrad webgpu", "tfjs wasm", ...); only that library's scripts are loaded.

/** The library and backend this page measures. */
export const [lib, backend] = new URLSearchParams(location.search).get('contender').split(' ');

function script(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(s);
  });
}

/** webgrad's API with `backend` selected and ready. */
export async function webgrad() {
  const wg = await import('/dist/index.js');
  await wg.init({ backend });
  return wg;
}

/** TensorFlow.js (the global `tf`) with `backend` registered, selected and ready. */
export async function tfjs() {
  await script('/node_modules/@tensorflow/tfjs/dist/tf.min.js');
  const tf = globalThis.tf;
  if (backend === 'wasm') {
    await script('/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js');
    tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  }
  if (backend === 'webgpu') await script('/node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js');
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}
