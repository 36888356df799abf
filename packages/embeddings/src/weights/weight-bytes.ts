import type * as tf from '@tensorflow/tfjs-core';

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** @internal Bytes the weight data must hold for these specs (quantisation aware). */
export function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const s of specs) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const dt = s.quantization?.dtype ?? s.dtype;
    const b = DTYPE_BYTES[dt];
    if (b === undefined) throw new Error(`weight "${s.name}" has unsupported dtype ${String(dt)}`);
    total += size * b;
  }
  return total;
}

/** @internal Byte length of tf.io WeightData (one buffer or several). */
export function weightDataBytes(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((a: number, b: ArrayBuffer) => a + b.byteLength, 0);
  return -1;
}

/** @internal One ArrayBuffer from tf.io WeightData. */
export function joinWeightData(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  const out = new Uint8Array(weightDataBytes(data));
  let o = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out.buffer;
}
