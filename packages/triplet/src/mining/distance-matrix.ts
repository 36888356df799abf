import { describeValue, InvalidArgumentError, ShapeError } from '@likeness/backends';

/**
 * @internal Checks a row-major N×N distance matrix given as a flat array
 * (Float32Array from `dataSync()`, or a number[]), or as number[][].
 */
export function flatDistances(distances: unknown, n: number, fn: string): ArrayLike<number> {
  if (Array.isArray(distances) && Array.isArray(distances[0])) {
    const rows = distances as number[][];
    if (rows.length !== n || rows.some((r) => r.length !== n)) {
      throw new ShapeError({ fn, argument: 'distances', expected: `an N×N matrix with N = labels.length = ${n}`, actual: [rows.length, rows[0]!.length] });
    }
    return rows.flat();
  }
  if (distances == null || typeof distances !== 'object' || typeof (distances as ArrayLike<number>).length !== 'number') {
    throw new InvalidArgumentError({ fn, argument: 'distances', message: `expected a flat row-major N×N array or number[][], got ${describeValue(distances)}.` });
  }
  const d = distances as ArrayLike<number>;
  if (d.length !== n * n) {
    throw new ShapeError({ fn, argument: 'distances', expected: `N×N = ${n * n} values (N = labels.length = ${n})`, actual: [d.length] });
  }
  return d;
}
