// The stored models of the browser stores (`indexeddb://`, `localstorage://`): list, remove, copy
// and move, as TF.js's `tf.io.listModels` and friends. Where a store is missing (Node), it lists
// nothing and the others are Errors.
import { fail } from './artifacts.js';
import { browserIndexedDB, hasIndexedDB, listIndexedDB, removeIndexedDB } from './indexeddb.js';
import { browserLocalStorage, hasLocalStorage, listLocalStorage, removeLocalStorage } from './localstorage.js';
import type { IOHandler, ModelArtifactsInfo } from './types.js';

interface Store {
  available(): boolean;
  list(): Promise<Record<string, ModelArtifactsInfo>>;
  remove(path: string): Promise<ModelArtifactsInfo>;
  handler(path: string): IOHandler;
}

const STORES: Record<string, Store> = {
  'indexeddb://': { available: hasIndexedDB, list: listIndexedDB, remove: removeIndexedDB, handler: browserIndexedDB },
  'localstorage://': {
    available: hasLocalStorage,
    list: listLocalStorage,
    remove: removeLocalStorage,
    handler: browserLocalStorage,
  },
};

function parse(op: string, url: string): [Store, string] {
  if (typeof url !== 'string') fail(op, `expects a URL string such as 'indexeddb://name', got ${typeof url}`);
  for (const [scheme, store] of Object.entries(STORES))
    if (url.startsWith(scheme)) return [store, url.slice(scheme.length)];
  return fail(op, `'${url}' is not in a model store: expected ${Object.keys(STORES).join(' or ')}`);
}

/** Every model in the stores this runtime has, by URL (`'indexeddb://name'`). */
export async function listModels(): Promise<Record<string, ModelArtifactsInfo>> {
  const out: Record<string, ModelArtifactsInfo> = {};
  for (const [scheme, store] of Object.entries(STORES)) {
    if (!store.available()) continue;
    for (const [path, info] of Object.entries(await store.list())) out[scheme + path] = info;
  }
  return out;
}

/** Removes the model at `url`; resolves to its info. */
export async function removeModel(url: string): Promise<ModelArtifactsInfo> {
  const [store, path] = parse('io.removeModel', url);
  return store.remove(path);
}

async function copy(op: string, from: string, to: string): Promise<ModelArtifactsInfo> {
  if (from === to) fail(op, `the source and the destination are the same: '${from}'`);
  const [source, path] = parse(op, from);
  const [dest, destPath] = parse(op, to);
  const artifacts = await (source.handler(path).load as NonNullable<IOHandler['load']>)();
  const saved = await (dest.handler(destPath).save as NonNullable<IOHandler['save']>)(artifacts);
  return saved.modelArtifactsInfo;
}

/** Copies the model at `from` to `to` (either store); resolves to the copy's info. */
export function copyModel(from: string, to: string): Promise<ModelArtifactsInfo> {
  return copy('io.copyModel', from, to);
}

/** Moves the model at `from` to `to`: it is removed once the copy is saved. */
export async function moveModel(from: string, to: string): Promise<ModelArtifactsInfo> {
  const info = await copy('io.moveModel', from, to);
  await removeModel(from);
  return info;
}
