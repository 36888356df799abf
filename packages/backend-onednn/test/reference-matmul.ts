/**
 * Float64 brute-force batched matrix product with tfjs's semantics: the last two
 * axes are the matrices (read transposed when asked), the batch axes broadcast
 * numpy-style. The independent reference for the oneDNN matmul kernels.
 */
export function referenceMatMul(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  transposeA = false,
  transposeB = false,
): { y: Float64Array; shape: number[] } {
  const rank = Math.max(aShape.length, bShape.length);
  const pad = (s: readonly number[]) => [...Array<number>(rank - s.length).fill(1), ...s];
  const da = pad(aShape);
  const db = pad(bShape);
  const m = transposeA ? da[rank - 1]! : da[rank - 2]!;
  const k = transposeA ? da[rank - 2]! : da[rank - 1]!;
  const n = transposeB ? db[rank - 2]! : db[rank - 1]!;
  const outer = da.slice(0, -2).map((d, i) => Math.max(d, db[i]!));
  const batches = outer.reduce((p, q) => p * q, 1);
  const y = new Float64Array(batches * m * n);
  // Offset of a batch index (flat over `outer`) in an operand whose batch axes may be 1.
  const batchOffset = (flat: number, dims: number[]) => {
    let offset = 0;
    let stride = dims[rank - 2]! * dims[rank - 1]!;
    for (let i = rank - 3; i >= 0; i--) {
      const idx = flat % outer[i]!;
      flat = Math.floor(flat / outer[i]!);
      offset += (dims[i] === 1 ? 0 : idx) * stride;
      stride *= dims[i]!;
    }
    return offset;
  };
  for (let bi = 0; bi < batches; bi++) {
    const oa = batchOffset(bi, da);
    const ob = batchOffset(bi, db);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[oa + (transposeA ? p * m + i : i * k + p)]!;
          const bv = b[ob + (transposeB ? j * k + p : p * n + j)]!;
          s += av * bv;
        }
        y[(bi * m + i) * n + j] = s;
      }
  }
  return { y, shape: [...outer, m, n] };
}
