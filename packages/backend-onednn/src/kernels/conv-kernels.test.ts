import { InvalidArgumentError, ShapeError } from '@likeness/backends';
import '@likeness/backends/cpu';
import { expectNoLeaks, seededValues } from '@likeness/backends/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeOnOneDnn } from '../../test/availability';
import { referenceConv, relativeError } from '../../test/reference-conv';
import '../index';
import { loadOneDnn } from '../native';
import { callNative } from './native-call';

interface Case {
  name: string;
  x: [number, number, number, number];
  k: [number, number];
  outChannels: number;
  depthwise?: boolean;
  stride: [number, number];
  dilation?: [number, number];
  pad: 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
}

const CASES: Case[] = [
  { name: 'conv2d 3×3 stride 1 same', x: [2, 7, 6, 3], k: [3, 3], outChannels: 5, stride: [1, 1], pad: 'same' },
  { name: 'conv2d 3×3 stride 2 same (odd size)', x: [1, 9, 8, 4], k: [3, 3], outChannels: 6, stride: [2, 2], pad: 'same' },
  { name: 'conv2d 5×3 stride 2×1 valid', x: [1, 11, 7, 2], k: [5, 3], outChannels: 3, stride: [2, 1], pad: 'valid' },
  { name: 'conv2d 1×1 stride 1', x: [3, 4, 4, 8], k: [1, 1], outChannels: 16, stride: [1, 1], pad: 'valid' },
  { name: 'conv2d 3×3 dilation 2 same', x: [1, 9, 9, 3], k: [3, 3], outChannels: 4, stride: [1, 1], dilation: [2, 2], pad: 'same' },
  { name: 'conv2d 3×3 explicit padding', x: [1, 6, 7, 3], k: [3, 3], outChannels: 2, stride: [2, 2], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  // ≥ 16 channels in and out, stride 1: dx runs as a forward convolution with the flipped filter
  { name: 'conv2d 3×3 stride 1 same, 16→24 channels', x: [2, 6, 5, 16], k: [3, 3], outChannels: 24, stride: [1, 1], pad: 'same' },
  { name: 'conv2d 2×2 stride 1 same (asymmetric padding), 20→16', x: [1, 5, 6, 20], k: [2, 2], outChannels: 16, stride: [1, 1], pad: 'same' },
  { name: 'conv2d 3×3 stride 1 valid, 16→16', x: [1, 7, 6, 16], k: [3, 3], outChannels: 16, stride: [1, 1], pad: 'valid' },
  { name: 'conv2d 3×3 dilation 2 same, 16→17', x: [1, 8, 9, 16], k: [3, 3], outChannels: 17, stride: [1, 1], dilation: [2, 2], pad: 'same' },
  { name: 'conv2d 5×3 stride 1 explicit padding, 16→18', x: [1, 7, 6, 16], k: [5, 3], outChannels: 18, stride: [1, 1], pad: [[0, 0], [3, 1], [0, 2], [0, 0]] },
  // padding wider than the filter reaches: dx on oneDNN's backward-data kernel
  { name: 'conv2d 3×3 stride 1 padding 3, 16→16', x: [1, 5, 5, 16], k: [3, 3], outChannels: 16, stride: [1, 1], pad: [[0, 0], [3, 0], [1, 1], [0, 0]] },
  { name: 'depthwise ×1 3×3 stride 1 same', x: [2, 8, 8, 5], k: [3, 3], outChannels: 5, depthwise: true, stride: [1, 1], pad: 'same' },
  { name: 'depthwise ×2 3×3 stride 2 same', x: [1, 9, 7, 3], k: [3, 3], outChannels: 6, depthwise: true, stride: [2, 2], pad: 'same' },
  { name: 'depthwise ×1 5×5 stride 1 valid', x: [1, 9, 9, 4], k: [5, 5], outChannels: 4, depthwise: true, stride: [1, 1], pad: 'valid' },
];

function geometry(c: Case) {
  const dil = c.dilation ?? [1, 1];
  const eff = [(c.k[0] - 1) * dil[0] + 1, (c.k[1] - 1) * dil[1] + 1];
  const [, h, w] = c.x;
  if (c.pad === 'same') {
    const outH = Math.ceil(h / c.stride[0]);
    const outW = Math.ceil(w / c.stride[1]);
    const padH = Math.max((outH - 1) * c.stride[0] + eff[0]! - h, 0);
    const padW = Math.max((outW - 1) * c.stride[1] + eff[1]! - w, 0);
    return { outH, outW, padTop: Math.floor(padH / 2), padLeft: Math.floor(padW / 2) };
  }
  if (c.pad === 'valid') {
    return { outH: Math.ceil((h - eff[0]! + 1) / c.stride[0]), outW: Math.ceil((w - eff[1]! + 1) / c.stride[1]), padTop: 0, padLeft: 0 };
  }
  const [, [t, b], [l, r]] = c.pad;
  return {
    outH: Math.floor((h + t + b - eff[0]!) / c.stride[0]) + 1,
    outW: Math.floor((w + l + r - eff[1]!) / c.stride[1]) + 1,
    padTop: t,
    padLeft: l,
  };
}

describeOnOneDnn('oneDNN convolution kernels against a float64 brute force', () => {

  for (const [i, c] of CASES.entries()) {
    it(`${c.name}: forward, dx and dW`, () => {
      const wShape: [number, number, number, number] = c.depthwise
        ? [c.k[0], c.k[1], c.x[3], c.outChannels / c.x[3]]
        : [c.k[0], c.k[1], c.x[3], c.outChannels];
      const xv = seededValues(c.x.reduce((a, b) => a * b), 100 + i);
      const wv = seededValues(wShape.reduce((a, b) => a * b), 200 + i);
      const g = geometry(c);
      const r = seededValues(c.x[0] * g.outH * g.outW * c.outChannels, 300 + i);
      const ref = referenceConv({
        x: xv, xShape: c.x, w: wv, kh: c.k[0], kw: c.k[1], outChannels: c.outChannels, depthwise: !!c.depthwise,
        stride: c.stride, dilation: c.dilation ?? [1, 1], ...g, r,
      });
      const before = loadOneDnn().cacheSize();
      const [y, dx, dw, dx2, dx3] = tf.tidy(() => {
        const x = tf.tensor4d(xv, c.x);
        const w = tf.tensor4d(wv, wShape);
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          c.depthwise
            ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad as 'same', 'NHWC', c.dilation ?? 1)
            : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1);
        const grad = () => tf.grads((a, b) => tf.sum(tf.mul(f(a!, b!), tf.tensor(r, [c.x[0], g.outH, g.outW, c.outChannels]))))([x, w]);
        // three times: a filter's second input gradient runs as a forward convolution with the flipped
        // filter (stride 1), made then; the third reuses the cached flip and its weights cache
        return [f(x, w), ...grad(), grad()[0]!, grad()[0]!].map((t) => t.dataSync());
      });
      expect(relativeError(y!, ref.y)).toBeLessThan(1e-5);
      expect(relativeError(dx!, ref.dx)).toBeLessThan(1e-5);
      expect(relativeError(dx2!, ref.dx)).toBeLessThan(1e-5);
      expect(relativeError(dx3!, ref.dx)).toBeLessThan(1e-5);
      expect(relativeError(dw!, ref.dw)).toBeLessThan(1e-5);
      // The forward ran on oneDNN (a primitive was created), not on the cpu fallback.
      expect(loadOneDnn().cacheSize()).toBeGreaterThan(before);
    });
  }

  it('fuses bias + relu / relu6 into the convolution (FusedConv2D)', () => {
    const x = tf.tensor4d(seededValues(2 * 6 * 6 * 3, 1, -2, 2), [2, 6, 6, 3]);
    const w = tf.tensor4d(seededValues(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    const bias = tf.tensor1d([0.5, -0.25, 3, -1]);
    const g = { outH: 6, outW: 6, padTop: 1, padLeft: 1 };
    const ref = referenceConv({
      x: x.dataSync(), xShape: [2, 6, 6, 3], w: w.dataSync(), kh: 3, kw: 3, outChannels: 4, depthwise: false,
      stride: [1, 1], dilation: [1, 1], ...g, r: new Float32Array(2 * 36 * 4),
    });
    const withBias = ref.y.map((v, j) => v + [0.5, -0.25, 3, -1][j % 4]!);
    for (const [activation, act] of [
      ['linear', (v: number) => v],
      ['relu', (v: number) => Math.max(v, 0)],
      ['relu6', (v: number) => Math.min(Math.max(v, 0), 6)],
    ] as const) {
      const y = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias, activation });
      expect(relativeError(y.dataSync(), withBias.map(act)), activation).toBeLessThan(1e-5);
      y.dispose();
    }
    // An activation oneDNN does not fuse runs on the cpu kernel, correctly.
    const y = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias, activation: 'elu' });
    expect(relativeError(y.dataSync(), withBias.map((v) => (v > 0 ? v : Math.exp(v) - 1)))).toBeLessThan(1e-5);
    tf.dispose([x, w, bias, y]);
  });

  it('reuses its cached primitives: a repeated shape creates none', () => {
    const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
    tf.dispose(tf.conv2d(x, w, 1, 'same'));
    const size = loadOneDnn().cacheSize();
    const y = tf.conv2d(x, w, 1, 'same');
    expect(loadOneDnn().cacheSize()).toBe(size);
    // Corners see 2×2 taps of 2 channels (8), edges 2×3 (12), the inside 3×3 (18).
    expect(Array.from(y.dataSync()).slice(0, 6)).toEqual([8, 8, 12, 12, 12, 12]);
    tf.dispose([x, w, y]);
  });

  it('leaks no tensors through forward and both gradients', async () => {
    const x = tf.randomNormal([1, 8, 8, 4]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 4]) as tf.Tensor4D;
    await expectNoLeaks(() => {
      const [dx, dw] = tf.grads((a, b) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, w]);
      tf.dispose([dx!, dw!]);
    });
    tf.dispose([x, w]);
  });

  it('refuses a non-float32 tensor with InvalidArgumentError naming the argument', () => {
    const x = tf.ones([1, 4, 4, 1], 'int32');
    const w = tf.ones([1, 1, 1, 1], 'float32');
    const error = (() => {
      try {
        tf.engine().runKernel('Conv2D', { x, filter: w }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe('x');
    expect((error as Error).message).toMatch(/int32.*tf\.cast\(x, 'float32'\)/);
    tf.dispose([x, w]);
  });

  it('turns arrays that do not match the shapes into ShapeError / InvalidArgumentError, without crashing', () => {
    const addon = loadOneDnn();
    const p = Int32Array.of(1, 4, 4, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    const short = () => addon.conv2dForward(new Float32Array(15), new Float32Array(9), new Float32Array(16), p);
    const e1 = (() => { try { callNative('Conv2D', short); } catch (e) { return e; } })();
    expect(ShapeError.isInstance(e1)).toBe(true);
    expect((e1 as Error).message).toMatch(/x holds 15 values, expected 16/);
    const wrongType = () => addon.conv2dForward(new Float64Array(16) as unknown as Float32Array, new Float32Array(9), new Float32Array(16), p);
    const e2 = (() => { try { callNative('Conv2D', wrongType); } catch (e) { return e; } })();
    expect(InvalidArgumentError.isInstance(e2)).toBe(true);
    const badParams = () => addon.conv2dForward(new Float32Array(16), new Float32Array(9), new Float32Array(16), Int32Array.of(1, 2));
    expect(() => callNative('Conv2D', badParams)).toThrow(/params must hold 18 integers/);
    // Inconsistent output size: oneDNN itself refuses (invalid arguments), still a typed error.
    const inconsistent = Int32Array.of(1, 4, 4, 1, 9, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    const e3 = (() => { try { callNative('Conv2D', () => addon.conv2dForward(new Float32Array(16), new Float32Array(9), new Float32Array(36), inconsistent)); } catch (e) { return e; } })();
    expect(ShapeError.isInstance(e3)).toBe(true);
    expect((e3 as Error).message).toMatch(/oneDNN/);
  });

  it('runs NCHW convolutions on the cpu kernel, correctly', () => {
    const x = tf.tensor4d(seededValues(1 * 2 * 5 * 5, 7), [1, 2, 5, 5]);
    const w = tf.tensor4d(seededValues(3 * 3 * 2 * 3, 8), [3, 3, 2, 3]);
    const nchw = tf.conv2d(x, w, 1, 'same', 'NCHW');
    const nhwc = tf.transpose(tf.conv2d(tf.transpose(x, [0, 2, 3, 1]), w, 1, 'same', 'NHWC'), [0, 3, 1, 2]);
    expect(relativeError(nchw.dataSync(), nhwc.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, w, nchw, nhwc]);
  });
});
