// `indexeddb://name`: TF.js's layout, so either library loads what the other saved. Database
// `tensorflowjs` version 1 with two stores keyed by `modelPath`: `models_store` holds
// `{modelPath, modelArtifacts, modelArtifactsInfo}` (weights joined in one buffer) and
// `model_info_store` `{modelPath, modelArtifactsInfo}`.
import { artifactsInfo, fail, withJoinedWeights } from './artifacts.js';
import type { IOHandler, ModelArtifacts, ModelArtifactsInfo, SaveResult } from './types.js';

const OP = 'io.indexeddb';
const DATABASE = 'tensorflowjs';
const MODELS = 'models_store';
const INFOS = 'model_info_store';

/** Whether this runtime has IndexedDB. */
export function hasIndexedDB(): boolean {
  return typeof indexedDB !== 'undefined';
}

function open(): Promise<IDBDatabase> {
  if (!hasIndexedDB()) fail(OP, 'this runtime has no IndexedDB (indexeddb:// is for browsers)');
  return new Promise((done, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(MODELS, { keyPath: 'modelPath' });
      request.result.createObjectStore(INFOS, { keyPath: 'modelPath' });
    };
    request.onsuccess = () => done(request.result);
    request.onerror = () => reject(new Error(`${OP}: opening the database failed: ${request.error?.message}`));
  });
}

/** Runs `body` in one transaction over both stores; resolves to its result once committed. */
async function transact<T>(
  mode: IDBTransactionMode,
  what: string,
  body: (models: IDBObjectStore, infos: IDBObjectStore) => () => T,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((done, reject) => {
      const tx = db.transaction([MODELS, INFOS], mode);
      let result: () => T;
      try {
        result = body(tx.objectStore(MODELS), tx.objectStore(INFOS));
      } catch (e) {
        tx.abort();
        reject(new Error(`${OP}: ${what} failed: ${(e as Error).message}`));
        return;
      }
      tx.oncomplete = () => {
        try {
          done(result());
        } catch (e) {
          reject(e);
        }
      };
      tx.onerror = tx.onabort = () => reject(new Error(`${OP}: ${what} failed: ${tx.error?.message ?? 'aborted'}`));
    });
  } finally {
    db.close();
  }
}

function checkPath(path: string): string {
  if (typeof path !== 'string' || path.length === 0) fail(OP, 'the model path must be a non-empty string');
  return path;
}

/** The handler for the model stored as `path`. */
export function browserIndexedDB(path: string): IOHandler {
  checkPath(path);
  async function save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const modelArtifactsInfo = artifactsInfo(OP, artifacts);
    const modelArtifacts = withJoinedWeights(artifacts);
    await transact('readwrite', `saving model '${path}'`, (models, infos) => {
      infos.put({ modelPath: path, modelArtifactsInfo });
      models.put({ modelPath: path, modelArtifacts, modelArtifactsInfo });
      return () => undefined;
    });
    return { modelArtifactsInfo };
  }
  async function load(): Promise<ModelArtifacts> {
    const record = await transact('readonly', `loading model '${path}'`, (models) => {
      const request = models.get(path);
      return () => request.result as { modelArtifacts: ModelArtifacts } | undefined;
    });
    if (record == null) fail(OP, `there is no model '${path}' in IndexedDB`);
    return record.modelArtifacts;
  }
  return { save, load };
}

/** The models in IndexedDB, by path. */
export async function listIndexedDB(): Promise<Record<string, ModelArtifactsInfo>> {
  const records = await transact('readonly', 'listing models', (_, infos) => {
    const request = infos.getAll();
    return () => request.result as { modelPath: string; modelArtifactsInfo: ModelArtifactsInfo }[];
  });
  return Object.fromEntries(records.map((r) => [r.modelPath, r.modelArtifactsInfo]));
}

/** Removes the model `path` from IndexedDB; resolves to its info. */
export async function removeIndexedDB(path: string): Promise<ModelArtifactsInfo> {
  checkPath(path);
  const info = await transact('readwrite', `removing model '${path}'`, (models, infos) => {
    const request = infos.get(path);
    request.onsuccess = () => {
      if (request.result == null) return;
      infos.delete(path);
      models.delete(path);
    };
    return () => (request.result as { modelArtifactsInfo: ModelArtifactsInfo } | undefined)?.modelArtifactsInfo;
  });
  if (info == null) fail(OP, `there is no model '${path}' in IndexedDB`);
  return info;
}
