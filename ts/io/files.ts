// `[jsonFile, ...weightFiles]` of `File`s or `Blob`s (an `<input type=file>`'s list), as TF.js's
// `tf.io.browserFiles`: shards are matched to the manifest's paths by file name; unnamed Blobs are
// taken in the manifest's order. A model.json alone loads its topology without weights (as TF.js).
import { artifactsFromJSON, basename, checkShardSizes, fail, parseModelJSON } from './artifacts.js';
import type { IOHandler, ModelArtifacts } from './types.js';

const OP = 'io.browserFiles';

function nameOf(blob: Blob): string | undefined {
  const name = (blob as Partial<File>).name;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/** The shard for each manifest path, in order. */
function match(paths: string[], files: Blob[]): Blob[] {
  if (paths.length !== files.length)
    fail(
      OP,
      `the weights manifest names ${paths.length} shard file(s) (${paths.join(', ')}) but ${files.length} were given`,
    );
  if (!files.every(nameOf)) return files;
  const byName = new Map(files.map((f) => [basename(nameOf(f) as string), f]));
  const seen = new Set<string>();
  return paths.map((path) => {
    const base = basename(path);
    if (seen.has(base)) fail(OP, `the weights manifest names the file '${base}' twice`);
    seen.add(base);
    const file = byName.get(base);
    if (!file)
      fail(
        OP,
        `the weight file '${base}' (manifest path '${path}') was not given: got ${[...byName.keys()].join(', ')}`,
      );
    return file;
  });
}

/** A load handler over `[jsonFile, ...weightFiles]`. */
export function browserFiles(files: ArrayLike<Blob>): IOHandler {
  const list = Array.from(files ?? []);
  if (list.length < 1 || !list.every((f) => f instanceof Blob))
    fail(OP, 'expects [jsonFile, ...weightFiles]: at least one File or Blob, the model.json first');
  const [jsonFile, ...weightFiles] = list;
  const where = nameOf(jsonFile) ?? 'the model.json Blob';
  async function load(): Promise<ModelArtifacts> {
    const json = parseModelJSON(OP, await jsonFile.text(), where);
    if (json.modelTopology == null) fail(OP, `${where} has no modelTopology`);
    if (json.weightsManifest == null) fail(OP, `${where} has no weightsManifest`);
    if (weightFiles.length === 0) return artifactsFromJSON(json);
    const paths = json.weightsManifest.flatMap((g) => g.paths);
    const shards = match(paths, weightFiles);
    const buffers = await Promise.all(shards.map((f) => f.arrayBuffer()));
    checkShardSizes(OP, json.weightsManifest, buffers, where);
    return artifactsFromJSON(json, buffers);
  }
  return { load };
}
