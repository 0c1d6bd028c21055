// fit's callbacks and History, as in TensorFlow.js.

/** Logs passed to callbacks: `loss`, metrics (`acc`, …) and `val_*` at epoch end. */
export type Logs = Record<string, number>;

/** Hooks `fit` calls; each may return a promise, which `fit` awaits. */
export interface CustomCallbackArgs {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  /** Having this hook makes `fit` read each batch's loss back (asynchronously). */
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
}

/** Something that can stop training: the model `fit` runs on. */
export interface Stoppable {
  stopTraining: boolean;
}

/** A callback object; `setModel` is called before training. */
export interface Callback extends CustomCallbackArgs {
  setModel?(model: Stoppable): void;
}

/** What `fit` returns: per-epoch logs. */
export class History {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};

  /** @internal */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}

/** Options of `wg.callbacks.earlyStopping`. */
export interface EarlyStoppingArgs {
  /** The log to watch; default `'val_loss'`. */
  monitor?: string;
  /** Improvements smaller than this do not count. */
  minDelta?: number;
  /** Epochs without improvement before stopping. */
  patience?: number;
  /** Whether smaller is better; `'auto'` picks from the name (accuracy: larger). */
  mode?: 'auto' | 'min' | 'max';
}

/**
 * Stops `fit` when `monitor` stops improving (TensorFlow.js's `tf.callbacks.earlyStopping`).
 *
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 100, validationSplit: 0.2, callbacks: [wg.callbacks.earlyStopping({ patience: 2 })] });
 * ```
 */
export function earlyStopping(args: EarlyStoppingArgs = {}): Callback {
  const monitor = args.monitor ?? 'val_loss';
  const larger = args.mode === 'max' || (args.mode !== 'min' && /acc/.test(monitor));
  const minDelta = Math.abs(args.minDelta ?? 0);
  let best = larger ? -Infinity : Infinity;
  let wait = 0;
  let model: Stoppable | null = null;
  return {
    setModel(m) {
      model = m;
    },
    onTrainBegin() {
      best = larger ? -Infinity : Infinity;
      wait = 0;
    },
    onEpochEnd(_epoch, logs) {
      const value = logs?.[monitor];
      if (value === undefined) return;
      const improved = larger ? value - minDelta > best : value + minDelta < best;
      if (improved) {
        best = value;
        wait = 0;
        return;
      }
      wait += 1;
      if (wait > (args.patience ?? 0) - 1 && model) model.stopTraining = true;
    },
  };
}

/** Calls every callback's hook in order, awaiting each. */
export async function callAll<K extends keyof CustomCallbackArgs>(
  callbacks: Callback[],
  hook: K,
  ...args: Parameters<NonNullable<CustomCallbackArgs[K]>>
): Promise<void> {
  for (const c of callbacks) {
    const f = c[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
    if (f) await f.apply(c, args);
  }
}
