// A folder in Node (`file://…` or a plain path), as tfjs-node's `file://` handler: save writes
// `model.json` and `weights.bin` in the folder (creating it); load reads a model.json (the path
// itself, or `model.json` in the folder it names) and each shard relative to it.
import {
  artifactsFromJSON,
  artifactsInfo,
  checkShardSizes,
  fail,
  joinWeights,
  modelJSONFor,
  parseModelJSON,
} from './artifacts.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';

const OP = 'io.file';

interface Fs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  stat(path: string): Promise<{ isDirectory(): boolean }>;
}
interface Path {
  join(...parts: string[]): string;
  dirname(path: string): string;
  resolve(...parts: string[]): string;
}
interface Url {
  fileURLToPath(url: string): string;
}

type Builtins = { getBuiltinModule?(id: string): unknown };
const builtins = (): Builtins | undefined => (globalThis as { process?: Builtins }).process;

/** Whether this runtime can read files (Node 20.16+ / 22.3+: `process.getBuiltinModule`). */
export function hasFileSystem(): boolean {
  return typeof builtins()?.getBuiltinModule === 'function';
}

/** Node's modules, got at run time so that bundlers for the browser leave them alone. */
function node(): { fs: Fs; path: Path; url: Url } {
  const get = builtins()?.getBuiltinModule;
  if (typeof get !== 'function')
    fail(
      OP,
      'file paths need Node 20.16+ or 22.3+ (process.getBuiltinModule); in a browser use indexeddb:// or downloads://',
    );
  return {
    fs: get('node:fs/promises') as Fs,
    path: get('node:path') as Path,
    url: get('node:url') as Url,
  };
}

function bytes(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** The absolute path `target` (a `file://` URL or a path) names. */
function absolute(target: string): string {
  const { path, url } = node();
  return path.resolve(target.startsWith('file://') ? url.fileURLToPath(target) : target);
}

/** The bytes of the file at `target` (a `file://` URL or a path), for readers of one file. */
export async function readFileBytes(target: string): Promise<Uint8Array> {
  return node().fs.readFile(absolute(target));
}

/** The handler for the folder (or model.json) at `target`: a `file://` URL or a path. */
export function fileSystem(target: string): IOHandler {
  if (typeof target !== 'string' || target.length === 0) fail(OP, 'the path must be a non-empty string');
  const resolve = () => absolute(target);

  async function save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const { fs, path } = node();
    const dir = resolve();
    const modelArtifactsInfo = artifactsInfo(OP, artifacts);
    try {
      const stat = await fs.stat(dir).catch(() => null);
      if (stat && !stat.isDirectory())
        fail(OP, `${dir} is a file: saving needs a folder (it writes model.json and weights.bin)`);
      await fs.mkdir(dir, { recursive: true });
      const json = JSON.stringify(modelJSONFor(artifacts, ['weights.bin']));
      await fs.writeFile(path.join(dir, 'model.json'), json);
      await fs.writeFile(path.join(dir, 'weights.bin'), new Uint8Array(joinWeights(artifacts.weightData)));
    } catch (e) {
      if ((e as Error).message.startsWith(`${OP}:`)) throw e;
      fail(OP, `saving to ${dir} failed: ${(e as Error).message}`);
    }
    return { modelArtifactsInfo };
  }

  async function load(): Promise<ModelArtifacts> {
    const { fs, path } = node();
    let file = resolve();
    const read = async (p: string, what: string) => {
      try {
        return await fs.readFile(p);
      } catch (e) {
        return fail(OP, `reading ${what} (${p}) failed: ${(e as Error).message}`);
      }
    };
    const stat = await fs.stat(file).catch(() => null);
    if (stat == null) fail(OP, `${file} does not exist: expected a model.json or a folder holding one`);
    if (stat.isDirectory()) file = path.join(file, 'model.json');
    const json = parseModelJSON(OP, new TextDecoder().decode(await read(file, 'model.json')), file);
    const dir = path.dirname(file);
    const buffers: ArrayBuffer[] = [];
    for (const shard of (json.weightsManifest ?? []).flatMap((g) => g.paths))
      buffers.push(bytes(await read(path.join(dir, shard), `weight shard '${shard}' of ${file}`)));
    if (json.weightsManifest != null) checkShardSizes(OP, json.weightsManifest, buffers, file);
    return artifactsFromJSON(json, json.weightsManifest != null ? buffers : undefined);
  }

  return { save, load };
}
