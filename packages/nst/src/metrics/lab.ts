/** sRGB (gamma-encoded, [0,1]) → CIE L*a*b* (D65 white), in place over RGB triples. */
export function srgbToLab(rgb: Float64Array): Float64Array {
  const out = new Float64Array(rgb.length);
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const d = 6 / 29;
  const f = (t: number) => (t > d ** 3 ? Math.cbrt(t) : t / (3 * d * d) + 4 / 29);
  for (let i = 0; i < rgb.length; i += 3) {
    const r = lin(rgb[i]!);
    const g = lin(rgb[i + 1]!);
    const b = lin(rgb[i + 2]!);
    const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
    const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
    const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
    const fy = f(y);
    out[i] = 116 * fy - 16;
    out[i + 1] = 500 * (f(x) - fy);
    out[i + 2] = 200 * (fy - f(z));
  }
  return out;
}

/** Mean [3] and (population) covariance [3][3] of triples. */
export function moments3(v: Float64Array): { mean: number[]; cov: number[][] } {
  const n = v.length / 3;
  const mean = [0, 0, 0];
  for (let i = 0; i < v.length; i += 3) for (let k = 0; k < 3; k++) mean[k]! += v[i + k]!;
  for (let k = 0; k < 3; k++) mean[k]! /= n;
  const cov = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < v.length; i += 3) {
    for (let a = 0; a < 3; a++) for (let b = a; b < 3; b++) cov[a]![b]! += (v[i + a]! - mean[a]!) * (v[i + b]! - mean[b]!);
  }
  for (let a = 0; a < 3; a++) for (let b = a; b < 3; b++) cov[b]![a] = cov[a]![b]! /= n;
  return { mean, cov };
}
