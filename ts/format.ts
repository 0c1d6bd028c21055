// Tensor values as text, laid out as TensorFlow.js prints them (nested brackets indented by four
// spaces, axes longer than 20 cut to their first and last three entries, blank lines between blocks
// of rank 3 and up), with the numbers aligned right to one width, as NumPy and PyTorch align them.

/** Axes longer than this print only their ends. */
const AXIS_LIMIT = 20;
/** How many entries print at each end of a cut axis. */
export const EDGE = 3;
/** Decimals of a printed float, at most (trailing zeros dropped). */
const DECIMALS = 7;

/** The axes of `shape` that print cut to their ends. */
export function cutAxes(shape: number[]): number[] {
  return shape.flatMap((size, axis) => (size > AXIS_LIMIT ? [axis] : []));
}

/** One value as text: floats with up to 7 decimals, booleans as `true`/`false`. */
function valueText(v: number, dtype: string): string {
  if (dtype === 'bool') return v ? 'true' : 'false';
  if (dtype === 'int32' || !Number.isFinite(v)) return String(v);
  return String(Number.parseFloat(v.toFixed(DECIMALS)));
}

/**
 * The positions along an axis of `size` that print, each with its index in the printed part (where a
 * cut axis keeps only its ends), and `null` where the cut goes.
 */
function shown(size: number): ([number, number] | null)[] {
  if (size <= AXIS_LIMIT) return Array.from({ length: size }, (_, i) => [i, i]);
  const ends = Array.from({ length: EDGE }, (_, i): [number, number] => [i, i]);
  const tail = Array.from({ length: EDGE }, (_, i): [number, number] => [size - EDGE + i, EDGE + i]);
  return [...ends, null, ...tail];
}

/**
 * A tensor of `shape` as nested brackets, each line indented by four spaces, e.g.
 * `'    [[1, 2],\n     [3, 4]]'`. `values` are the printed part's (row-major): the whole tensor, or
 * with every axis in {@link cutAxes} cut to its first and last {@link EDGE} entries.
 */
export function formatValues(values: ArrayLike<number>, shape: number[], dtype: string): string {
  return valueLines(values, shape, dtype)
    .map((l) => (l === '' ? l : `    ${l}`))
    .join('\n');
}

function valueLines(values: ArrayLike<number>, shape: number[], dtype: string): string[] {
  if (shape.length === 0) return [valueText(values[0], dtype)];
  if (shape.includes(0)) return ['[]'];
  const part = shape.map((size) => (size > AXIS_LIMIT ? 2 * EDGE : size));
  const strides = part.map((_, d) => part.slice(d + 1).reduce((a, b) => a * b, 1));
  const text = Array.from(values, (v) => valueText(v, dtype));
  let width = 0;
  for (const t of text) width = Math.max(width, t.length);

  const lines: string[] = [];
  const emit = (d: number, offset: number, closing: string): void => {
    const positions = shown(shape[d]);
    if (d === shape.length - 1) {
      const row = positions.map((p) => (p === null ? '...' : text[offset + p[1]].padStart(width))).join(', ');
      lines.push(`[${row}]${closing}`);
      return;
    }
    // Blocks of rank 3 and up are separated by blank lines, one fewer per level down.
    const gap = Math.max(0, shape.length - d - 2);
    positions.forEach((p, k) => {
      const last = k === positions.length - 1;
      const lead = k === 0 ? '[' : ' ';
      if (p === null) {
        lines.push(`${lead}...,`);
      } else {
        const start = lines.length;
        emit(d + 1, offset + p[1] * strides[d], last ? `]${closing}` : ',');
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
