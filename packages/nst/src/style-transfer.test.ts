import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { createStyleTransfer } from './style-transfer';
import { styleTransfer } from './run-style-transfer';
import { ImageTooLargeError } from './errors/image-too-large-error';
import { rgbToYiq } from './internal/color';
import { gradientImage, tinyExtractor } from './__fixtures__/tiny-extractor';
import type { FeatureExtractor } from './feature-extractor';

let ex: FeatureExtractor;
let content: tf.Tensor4D;
let style: tf.Tensor4D;
let style2: tf.Tensor4D;

beforeAll(async () => {
  await useBackend('cpu');
  ex = tinyExtractor();
  content = gradientImage(16, 20);
  style = gradientImage(24, 24, 2);
  style2 = tf.tidy(() => tf.sub(1, gradientImage(12, 16, 1)) as tf.Tensor4D);
});
afterAll(() => {
  ex.dispose();
  tf.dispose([content, style, style2]);
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('createStyleTransfer', () => {
  it('decreases the loss with Adam and with L-BFGS', async () => {
    for (const optimizer of ['adam', 'lbfgs'] as const) {
      const t = createStyleTransfer({ extractor: ex, content, styles: [style], optimizer, init: 'noise', seed: 3 });
      const { image, history } = await t.run({ iterations: 15 });
      expect(image.shape).toEqual([1, 16, 20, 3]);
      const first = history[0]!.loss;
      const last = history.at(-1)!.loss;
      expect(last).toBeLessThan(first * 0.7);
      const px = image.dataSync();
      expect(Math.min(...px)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...px)).toBeLessThanOrEqual(1);
      image.dispose();
      t.dispose();
    }
  });

  it('reports content, style and TV parts that sum to the loss', () => {
    const t = createStyleTransfer({ extractor: ex, content, styles: [style], init: 'mix', tvWeight: 5 });
    const r = t.step();
    expect(r.content + r.style + r.tv).toBeCloseTo(r.loss, 4);
    expect(r.tv).toBeGreaterThan(0);
    t.dispose();
  });

  it('starts from the content, seeded noise, or a mix', () => {
    const a = createStyleTransfer({ extractor: ex, content, styles: [style], init: 'content', initColors: 'content' });
    const ia = a.image();
    expect(Array.from(ia.dataSync())).toEqual(Array.from(content.dataSync()));
    const n1 = createStyleTransfer({ extractor: ex, content, styles: [style], init: 'noise', seed: 5 });
    const n2 = createStyleTransfer({ extractor: ex, content, styles: [style], init: 'noise', seed: 5 });
    const m = createStyleTransfer({ extractor: ex, content, styles: [style], init: 'mix', initNoise: 0.25, seed: 5, initColors: 'content' });
    const [i1, i2, im] = [n1.image(), n2.image(), m.image()];
    expect(Array.from(i1.dataSync())).toEqual(Array.from(i2.dataSync()));
    // the default seed 0 is reproducible too
    const z = [0, 1].map(() => createStyleTransfer({ extractor: ex, content, styles: [style], init: 'noise' }));
    const [z1, z2] = z.map((t) => t.image());
    expect(Array.from(z1!.dataSync())).toEqual(Array.from(z2!.dataSync()));
    tf.dispose([z1!, z2!]);
    z.forEach((t) => t.dispose());
    const expected = tf.add(tf.mul(content, 0.75), tf.mul(i1, 0.25));
    expect(tf.max(tf.abs(tf.sub(im, expected))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([ia, i1, i2, im, expected]);
    [a, n1, n2, m].forEach((t) => t.dispose());
  });

  it("initColors 'style' starts from the content recoloured to the styles' pooled colour mean and covariance", async () => {
    // Colour moments by plain loops over the pixel values.
    const stats = (px: ArrayLike<number>, w = 1) => {
      const n = px.length / 3;
      const m = [0, 0, 0];
      const s2 = [0, 1, 2].map(() => [0, 0, 0]);
      for (let p = 0; p < n; p++)
        for (let i = 0; i < 3; i++) {
          m[i]! += (w * px[p * 3 + i]!) / n;
          for (let j = 0; j < 3; j++) s2[i]![j]! += (w * px[p * 3 + i]! * px[p * 3 + j]!) / n;
        }
      return { m, s2 };
    };
    const soft = tf.tidy(() => tf.add(tf.mul(content, 0.3), 0.35) as tf.Tensor4D); // [1,16,20,3], no clipping
    const s1 = tf.tidy(() => tf.add(tf.mul(style, 0.2), 0.4) as tf.Tensor4D);
    const s2 = tf.tidy(() => tf.add(tf.mul(style2, 0.2), 0.3) as tf.Tensor4D);
    const t = createStyleTransfer({ extractor: ex, content: soft, styles: [s1, { image: s2, weight: 3 }], initColors: 'style' });
    const start = t.image();
    const got = stats(start.dataSync());
    const a = stats(s1.dataSync(), 0.25);
    const b = stats(s2.dataSync(), 0.75);
    const mean = [0, 1, 2].map((i) => a.m[i]! + b.m[i]!);
    for (let i = 0; i < 3; i++) {
      expect(got.m[i]).toBeCloseTo(mean[i]!, 4);
      for (let j = 0; j < 3; j++) expect(got.s2[i]![j]! - got.m[i]! * got.m[j]!).toBeCloseTo(a.s2[i]![j]! + b.s2[i]![j]! - mean[i]! * mean[j]!, 4);
    }
    // 'style' is the default; 'content' keeps the photo's colours; a bad value is refused.
    const byDefault = createStyleTransfer({ extractor: ex, content: soft, styles: [s1, { image: s2, weight: 3 }] });
    const d = byDefault.image();
    expect(Array.from(d.dataSync())).toEqual(Array.from(start.dataSync()));
    tf.dispose(d);
    byDefault.dispose();
    const plain = createStyleTransfer({ extractor: ex, content: soft, styles: [s1], initColors: 'content' });
    const p = plain.image();
    expect(Array.from(p.dataSync())).toEqual(Array.from(soft.dataSync()));
    const e = catchError(() => createStyleTransfer({ extractor: ex, content: soft, styles: [s1], initColors: 'photo' as 'style' }));
    expect(InvalidArgumentError.isInstance(e) && e.argument).toBe('options.initColors');
    await expectNoLeaks(() => createStyleTransfer({ extractor: ex, content: soft, styles: [s1], initColors: 'style', init: 'mix' }).dispose());
    tf.dispose([soft, s1, s2, start, p]);
    t.dispose();
    plain.dispose();
  });

  it('blends styles by weight: weights [1, 0] give the single-style loss', () => {
    const one = createStyleTransfer({ extractor: ex, content, styles: [style] });
    const blend = createStyleTransfer({ extractor: ex, content, styles: [{ image: style, weight: 1 }, { image: style2, weight: 0 }] });
    const other = createStyleTransfer({ extractor: ex, content, styles: [{ image: style, weight: 1 }, { image: style2, weight: 1 }] });
    const a = one.step().style;
    expect(blend.step().style).toBeCloseTo(a, 5);
    expect(Math.abs(other.step().style - a)).toBeGreaterThan(1e-4);
    [one, blend, other].forEach((t) => t.dispose());
  });

  it('matches each style only inside its mask', async () => {
    const left = tf.tidy(() => tf.concat([tf.ones([16, 10]), tf.zeros([16, 10])], 1));
    const right = tf.tidy(() => tf.sub(1, left));
    const t = createStyleTransfer({
      extractor: ex,
      content,
      styles: [
        { image: style, mask: left },
        { image: style2, mask: right },
      ],
      contentWeight: 0,
    });
    const { history, image } = await t.run({ iterations: 10 });
    expect(history.at(-1)!.style).toBeLessThan(history[0]!.style * 0.8);
    // With content weight 0 the image still changes on both halves.
    const diff = tf.tidy(() => tf.abs(tf.sub(image, content)));
    const l = tf.tidy(() => tf.mean(tf.slice(diff, [0, 0, 0, 0], [1, 16, 10, 3])).dataSync()[0]!);
    const r = tf.tidy(() => tf.mean(tf.slice(diff, [0, 0, 10, 0], [1, 16, 10, 3])).dataSync()[0]!);
    expect(l).toBeGreaterThan(1e-3);
    expect(r).toBeGreaterThan(1e-3);
    tf.dispose([left, right, image, diff]);
    t.dispose();
  });

  it('cancels through an AbortSignal and leaks nothing', async () => {
    await expectNoLeaks(async () => {
      const controller = new AbortController();
      const t = createStyleTransfer({ extractor: ex, content, styles: [style] });
      let seen = 0;
      const err = await t
        .run({
          iterations: 50,
          signal: controller.signal,
          onProgress: (e) => {
            seen = e.iteration;
            if (e.iteration === 3) controller.abort(new Error('stop'));
          },
        })
        .catch((e: unknown) => e);
      expect((err as Error).message).toBe('stop');
      expect(seen).toBe(3);
      t.dispose();
    });
  });

  it('gives intermediate images every progressEvery iterations and on the last', async () => {
    const t = createStyleTransfer({ extractor: ex, content, styles: [style] });
    const withImage: number[] = [];
    const { image } = await t.run({
      iterations: 7,
      progressEvery: 3,
      onProgress: (e) => {
        if (e.image) {
          expect(e.image.shape).toEqual([1, 16, 20, 3]);
          withImage.push(e.iteration);
        }
      },
    });
    expect(withImage).toEqual([3, 6, 7]);
    image.dispose();
    t.dispose();
  });

  it('learningRateWarmup n makes the first Adam step 1/n of the full one (each pixel moves by about learningRate without it)', async () => {
    const grey = tf.tidy(() => tf.add(0.3, tf.mul(content, 0.4)) as tf.Tensor4D); // in [0.3, 0.7]: no step is clipped
    const firstStep = (learningRateWarmup: number) => {
      const t = createStyleTransfer({ extractor: ex, content, styles: [style], initImage: grey, learningRateWarmup });
      t.step();
      const d = tf.tidy(() => tf.sub(t.image(), grey).dataSync());
      t.dispose();
      return d;
    };
    const full = firstStep(0);
    const quarter = firstStep(4);
    const one = firstStep(1);
    // Adam's first step is lr·g/(|g| + ε): ±0.02 wherever the gradient is not ~0 (nothing clipped).
    const moved = [...full.keys()].filter((i) => Math.abs(full[i]!) > 1e-3);
    expect(moved.length).toBeGreaterThan(full.length / 2);
    for (const i of moved) {
      expect(Math.abs(full[i]!)).toBeCloseTo(0.02, 4);
      expect(quarter[i]! / full[i]!).toBeCloseTo(0.25, 3);
      expect(one[i]).toBe(full[i]);
    }
    await expectNoLeaks(async () => {
      const t = createStyleTransfer({ extractor: ex, content, styles: [style], learningRateWarmup: 3 });
      const { image } = await t.run({ iterations: 4 });
      image.dispose();
      t.dispose();
    });
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3']) {
      const e = catchError(() => createStyleTransfer({ extractor: ex, content, styles: [style], learningRateWarmup: bad as number }));
      expect(InvalidArgumentError.isInstance(e) && e.argument).toBe('options.learningRateWarmup');
    }
    grey.dispose();
  });

  it('leaks no tensors across setup, steps (adam, lbfgs, masks) and dispose', async () => {
    const mask = tf.ones([16, 20]);
    for (const optimizer of ['adam', 'lbfgs'] as const) {
      await expectNoLeaks(async () => {
        const t = createStyleTransfer({ extractor: ex, content, styles: [style, { image: style2, weight: 2 }], optimizer });
        t.step();
        t.step();
        const { image } = await t.run({ iterations: 2 });
        image.dispose();
        t.dispose();
      });
    }
    await expectNoLeaks(() => {
      const t = createStyleTransfer({ extractor: ex, content, styles: [{ image: style, mask }] });
      t.step();
      t.dispose();
    });
    mask.dispose();
  });

  it('refuses bad images, layers and options with typed errors naming the argument', () => {
    const rank3 = tf.zeros([16, 16, 3]);
    const rgba = tf.zeros([1, 16, 16, 4]);
    const empty = tf.zeros([1, 0, 16, 3]);
    const nan = tf.tidy(() => tf.div(tf.zeros([1, 8, 8, 3]), tf.zeros([1, 8, 8, 3])));
    const base = { extractor: ex, content, styles: [style] };
    const e1 = catchError(() => createStyleTransfer({ ...base, content: rank3 as tf.Tensor4D }));
    expect(ShapeError.isInstance(e1) && e1.argument).toBe('options.content');
    expect((e1 as Error).message).toMatch(/expandDims/);
    const e2 = catchError(() => createStyleTransfer({ ...base, styles: [rgba as tf.Tensor4D] }));
    expect(ShapeError.isInstance(e2) && e2.argument).toBe('options.styles[0]');
    const e3 = catchError(() => createStyleTransfer({ ...base, content: empty as tf.Tensor4D }));
    expect(ShapeError.isInstance(e3)).toBe(true);
    const e4 = catchError(() => createStyleTransfer({ ...base, content: nan as tf.Tensor4D }));
    expect(InvalidArgumentError.isInstance(e4) && e4.argument).toBe('options.content');
    expect((e4 as Error).message).toMatch(/NaN/);
    const e5 = catchError(() => createStyleTransfer({ ...base, styleLayers: ['relu9'] }));
    expect(InvalidArgumentError.isInstance(e5) && e5.argument).toBe('options.styleLayers');
    expect((e5 as Error).message).toMatch(/relu9.*conv1, relu1/);
    const e6 = catchError(() => createStyleTransfer({ ...base, memoryBudgetBytes: 1000 }));
    expect(ImageTooLargeError.isInstance(e6)).toBe(true);
    expect((e6 as Error).message).toMatch(/smaller image/);
    const e7 = catchError(() => createStyleTransfer({ ...base, optimizer: 'sgd' as 'adam' }));
    expect(InvalidArgumentError.isInstance(e7) && e7.argument).toBe('options.optimizer');
    const e8 = catchError(() => createStyleTransfer({ ...base, styles: [] }));
    expect(InvalidArgumentError.isInstance(e8) && e8.argument).toBe('options.styles');
    const badMask = tf.ones([5, 5]);
    const e9 = catchError(() => createStyleTransfer({ ...base, styles: [{ image: style, mask: badMask }] }));
    expect(ShapeError.isInstance(e9) && e9.argument).toBe('options.styles[0].mask');
    tf.dispose([rank3, rgba, empty, nan, badMask]);
  });
});

describe('styleTransfer', () => {
  it('runs coarse-to-fine and returns the content size', async () => {
    await expectNoLeaks(async () => {
      const scales: number[] = [];
      const r = await styleTransfer({
        extractor: ex,
        content,
        styles: [style],
        scales: [0.5, 1],
        iterations: [4, 3],
        onProgress: (e) => {
          if (!scales.includes(e.scale)) scales.push(e.scale);
          if (e.image) expect(e.image.shape).toEqual(e.scale === 1 ? [1, 16, 20, 3] : [1, 8, 10, 3]);
        },
      });
      expect(scales).toEqual([0.5, 1]);
      expect(r.history).toHaveLength(7);
      expect(r.image.shape).toEqual([1, 16, 20, 3]);
      return r.image;
    });
  });

  it('keeps the content colours: the result has the content chroma (YIQ I and Q)', async () => {
    const { image } = await styleTransfer({ extractor: ex, content, styles: [style2], iterations: 5, preserveColors: true, styleScale: 0.5 });
    const d = tf.tidy(() => {
      const a = tf.slice(rgbToYiq(image), [0, 0, 0, 1], [-1, -1, -1, 2]);
      const b = tf.slice(rgbToYiq(content), [0, 0, 0, 1], [-1, -1, -1, 2]);
      return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    });
    // Clipping to [0,1] may move a few pixels slightly.
    expect(d).toBeLessThan(0.05);
    image.dispose();
  });

  it("finalColors 'style' (the default) gives the style's colour mean; a greyscale style gives a greyscale result", async () => {
    const grey = tf.tidy(() => tf.tile(tf.mean(style2, -1, true), [1, 1, 1, 3]) as tf.Tensor4D);
    const { image } = await styleTransfer({ extractor: ex, content, styles: [grey], iterations: 5, init: 'mix', initNoise: 0.5 });
    const px = await image.data();
    let spread = 0;
    for (let i = 0; i < px.length; i += 3) spread = Math.max(spread, Math.abs(px[i]! - px[i + 1]!), Math.abs(px[i + 1]! - px[i + 2]!));
    expect(spread).toBeLessThan(1e-4);
    // The mean colour is the style's (float64 over the downloaded pixels; clipping may move it a little).
    const mean = (d: ArrayLike<number>, c: number) => {
      let m = 0;
      for (let i = c; i < d.length; i += 3) m += d[i]!;
      return m / (d.length / 3);
    };
    const sp = await style2.data();
    const { image: colored } = await styleTransfer({ extractor: ex, content, styles: [style2], iterations: 5, init: 'mix' });
    const cp = await colored.data();
    for (let c = 0; c < 3; c++) expect(Math.abs(mean(cp, c) - mean(sp, c))).toBeLessThan(0.02);
    // 'none' returns the optimised pixels: from noise, their channels differ.
    const { image: raw } = await styleTransfer({ extractor: ex, content, styles: [grey], iterations: 5, init: 'mix', initNoise: 0.5, finalColors: 'none' });
    const rp = await raw.data();
    let rawSpread = 0;
    for (let i = 0; i < rp.length; i += 3) rawSpread = Math.max(rawSpread, Math.abs(rp[i]! - rp[i + 1]!));
    expect(rawSpread).toBeGreaterThan(0.05);
    await expect(styleTransfer({ extractor: ex, content, styles: [style], finalColors: 'auto' as 'none' })).rejects.toSatisfy(
      (e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.finalColors',
    );
    await expectNoLeaks(async () => (await styleTransfer({ extractor: ex, content, styles: [grey], iterations: 2 })).image);
    tf.dispose([grey, image, colored, raw]);
  });

  it('takes one styleScale per scale: the coarse level matches a uniform run, the fine level does not', async () => {
    const run = (styleScale: number | number[]) => styleTransfer({ extractor: ex, content, styles: [style], scales: [0.5, 1], iterations: [3, 2], styleScale });
    await expectNoLeaks(async () => (await run([2, 1])).image);
    const uniform = await run(2);
    const perLevel = await run([2, 1]);
    const same = await run([2, 2]);
    tf.dispose([uniform.image, perLevel.image, same.image]);
    const styleLoss = (r: typeof uniform) => r.history.map((h) => h.style);
    expect(styleLoss(same)).toEqual(styleLoss(uniform));
    expect(styleLoss(perLevel).slice(0, 3)).toEqual(styleLoss(uniform).slice(0, 3));
    expect(styleLoss(perLevel)[3]).not.toBeCloseTo(styleLoss(uniform)[3]!, 6);
    for (const bad of [[2], [2, 1, 1], [2, 0], [2, Number.NaN]]) {
      await expect(styleTransfer({ extractor: ex, content, styles: [style], scales: [0.5, 1], iterations: 1, styleScale: bad })).rejects.toSatisfy(
        (e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.styleScale',
      );
    }
  });

  it('warms Adam up over 25 iterations by default: the first step is 1/25 of learningRate, 0 gives the full step', async () => {
    const run = (iterations: number, learningRateWarmup?: number) =>
      styleTransfer({ extractor: ex, content, styles: [style], iterations, finalColors: 'none', learningRateWarmup });
    const start = await run(0);
    const byDefault = await run(1);
    const off = await run(1, 0);
    const maxStep = (r: typeof start) => tf.tidy(() => tf.max(tf.abs(tf.sub(r.image, start.image))).dataSync()[0]!);
    expect(maxStep(off)).toBeCloseTo(0.02, 4);
    expect(maxStep(byDefault)).toBeCloseTo(0.02 / 25, 5);
    tf.dispose([start.image, byDefault.image, off.image]);
    await expect(styleTransfer({ extractor: ex, content, styles: [style], iterations: 1, learningRateWarmup: -2 })).rejects.toSatisfy(
      (e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.learningRateWarmup',
    );
    await expectNoLeaks(async () => (await styleTransfer({ extractor: ex, content, styles: [style], scales: [0.5, 1], iterations: [2, 2], learningRateWarmup: 3 })).image);
  });

  it('cancels between iterations and refuses a bad schedule', async () => {
    const c = new AbortController();
    c.abort(new Error('cancelled early'));
    await expect(styleTransfer({ extractor: ex, content, styles: [style], signal: c.signal })).rejects.toThrow('cancelled early');
    await expect(styleTransfer({ extractor: ex, content, styles: [style], scales: [1, 0.5] })).rejects.toSatisfy(
      (e: unknown) => InvalidArgumentError.isInstance(e) && e.argument === 'options.scales',
    );
  });
});
