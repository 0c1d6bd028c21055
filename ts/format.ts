// Tensor values as text, in TensorFlow.js's layout: nested brackets, numbers padded to one width
// per tensor, and long axes cut to their first and last three entries.

/** Axes longer than this print only their ends. */
const AXIS_LIMIT = 20;
/** How many entries print at each end of a cut axis. */
const EDGE = 3;
/** Significant digits of a printed float. */
const DIGITS = 7;

/** One value as text: floats with up to 7 decimals, booleans as `true`/`false`. */
function valueText(v: number, dtype: string): string {
  if (dtype === 'bool') return v ? 'true' : 'false';
  if (dtype === 'int32' || !Number.isFinite(v)) return String(v);
  return String(Number.parseFloat(v.toFixed(DIGITS)));
}

/** The positions along an axis of `size` that print, with `null` where the cut goes. */
function shown(size: number): (number | null)[] {
  if (size <= AXIS_LIMIT) return Array.from({ length: size }, (_, i) => i);
  const head = Array.from({ length: EDGE }, (_, i) => i);
  const tail = Array.from({ length: EDGE }, (_, i) => size - EDGE + i);
  return [...head, null, ...tail];
}

/**
 * `values` (row-major) of `shape` as nested brackets, each line indented by four spaces as
 * TensorFlow.js prints them, e.g. `'    [[1, 2],\n     [3, 4]]'`. Every printed number is padded
 * to the widest one.
 */
export function formatValues(values: ArrayLike<number>, shape: number[], dtype: string): string {
  return valueLines(values, shape, dtype).map((l) => (l === '' ? l : `    ${l}`)).join('\n');
}

function valueLines(values: ArrayLike<number>, shape: number[], dtype: string): string[] {
  if (shape.length === 0) return [valueText(values[0], dtype)];
  if (shape.includes(0)) return ['[]'];
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  // The texts of the entries that print, to pad them all to one width.
  const texts = new Map<number, string>();
  const visit = (d: number, offset: number): void => {
    for (const i of shown(shape[d])) {
      if (i === null) continue;
      if (d === shape.length - 1) texts.set(offset + i, valueText(values[offset + i], dtype));
      else visit(d + 1, offset + i * strides[d]);
    }
  };
  visit(0, 0);
  const width = Math.max(0, ...Array.from(texts.values(), (t) => t.length));
  const cell = (index: number) => texts.get(index)!.padStart(width);

  const lines: string[] = [];
  const emit = (d: number, offset: number, closing: string): void => {
    const positions = shown(shape[d]);
    if (d === shape.length - 1) {
      const row = positions.map((i) => (i === null ? '...' : cell(offset + i))).join(', ');
      lines.push(`[${row}]${closing}`);
      return;
    }
    // Blocks of rank 3 and up are separated by blank lines, one fewer per level down.
    const gap = Math.max(0, shape.length - d - 2);
    positions.forEach((i, k) => {
      const first = k === 0;
      const last = k === positions.length - 1;
      const lead = first ? '[' : ' ';
      if (i === null) {
        lines.push(`${lead}...,`);
      } else {
        const start = lines.length;
        emit(d + 1, offset + i * strides[d], last ? `]${closing}` : ',');
        // The first line of a block carries this level's bracket; the rest align under it.
        lines[start] = lead + lines[start];
        for (let l = start + 1; l < lines.length; l++) if (lines[l] !== '') lines[l] = ` ${lines[l]}`;
      }
      if (!last) for (let g = 0; g < gap; g++) lines.push('');
    });
  };
  emit(0, 0, '');
  return lines;
}
