/**
 * Float64 brute-force pooling (NHWC) with the gradients of L = Σ r ⊙ y, as
 * tfjs defines them: max routes r to the window's first maximum; average
 * divides by the in-bounds count forward, but by the full window KH·KW in the
 * gradient (tfjs's convention on every backend).
 */
export function referencePool(opts: {
  x: ArrayLike<number>;
  xShape: [number, number, number, number];
  k: [number, number];
  stride: [number, number];
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  kind: 'max' | 'avg';
  r: ArrayLike<number>;
}): { y: Float64Array; dx: Float64Array } {
  const [n, h, w, c] = opts.xShape;
  const y = new Float64Array(n * opts.outH * opts.outW * c);
  const dx = new Float64Array(opts.x.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < opts.outH; oy++)
      for (let ox = 0; ox < opts.outW; ox++)
        for (let ch = 0; ch < c; ch++) {
          const yi = ((b * opts.outH + oy) * opts.outW + ox) * c + ch;
          let best = -Infinity;
          let bestAt = -1;
          let sum = 0;
          let count = 0;
          const inside: number[] = [];
          for (let ky = 0; ky < opts.k[0]; ky++)
            for (let kx = 0; kx < opts.k[1]; kx++) {
              const iy = oy * opts.stride[0] + ky - opts.padTop;
              const ix = ox * opts.stride[1] + kx - opts.padLeft;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const xi = ((b * h + iy) * w + ix) * c + ch;
              inside.push(xi);
              const v = opts.x[xi]!;
              sum += v;
              count++;
              if (v > best) {
                best = v;
                bestAt = xi;
              }
            }
          if (opts.kind === 'max') {
            y[yi] = best;
            dx[bestAt]! += opts.r[yi]!;
          } else {
            y[yi] = sum / count;
            for (const xi of inside) dx[xi]! += opts.r[yi]! / (opts.k[0] * opts.k[1]);
          }
        }
  return { y, dx };
}
