/**
 * Independent plain-JavaScript (float64) reference implementations used by
 * the tests, written from the formulas, not from the tfjs code.
 */

export type Arr = ArrayLike<number>;

/** Gram of an [H,W,C] array given as flat row-major values. */
export function refGram(a: Arr, h: number, w: number, c: number): number[] {
  const g = new Array<number>(c * c).fill(0);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let k = 0; k < c; k++)
        for (let k2 = 0; k2 < c; k2++) g[k * c + k2]! += a[(i * w + j) * c + k]! * a[(i * w + j) * c + k2]!;
  return g;
}

export function refContent(ac: Arr, ag: Arr, n: number, form: 'normalized' | 'half-sum'): number {
  let s = 0;
  for (let i = 0; i < ac.length; i++) s += (ac[i]! - ag[i]!) ** 2;
  return form === 'normalized' ? s / (4 * n) : s / 2;
}

/** The formula, same-size layers: 1/(2·nH·nW·nC)² Σ (G(S) − G(G))². */
export function refStyleLayer(as: Arr, ag: Arr, h: number, w: number, c: number): number {
  const gs = refGram(as, h, w, c);
  const gg = refGram(ag, h, w, c);
  let s = 0;
  for (let i = 0; i < gs.length; i++) s += (gs[i]! - gg[i]!) ** 2;
  return s / (2 * h * w * c) ** 2;
}

export function refTV(x: Arr, h: number, w: number, c: number, power: 1 | 2): number {
  let s = 0;
  const f = (d: number) => (power === 2 ? d * d : Math.abs(d));
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let k = 0; k < c; k++) {
        const v = x[(i * w + j) * c + k]!;
        if (i + 1 < h) s += f(x[((i + 1) * w + j) * c + k]! - v);
        if (j + 1 < w) s += f(x[(i * w + j + 1) * c + k]! - v);
      }
  return s;
}

/** Central finite-difference gradient of f at x (float64). */
export function numericGrad(f: (x: Float64Array) => number, x: Arr, eps = 1e-5): Float64Array {
  const base = Float64Array.from(x);
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const v = base[i]!;
    base[i] = v + eps;
    const fp = f(base);
    base[i] = v - eps;
    const fm = f(base);
    base[i] = v;
    out[i] = (fp - fm) / (2 * eps);
  }
  return out;
}

/** Deterministic pseudo-random values in [-1, 1) (mulberry32). */
export function seeded(n: number, seed = 1): Float64Array {
  let t = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    out[i] = (((r ^ (r >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Max |a−b| relative to max(1, max |b|). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m / scale;
}
