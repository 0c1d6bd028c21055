// Layer configs between the TF.js Layers format (Keras's snake_case JSON) and the factories'
// options (TensorFlow.js's camelCase), both ways, as TF.js 4.22's convertPythonicToTs and
// convertTsToPythonic do: keys and string values change case, except names.
import { INITIALIZERS } from '../../names.js';
import type { InitializerName } from '../../names.js';
import { describe, fail } from '../../validate.js';

/** `channels_last` → `channelsLast` (TF.js's toCamelCase). */
export const toCamel = (s: string): string => s.replace(/_+(\w|$)/g, (_, c: string) => c.toUpperCase());

/** `channelsLast` → `channels_last`, `hardSigmoid` → `hard_sigmoid` (TF.js's toSnakeCase). */
export const toSnake = (s: string): string =>
  s
    .replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();

/** Keys of a layer's config that are not factory options: read apart, or without effect here. */
const NOT_OPTIONS = new Set([
  'name',
  'trainable',
  'dtype',
  'batchInputShape',
  'batchShape',
  'batchSize',
  'inputDtype',
  'sparse',
  'ragged',
  'autocast',
]);

/** The keys of regularizers and constraints: they act on training only, and are not supported. */
const TRAINING_ONLY = /(Regularizer|Constraint)$/;

/** The initializer an `{class_name, config}` object (or a name) stands for, when webgrad has it. */
export function initializerName(v: unknown): InitializerName | undefined {
  const known = (name: string) => (INITIALIZERS as readonly string[]).includes(name);
  if (typeof v === 'string') {
    const name = toCamel(v);
    return known(name) ? (name as InitializerName) : undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const { class_name: className, config } = v as { class_name?: unknown; config?: Record<string, unknown> };
  if (typeof className !== 'string' || className.length === 0) return undefined;
  if (className === 'VarianceScaling' && config !== null && typeof config === 'object') {
    const mode = toCamel(String(config.mode));
    const normal = String(config.distribution) !== 'uniform';
    const family =
      config.scale === 1 && mode === 'fanAvg'
        ? 'glorot'
        : config.scale === 2 && mode === 'fanIn'
          ? 'he'
          : config.scale === 1 && mode === 'fanIn'
            ? 'leCun'
            : null;
    return family ? (`${family}${normal ? 'Normal' : 'Uniform'}` as InitializerName) : undefined;
  }
  const name = className.replace(/^Lecun/, 'LeCun');
  const lower = name[0].toLowerCase() + name.slice(1);
  return known(lower) ? (lower as InitializerName) : undefined;
}

/** A config value in TensorFlow.js's spelling: strings camelCase, lists and maps converted inside. */
function camelValue(v: unknown, depth = 0): unknown {
  if (depth > 16) fail('loadLayersModel', 'a layer config is nested more than 16 levels deep');
  if (typeof v === 'string') return toCamel(v);
  if (Array.isArray(v)) return v.map((x) => camelValue(x, depth + 1));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[toCamel(k)] = camelValue(x, depth + 1);
    return out;
  }
  return v;
}

/** An activation: a name, or Keras 3's `{class_name: 'function', config: 'relu'}` object. */
function activationValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const { config, class_name: className } = v as { config?: unknown; class_name?: unknown };
    return camelValue(typeof config === 'string' ? config : className);
  }
  return camelValue(v);
}

/** What a layer entry of the file says beyond its options. */
export interface LayerHeader {
  name: string;
  trainable: boolean;
  /** The sample shape of `batch_input_shape` (Keras 2) or `batch_shape` (Keras 3). */
  inputShape?: number[];
}

/** The factory options of a layer config from the file, and what it says beyond them. */
export function optionsFrom(
  layer: string,
  config: unknown,
): { options: Record<string, unknown>; header: Omit<LayerHeader, 'name'>; ignored: string[] } {
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    fail('loadLayersModel', `layer '${layer}': config must be an object, got ${describe(config)}`);
  const raw = config as Record<string, unknown>;
  const options: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [snake, value] of Object.entries(raw)) {
    const key = toCamel(snake);
    if (value === null || value === undefined || NOT_OPTIONS.has(key)) continue;
    if (TRAINING_ONLY.test(key)) {
      ignored.push(snake);
      continue;
    }
    if (key.endsWith('Initializer')) {
      const name = initializerName(value);
      if (name) options[key] = name;
      continue;
    }
    options[key] = key === 'activation' ? activationValue(value) : camelValue(value);
  }
  const shape = raw.batch_input_shape ?? raw.batch_shape;
  let inputShape: number[] | undefined;
  if (shape !== undefined && shape !== null) {
    if (!Array.isArray(shape) || shape.length < 2)
      fail('loadLayersModel', `layer '${layer}': batch_input_shape must be [null, ...sizes], got ${describe(shape)}`);
    // A layer's own shape is a hint TF.js keeps; one with unknown sizes (`null`) gives none.
    const sample = shape.slice(1);
    if (sample.every((d) => typeof d === 'number')) inputShape = sample as number[];
  }
  if (raw.trainable !== undefined && typeof raw.trainable !== 'boolean')
    fail('loadLayersModel', `layer '${layer}': trainable must be a boolean, got ${describe(raw.trainable)}`);
  return { options, header: { trainable: raw.trainable !== false, inputShape }, ignored };
}

/** A config value in Keras's spelling: strings snake_case, lists and maps converted inside. */
function snakeValue(v: unknown): unknown {
  if (typeof v === 'string') return toSnake(v);
  if (Array.isArray(v)) return v.map(snakeValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[toSnake(k)] = snakeValue(x);
    return out;
  }
  return v;
}

/** A layer's config for the file from its factory options, name and flags. */
export function configFrom(options: Readonly<Record<string, unknown>>, header: LayerHeader): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || key === 'name' || key === 'inputShape') continue;
    config[toSnake(key)] = snakeValue(value);
  }
  if (header.inputShape) config.batch_input_shape = [null, ...header.inputShape];
  config.name = header.name;
  config.trainable = header.trainable;
  return config;
}
