import { InvalidArgumentError } from '@likeness/backends';

/** A 2-D point in pixels (x right, y down). */
export interface Point {
  /** Horizontal coordinate, pixels from the left edge. */
  readonly x: number;
  /** Vertical coordinate, pixels from the top edge. */
  readonly y: number;
}

/**
 * A similarity transform (rotation, uniform scale, translation):
 * x' = a·x − b·y + tx, y' = b·x + a·y + ty.
 */
export interface SimilarityTransform {
  /**
   * s·cos θ, for scale s and rotation angle θ (positive θ turns the x axis
   * towards the y axis: clockwise on screen, where y points down).
   */
  readonly a: number;
  /** s·sin θ, for the same scale s and angle θ; 0 when there is no rotation. */
  readonly b: number;
  /** Horizontal translation, in the target points' pixels. */
  readonly tx: number;
  /** Vertical translation, in the target points' pixels. */
  readonly ty: number;
}

/**
 * Least-squares similarity transform mapping `from[i]` onto `to[i]`
 * (Umeyama, no reflection). Needs ≥ 2 distinct points.
 *
 * @example
 * ```ts
 * const t = estimateSimilarity(template, landmarks); // 5 ↔ 5 points → {a, b, tx, ty}
 * applySimilarity(t, template[0]); // ≈ landmarks[0]
 * ```
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): SimilarityTransform {
  const fn = 'estimateSimilarity';
  if (!Array.isArray(from) || !Array.isArray(to) || from.length !== to.length || from.length < 2) {
    throw new InvalidArgumentError({ fn, argument: 'to', message: `expected two arrays of the same length ≥ 2, got ${from?.length} and ${to?.length}.` });
  }
  const n = from.length;
  let fx = 0, fy = 0, gx = 0, gy = 0;
  for (let i = 0; i < n; i++) {
    const p = from[i]!, q = to[i]!;
    if (![p.x, p.y, q.x, q.y].every(Number.isFinite)) {
      throw new InvalidArgumentError({ fn, argument: `points[${i}]`, message: 'contains a non-finite coordinate; check the detector output.' });
    }
    fx += p.x; fy += p.y; gx += q.x; gy += q.y;
  }
  fx /= n; fy /= n; gx /= n; gy /= n;
  let sxx = 0, sxy = 0, varF = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]!.x - fx, py = from[i]!.y - fy;
    const qx = to[i]!.x - gx, qy = to[i]!.y - gy;
    sxx += px * qx + py * qy; // Σ p·q
    sxy += px * qy - py * qx; // Σ p×q
    varF += px * px + py * py;
  }
  if (varF === 0) throw new InvalidArgumentError({ fn, argument: 'from', message: 'all points coincide; need at least two distinct landmarks.' });
  const a = sxx / varF;
  const b = sxy / varF;
  return { a, b, tx: gx - (a * fx - b * fy), ty: gy - (b * fx + a * fy) };
}

/**
 * Applies a {@link SimilarityTransform} to a point.
 *
 * @example
 * ```ts
 * applySimilarity({ a: 0, b: 1, tx: 0, ty: 0 }, { x: 1, y: 0 }); // { x: 0, y: 1 } (90°)
 * ```
 */
export function applySimilarity(t: SimilarityTransform, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}
