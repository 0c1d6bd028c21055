// `http(s)://…`: load fetches model.json, then each shard the manifest names relative to it, one at
// a time; save POSTs multipart form data with `model.json` and `model.weights.bin` parts, as TF.js's
// `tf.io.http` does.
import {
  artifactsFromJSON,
  artifactsInfo,
  checkShardSizes,
  fail,
  joinWeights,
  modelJSONFor,
  parseModelJSON,
} from './artifacts.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveResult } from './types.js';

const OP = 'io.http';

/** Where the shards of the model.json at `url` are: its folder, and its query string (as TF.js). */
function shardBase(url: string): [string, string] {
  const slash = url.lastIndexOf('/');
  const query = url.lastIndexOf('?');
  return [url.substring(0, slash) + '/', query > slash ? url.substring(query) : ''];
}

/** The handler for the model.json at `url` (absolute, or relative to the page). */
export function http(url: string, options: LoadOptions = {}): IOHandler {
  if (typeof url !== 'string' || url.length === 0) fail(OP, 'the URL must be a non-empty string');
  const fetchFunc = options.fetchFunc ?? (typeof fetch === 'undefined' ? undefined : fetch);
  if (options.fetchFunc != null && typeof options.fetchFunc !== 'function')
    fail(OP, 'fetchFunc must be a function with the signature of fetch');
  if (options.requestInit?.body != null) fail(OP, 'requestInit must have no body: the handler sets it');
  const init = options.requestInit ?? {};
  const get = async (target: string, what: string): Promise<Response> => {
    if (!fetchFunc) fail(OP, 'this runtime has no fetch: pass fetchFunc');
    let response: Response;
    try {
      response = await fetchFunc(target, init);
    } catch (e) {
      return fail(OP, `fetching ${what} ${target} failed: ${(e as Error).message}`);
    }
    if (!response.ok) fail(OP, `fetching ${what} ${target} failed: HTTP ${response.status}`);
    return response;
  };

  async function load(): Promise<ModelArtifacts> {
    const json = parseModelJSON(OP, await (await get(url, 'model.json')).text(), url);
    const paths = (json.weightsManifest ?? []).flatMap((g) => g.paths);
    const [base, query] = shardBase(url);
    const prefix = options.weightPathPrefix ?? base;
    const files = paths.length + 1;
    options.onProgress?.(1 / files);
    const buffers: ArrayBuffer[] = [];
    for (const path of paths) {
      const target = prefix + path + query;
      const response = await get(target, `weight shard '${path}' of`);
      buffers.push(await response.arrayBuffer());
      options.onProgress?.((buffers.length + 1) / files);
    }
    if (json.weightsManifest != null) checkShardSizes(OP, json.weightsManifest, buffers, url);
    return artifactsFromJSON(json, json.weightsManifest != null ? buffers : undefined);
  }

  async function save(artifacts: ModelArtifacts): Promise<SaveResult> {
    if (!fetchFunc) fail(OP, 'this runtime has no fetch: pass fetchFunc');
    const modelArtifactsInfo = artifactsInfo(OP, artifacts);
    const body = new FormData();
    const json = JSON.stringify(modelJSONFor(artifacts, ['./model.weights.bin']));
    body.append('model.json', new Blob([json], { type: 'application/json' }), 'model.json');
    if (artifacts.weightData != null) {
      const weights = new Blob([joinWeights(artifacts.weightData)], { type: 'application/octet-stream' });
      body.append('model.weights.bin', weights, 'model.weights.bin');
    }
    let response: Response;
    try {
      response = await fetchFunc(url, { method: 'POST', ...init, body });
    } catch (e) {
      return fail(OP, `saving to ${url} failed: ${(e as Error).message}`);
    }
    if (!response.ok) fail(OP, `saving to ${url} failed: HTTP ${response.status}`);
    return { modelArtifactsInfo, responses: [response] };
  }

  return { load, save };
}
