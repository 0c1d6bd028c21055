// Node side of the model-loading benchmarks: builds the generated models of bench/load-models.mjs with
// TensorFlow.js (cpu backend, its default initializers) and writes each under bench/results/models/<key>/
// as `model.save('downloads://')` lays the files out: model.json and one model.weights.bin.
// Not the converter's 4 MiB shards: TF.js 4.22's HTTP loader awaits every shard's response before
// reading any body, so over an HTTP/1.1 server (Chromium: 6 connections per host) a model of more than 6
// shards too big for Chromium's response buffer never finishes loading (seen here: 22 shards of 4 MiB).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { LOAD_MODELS, weightBytes } from './load-models.mjs';

/** Writes every generated model under `root`/<key>/; resolves to { key: weight bytes }. */
export async function writeLoadModels(root) {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const sizes = {};
  for (const m of LOAD_MODELS.filter((m) => m.build)) {
    const model = m.build(tf);
    let artifacts;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: {} })));
    model.dispose();
    const paths = ['./model.weights.bin'];
    const json = {
      format: 'layers-model',
      generatedBy: artifacts.generatedBy,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
    };
    const dir = `${root}/${m.key}`;
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/model.json`, JSON.stringify(json));
    await writeFile(`${dir}/model.weights.bin`, new Uint8Array(artifacts.weightData));
    sizes[m.key] = weightBytes(json);
  }
  return sizes;
}
