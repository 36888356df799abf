import { InvalidArgumentError } from '@likeness/backends';
import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn } from '../../test/availability';
import { referenceConv, relativeError } from '../../test/reference-conv';
import '../index';
import { loadOneDnn, type WeightsCache } from '../native';
import { callNative } from './native-call';

/** params of a 3×3 stride-1 'same' convolution of [n, h, w, cin] into cout channels (convParams' layout). */
function params(n: number, h: number, w: number, cin: number, cout: number): Int32Array {
  return Int32Array.of(n, h, w, cin, h, w, cout, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
}

/** The float64 reference of that convolution. */
function reference(x: Float32Array, n: number, h: number, w: number, cin: number, wv: Float32Array, cout: number): Float64Array {
  return referenceConv({
    x, xShape: [n, h, w, cin], w: wv, kh: 3, kw: 3, outChannels: cout, depthwise: false,
    stride: [1, 1], dilation: [1, 1], outH: h, outW: w, padTop: 1, padLeft: 1, r: new Float32Array(n * h * w * cout),
  }).y;
}

describeOnOneDnn('the weights cache (a filter kept in the layouts oneDNN wants)', () => {
  // 32 → 32 channels: oneDNN wants blocked weights, so every call without a cache reorders them.
  const [h, w, cin, cout] = [6, 5, 32, 32];

  it('gives the results of the uncached call, across batch sizes (one layout each) and repeated calls', () => {
    const addon = loadOneDnn();
    const wv = seededValues(9 * cin * cout, 1);
    const cache = addon.newWeightsCache();
    for (const [i, n] of [1, 4, 1, 4, 2].entries()) {
      const x = seededValues(n * h * w * cin, 10 + i);
      const cached = new Float32Array(n * h * w * cout);
      const plain = new Float32Array(n * h * w * cout);
      addon.conv2dForward(x, wv, cached, params(n, h, w, cin, cout), null, 0, cache);
      addon.conv2dForward(x, wv, plain, params(n, h, w, cin, cout), null, 0, null);
      expect(relativeError(cached, reference(x, n, h, w, cin, wv, cout)), `batch ${n}`).toBeLessThan(1e-5);
      expect(Array.from(cached)).toEqual(Array.from(plain));
    }
  });

  it('serves the input gradient too, and starts afresh when handed another array', () => {
    const addon = loadOneDnn();
    const cache = addon.newWeightsCache();
    const p = params(2, h, w, cin, cout);
    const dy = seededValues(2 * h * w * cout, 3);
    const dx = (wv: Float32Array, c: WeightsCache | null) => {
      const out = new Float32Array(2 * h * w * cin);
      addon.conv2dBackwardData(dy, wv, out, p, c);
      return Array.from(out);
    };
    const a = seededValues(9 * cin * cout, 4);
    const b = seededValues(9 * cin * cout, 5);
    expect(dx(a, cache)).toEqual(dx(a, null));
    expect(dx(a, cache)).toEqual(dx(a, null));
    // Another array under the same cache (what a reused buffer would look like): its own values, not a's.
    expect(dx(b, cache)).toEqual(dx(b, null));
    expect(dx(b, cache)).not.toEqual(dx(a, null));
  });

  it('a filter tensor used again gives the same outputs as its first use (forward, fused, input gradient)', async () => {
    const x = tf.tensor4d(seededValues(3 * h * w * cin, 6), [3, h, w, cin]);
    const filter = tf.tensor4d(seededValues(9 * cin * cout, 7), [3, 3, cin, cout]);
    const bias = tf.tensor1d(seededValues(cout, 8));
    const dy = tf.tensor4d(seededValues(3 * h * w * cout, 9), [3, h, w, cout]);
    const run = () => tf.tidy(() => [
      tf.conv2d(x, filter, 1, 'same'),
      tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' }),
      tf.conv2dTranspose(dy, filter, [3, h, w, cin], 1, 'same'),
    ].map((t) => Array.from(t.dataSync())));
    const first = run();
    const ref = reference(x.dataSync() as Float32Array, 3, h, w, cin, filter.dataSync() as Float32Array, cout);
    expect(relativeError(Float32Array.from(first[0]!), ref)).toBeLessThan(1e-5);
    for (let i = 0; i < 3; i++) {
      const again = run();
      expect(again.slice(0, 2)).toEqual(first.slice(0, 2));
      // From its second use the input gradient runs as a forward convolution with the flipped filter: equal to rounding.
      expect(relativeError(Float32Array.from(again[2]!), Float32Array.from(first[2]!))).toBeLessThan(1e-5);
    }
    await expectNoLeaks(() => run());
    tf.dispose([x, filter, bias, dy]);
  });

  it('refuses anything but a cache from newWeightsCache(), with a typed error', () => {
    const addon = loadOneDnn();
    const p = params(1, h, w, cin, cout);
    const call = (c: unknown) => () =>
      addon.conv2dForward(new Float32Array(h * w * cin), new Float32Array(9 * cin * cout), new Float32Array(h * w * cout), p, null, 0, c as WeightsCache);
    for (const bad of [{}, 3, 'cache']) {
      const error = (() => { try { callNative('Conv2D', call(bad)); } catch (e) { return e; } })();
      expect(InvalidArgumentError.isInstance(error), String(bad)).toBe(true);
      expect((error as Error).message).toMatch(/newWeightsCache/);
    }
  });
});
