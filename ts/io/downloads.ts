// `downloads://name`: the browser downloads `name.json` and `name.weights.bin` (TF.js's
// `browserDownloads` names; the manifest's path is `./name.weights.bin`).
import { artifactsInfo, fail, joinWeights, modelJSONFor } from './artifacts.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';

const OP = 'io.browserDownloads';

function click(name: string, blob: Blob): Promise<void> {
  const a = document.createElement('a');
  a.download = name;
  a.href = URL.createObjectURL(blob);
  // One task apart, as TF.js: some browsers drop a second download started in the same task.
  return new Promise<void>((done) => setTimeout(done)).then(() => {
    a.dispatchEvent(new MouseEvent('click'));
  });
}

/** A save handler downloading `<prefix>.json` and `<prefix>.weights.bin` (prefix `model` if empty). */
export function browserDownloads(prefix = 'model'): IOHandler {
  const name = prefix.length > 0 ? prefix : 'model';
  async function save(artifacts: ModelArtifacts): Promise<SaveResult> {
    if (typeof document === 'undefined') fail(OP, 'downloads need a browser page (there is no document here)');
    const modelArtifactsInfo = artifactsInfo(OP, artifacts);
    const weights = `${name}.weights.bin`;
    const json = JSON.stringify(modelJSONFor(artifacts, [`./${weights}`]));
    await click(`${name}.json`, new Blob([json], { type: 'application/json' }));
    if (artifacts.weightData != null)
      await click(weights, new Blob([joinWeights(artifacts.weightData)], { type: 'application/octet-stream' }));
    return { modelArtifactsInfo };
  }
  return { save };
}
