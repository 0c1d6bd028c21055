// What both front doors need of a Rust layer (`Layer` in the wasm module): its tensors as TS tensors.
import { Tensor } from './tensor.js';
import { keep } from './memory.js';

/** @internal Tensors of a Rust layer as unscoped, kept TS tensors by name. */
export function layerTensors(
  names: string[],
  list: { length: number; get(i: number): unknown; free(): void },
): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  for (let i = 0; i < list.length; i++) out.push([names[i], keep(Tensor.fromHandle(list.get(i) as never, false))]);
  list.free();
  return out;
}
