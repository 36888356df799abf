import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { createVgg, loadVgg, vggLayerNames } from './vgg';
import { WeightsMismatchError } from '../errors/weights-mismatch-error';
import { generateVggWeights } from '../__fixtures__/vgg-weights';

let w16: ReturnType<typeof generateVggWeights>;
let w19: ReturnType<typeof generateVggWeights>;
let img: tf.Tensor4D;

beforeAll(async () => {
  await useBackend('cpu');
  w16 = generateVggWeights(16, 1);
  w19 = generateVggWeights(19, 100, 'vgg19/', false);
  img = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
});
afterAll(() => {
  for (const w of [w16, w19]) tf.dispose([...Object.values(w.keras), ...Object.values(w.torch)]);
  img.dispose();
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** conv1_1 at pixel (i,j), output channel o, computed by hand in float64 from the raw image. */
function conv11(pixels: Float32Array, k: Float32Array, bias: number, i: number, j: number, o: number, pre: (v: number, c: number) => number, bgr: boolean): number {
  let s = bias;
  for (let di = -1; di <= 1; di++)
    for (let dj = -1; dj <= 1; dj++) {
      const y = i + di;
      const x = j + dj;
      if (y < 0 || y >= 32 || x < 0 || x >= 32) continue; // 'same' zero padding (after preprocessing)
      for (let c = 0; c < 3; c++) {
        const src = bgr ? 2 - c : c; // input channel c of the net reads this RGB channel
        const v = pre(pixels[(y * 32 + x) * 3 + src]!, c);
        s += v * k[(((di + 1) * 3 + (dj + 1)) * 3 + c) * 64 + o]!;
      }
    }
  return s;
}

describe('createVgg', () => {
  it('has the jcjohnson layer names and VGG-19 activation shapes', () => {
    const vgg = createVgg({ depth: 19, layout: 'keras', weights: w19.keras });
    expect(vggLayerNames(19).filter((n) => n.startsWith('conv'))).toHaveLength(16);
    expect(vggLayerNames(16).filter((n) => n.startsWith('conv'))).toHaveLength(13);
    const a = vgg.extract(img, ['relu1_1', 'relu3_4', 'relu4_2', 'pool5', 'block5_conv4']);
    expect(a.relu1_1!.shape).toEqual([1, 32, 32, 64]);
    expect(a.relu3_4!.shape).toEqual([1, 8, 8, 256]);
    expect(a.relu4_2!.shape).toEqual([1, 4, 4, 512]);
    expect(a.pool5!.shape).toEqual([1, 1, 1, 512]);
    expect(a.block5_conv4!.shape).toEqual([1, 2, 2, 512]);
    tf.dispose(Object.values(a));
    vgg.dispose();
  });

  it('computes conv1_1 with Caffe preprocessing (keras) and mean/std (torchvision), checked by hand', () => {
    const px = img.dataSync() as Float32Array;
    const k = w16.keras['block1_conv1/kernel']!.dataSync() as Float32Array;
    const b = w16.keras['block1_conv1/bias']!.dataSync() as Float32Array;
    const bgrMean = [103.939, 116.779, 123.68];
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const keras = createVgg({ depth: 16, layout: 'keras', weights: w16.keras });
    const torch = createVgg({ depth: 16, layout: 'torchvision', weights: w16.torch });
    const ak = keras.extract(img, ['conv1_1']).conv1_1!;
    const at = torch.extract(img, ['conv1_1']).conv1_1!;
    const dk = ak.dataSync();
    const dt = at.dataSync();
    for (const [i, j, o] of [
      [0, 0, 0],
      [5, 17, 3],
      [31, 31, 63],
      [12, 0, 40],
    ] as const) {
      const ek = conv11(px, k, b[o]!, i, j, o, (v, c) => v * 255 - bgrMean[c]!, true);
      const et = conv11(px, k, b[o]!, i, j, o, (v, c) => (v - mean[c]!) / std[c]!, false);
      expect(dk[(i * 32 + j) * 64 + o]).toBeCloseTo(ek, 2);
      expect(dt[(i * 32 + j) * 64 + o]).toBeCloseTo(et, 3);
    }
    tf.dispose([ak, at]);
    keras.dispose();
    torch.dispose();
  });

  it('gives the same deep activations from both layouts for the same preprocessed input', () => {
    // Feed each net an input that its preprocessing maps to the same tensor z:
    // keras: BGR(x)·255 − m_bgr = z;  torch: (x − m)/s = z.
    const z = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 4);
    const zRgbForKeras = tf.tidy(() => tf.reverse(tf.div(tf.add(z, tf.tensor1d([103.939, 116.779, 123.68])), 255), -1)) as tf.Tensor4D;
    const zForTorch = tf.tidy(() => tf.add(tf.mul(z, tf.tensor1d([0.229, 0.224, 0.225])), tf.tensor1d([0.485, 0.456, 0.406]))) as tf.Tensor4D;
    const keras = createVgg({ depth: 16, layout: 'keras', weights: w16.keras, pooling: 'max' });
    const torch = createVgg({ depth: 16, layout: 'torchvision', weights: w16.torch, pooling: 'max' });
    const a = keras.extract(zRgbForKeras, ['relu4_3']).relu4_3!;
    const b = torch.extract(zForTorch, ['relu4_3']).relu4_3!;
    const err = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.add(tf.max(tf.abs(a)), 1e-6)).dataSync()[0]!);
    expect(err).toBeLessThan(1e-3);
    tf.dispose([z, zRgbForKeras, zForTorch, a, b]);
    keras.dispose();
    torch.dispose();
  });

  it('loads through a tf.io manifest', async () => {
    const { data, specs } = await tf.io.encodeWeights(w16.keras);
    const vgg = await loadVgg(tf.io.fromMemory({ weightSpecs: specs, weightData: data }), { depth: 16, layout: 'keras' });
    const direct = createVgg({ depth: 16, layout: 'keras', weights: w16.keras });
    const a = vgg.extract(img, ['relu2_2']).relu2_2!;
    const b = direct.extract(img, ['relu2_2']).relu2_2!;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    tf.dispose([a, b]);
    vgg.dispose();
    direct.dispose();
  });

  it('refuses weights that do not match the architecture, naming the weight', () => {
    const e1 = catchError(() => createVgg({ depth: 19, layout: 'keras', weights: w16.keras }));
    expect(WeightsMismatchError.isInstance(e1)).toBe(true);
    expect((e1 as WeightsMismatchError).weight).toBe('block3_conv4/kernel');
    const e2 = catchError(() => createVgg({ depth: 16, layout: 'torchvision', weights: w16.keras }));
    expect((e2 as WeightsMismatchError).weight).toBe('features.0.weight');
    const e3 = catchError(() => createVgg({ depth: 16, layout: 'keras', weights: w16.torch }));
    expect(WeightsMismatchError.isInstance(e3)).toBe(true);
    const wrong = { ...w16.keras, 'block1_conv2/kernel': tf.zeros([3, 3, 32, 64]) };
    const e4 = catchError(() => createVgg({ depth: 16, weights: wrong }));
    expect((e4 as Error).message).toMatch(/block1_conv2\/kernel.*\[3,3,32,64\].*\[3,3,64,64\]/);
    wrong['block1_conv2/kernel'].dispose();
  });

  it('refuses unknown layers and bad images with typed errors', () => {
    const vgg = createVgg({ depth: 16, weights: w16.keras });
    const e1 = catchError(() => vgg.extract(img, ['relu5_4']));
    expect(InvalidArgumentError.isInstance(e1) && e1.argument).toBe('layers');
    expect((e1 as Error).message).toMatch(/relu5_4.*relu1_1/);
    const grey = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    const e2 = catchError(() => vgg.extract(grey, ['relu1_1']));
    expect(ShapeError.isInstance(e2) && e2.argument).toBe('images');
    const e3 = catchError(() => createVgg({ depth: 18 as 19, weights: w16.keras }));
    expect(InvalidArgumentError.isInstance(e3) && e3.argument).toBe('options.depth');
    grey.dispose();
    vgg.dispose();
  });

  it('needs 2^(pools before the deepest layer) px: 16 for relu5_1, runs at 16 and refuses 15', () => {
    const vgg = createVgg({ depth: 16, weights: w16.keras });
    expect(vgg.minInputSide!(['relu1_1'])).toBe(1);
    expect(vgg.minInputSide!(['relu1_1', 'pool1'])).toBe(2);
    expect(vgg.minInputSide!(['relu5_1'])).toBe(16);
    expect(vgg.minInputSide!()).toBe(32); // up to pool5
    const ok = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    const a = vgg.extract(ok, ['relu5_1']);
    expect(a.relu5_1!.shape).toEqual([1, 1, 1, 512]);
    tf.dispose(Object.values(a));
    const small = tf.zeros([1, 15, 40, 3]) as tf.Tensor4D;
    const e = catchError(() => vgg.extract(small, ['relu5_1']));
    expect(ShapeError.isInstance(e) && e.argument).toBe('images');
    expect((e as Error).message).toContain('at least 16×16 px');
    tf.dispose([ok, small]);
    vgg.dispose();
  });

  it('frees each activation once the next layer ran when no gradient is recorded: same outputs as an all-in-one-tidy forward, far lower peak', async () => {
    const layers = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu4_2', 'relu5_1'];
    const w = w19.keras;
    const x = tf.randomUniform([1, 48, 48, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    // Reference: the plain forward (Keras layout, avg pooling) written out, every activation held until its tidy ends.
    const base = tf.memory().numBytes;
    const ref = await tf.profile(() =>
      tf.tidy(() => {
        let h = tf.sub(tf.mul(tf.reverse(x, -1), 255), tf.tensor1d([103.939, 116.779, 123.68])) as tf.Tensor4D;
        const out: Record<string, tf.Tensor4D> = {};
        [2, 2, 4, 4, 4].forEach((n, b) => {
          for (let i = 1; i <= n; i++) {
            const key = `vgg19/block${b + 1}_conv${i}`;
            h = tf.relu(tf.add(tf.conv2d(h, w[`${key}/kernel`] as tf.Tensor4D, 1, 'same'), w[`${key}/bias`]!)) as tf.Tensor4D;
            if (layers.includes(`relu${b + 1}_${i}`)) out[`relu${b + 1}_${i}`] = h;
          }
          h = tf.avgPool(h, 2, 2, 'valid');
        });
        return out;
      }),
    );
    const refPeak = ref.peakBytes - base;
    const vgg = createVgg({ depth: 19, layout: 'keras', weights: w });
    const base2 = tf.memory().numBytes;
    const lean = await tf.profile(() => vgg.extract(x, layers));
    const leanPeak = lean.peakBytes - base2;
    const expected = ref.result as unknown as Record<string, tf.Tensor4D>;
    const got = lean.result as unknown as Record<string, tf.Tensor4D>;
    for (const l of layers) expect(Array.from(got[l]!.dataSync())).toEqual(Array.from(expected[l]!.dataSync()));
    expect(lean.newTensors).toBe(layers.length);
    expect(leanPeak).toBeLessThan(0.5 * refPeak);
    tf.dispose([x, ...Object.values(expected), ...Object.values(got)]);
    vgg.dispose();
  });

  it('leaks no tensors (build, extract, gradient, dispose)', async () => {
    await expectNoLeaks(() => {
      const vgg = createVgg({ depth: 16, layout: 'torchvision', weights: w16.torch });
      const g = tf.grad((x: tf.Tensor) => tf.sum(vgg.extract(x as tf.Tensor4D, ['relu3_1']).relu3_1!))(img);
      g.dispose();
      tf.dispose(Object.values(vgg.extract(img, ['relu1_1', 'relu3_1', 'block3_conv1'])));
      vgg.dispose();
    });
    await expectNoLeaks(() => {
      // a failed build frees what it had copied
      try {
        createVgg({ depth: 19, weights: w16.keras });
      } catch {
        /* expected */
      }
    });
  });
});
