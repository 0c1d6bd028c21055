// `handlerFor`: one scheme for both front doors, as TF.js's io router. A string routes by its
// scheme; a schemeless string is a file path in Node and a URL relative to the page elsewhere.
import { fail } from './artifacts.js';
import { browserDownloads } from './downloads.js';
import { browserFiles } from './files.js';
import { http } from './http.js';
import { browserIndexedDB } from './indexeddb.js';
import { browserLocalStorage } from './localstorage.js';
import { fromJSONBytes } from './memory.js';
import { fileSystem, hasFileSystem } from './node-file.js';
import type { IOHandler, LoadOptions } from './types.js';

/** Where a model is saved to or loaded from: a URL or path, files, model.json bytes, or a handler. */
export type Destination = string | IOHandler | ArrayLike<Blob> | Blob | ArrayBuffer | Uint8Array;

const SCHEMES: Record<string, (rest: string, url: string, options: LoadOptions) => IOHandler> = {
  'indexeddb://': (rest) => browserIndexedDB(rest),
  'localstorage://': (rest) => browserLocalStorage(rest),
  'downloads://': (rest) => browserDownloads(rest),
  'http://': (_, url, options) => http(url, options),
  'https://': (_, url, options) => http(url, options),
  'file://': (_, url) => fileSystem(url),
};

function isHandler(v: unknown): v is IOHandler {
  const h = v as IOHandler;
  return v !== null && typeof v === 'object' && (typeof h.save === 'function' || typeof h.load === 'function');
}

function forString(url: string, options: LoadOptions): IOHandler {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0].toLowerCase();
  if (scheme !== undefined) {
    const make = SCHEMES[scheme];
    if (!make)
      fail(
        'io.handlerFor',
        `unknown scheme '${scheme}' in '${url}': expected one of ${Object.keys(SCHEMES).join(', ')}`,
      );
    return make(url.slice(scheme.length), url, options);
  }
  if (url.length === 0) fail('io.handlerFor', 'the URL or path is empty');
  return hasFileSystem() && typeof document === 'undefined' ? fileSystem(url) : http(url, options);
}

/**
 * The storage handler for `target`, as TF.js routes `model.save(url)` and `loadLayersModel(url)`:
 * - `indexeddb://name`, `localstorage://name`: the browser's stores, in TF.js's layout;
 * - `downloads://name` (save): downloads `name.json` and `name.weights.bin`;
 * - `http://…`, `https://…`: load fetches model.json and its shards (`options`: `onProgress`,
 *   `fetchFunc`, `requestInit`, `weightPathPrefix`); save POSTs them as multipart form data;
 * - `file://…` or a plain path, in Node: a folder holding `model.json` and `weights.bin`
 *   (in a browser, a plain path is a URL relative to the page);
 * - `[jsonFile, ...weightFiles]` (`File`s or `Blob`s), or one model.json `File` (load);
 * - an `ArrayBuffer` or `Uint8Array` holding a model.json (load: topology, no weights; TF.js has
 *   no one-file form with weights: for artifacts in memory use `fromMemory`/`withSaveHandler`);
 * - any object with `save` or `load`, passed through.
 */
export function handlerFor(target: Destination, options: LoadOptions = {}): IOHandler {
  if (typeof target === 'string') return forString(target, options);
  if (target instanceof ArrayBuffer || target instanceof Uint8Array) return fromJSONBytes(target);
  if (typeof Blob !== 'undefined' && target instanceof Blob) return browserFiles([target]);
  if (isHandler(target)) return target;
  if (target !== null && typeof target === 'object' && typeof (target as ArrayLike<Blob>).length === 'number')
    return browserFiles(target as ArrayLike<Blob>);
  return fail(
    'io.handlerFor',
    `expects a URL or path, [jsonFile, ...weightFiles], model.json bytes or a handler with save/load, got ${describe(target)}`,
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'an object';
}
