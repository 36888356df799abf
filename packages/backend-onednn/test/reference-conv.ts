/**
 * Float64 brute-force convolution (NHWC, filter [KH, KW, IC/groups… as tfjs]),
 * with the gradients of L = Σ r ⊙ y: the independent reference for the oneDNN
 * kernels. Depthwise: groups = IC, filter [KH, KW, IC, M], output channel c·M + m.
 */
export interface RefConv {
  x: ArrayLike<number>;
  xShape: [number, number, number, number];
  w: ArrayLike<number>;
  kh: number;
  kw: number;
  outChannels: number;
  depthwise: boolean;
  stride: [number, number];
  dilation: [number, number];
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  /** Weights of the loss Σ r ⊙ y (shape of y). */
  r: Float32Array;
}

export function referenceConv(c: RefConv): { y: Float64Array; dx: Float64Array; dw: Float64Array } {
  const [n, h, wd, ic] = c.xShape;
  const oc = c.outChannels;
  const m = c.depthwise ? oc / ic : oc;
  const y = new Float64Array(n * c.outH * c.outW * oc);
  const dx = new Float64Array(c.x.length);
  const dw = new Float64Array(c.w.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < c.outH; oy++)
      for (let ox = 0; ox < c.outW; ox++)
        for (let co = 0; co < oc; co++) {
          const yi = ((b * c.outH + oy) * c.outW + ox) * oc + co;
          let acc = 0;
          for (let ky = 0; ky < c.kh; ky++) {
            const iy = oy * c.stride[0] + ky * c.dilation[0] - c.padTop;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < c.kw; kx++) {
              const ix = ox * c.stride[1] + kx * c.dilation[1] - c.padLeft;
              if (ix < 0 || ix >= wd) continue;
              const cis = c.depthwise ? [Math.floor(co / m)] : Array.from({ length: ic }, (_, i) => i);
              for (const ci of cis) {
                const xi = ((b * h + iy) * wd + ix) * ic + ci;
                const wi = c.depthwise ? ((ky * c.kw + kx) * ic + ci) * m + (co % m) : ((ky * c.kw + kx) * ic + ci) * oc + co;
                acc += c.x[xi]! * c.w[wi]!;
                dx[xi]! += c.r[yi]! * c.w[wi]!;
                dw[wi]! += c.r[yi]! * c.x[xi]!;
              }
            }
          }
          y[yi] = acc;
        }
  return { y, dx, dw };
}

/** max |a − b| / max(1, |b|∞). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / scale;
}
