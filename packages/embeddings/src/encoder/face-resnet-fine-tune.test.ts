import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/wasm';
import { InvalidArgumentError, ShapeError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { loadFaceResNetFromFaceApi } from '../node/face-api-weights';
import { FACE_RESNET_STAGES, FaceResNet, FineTunableFaceResNet, loadFaceResNet, saveFaceResNet } from './face-resnet';

let net: FaceResNet;
let x: tf.Tensor4D;

beforeAll(async () => {
  await useBackend('wasm'); // the ResNet's convolutions are ~10× faster than on cpu
  net = await loadFaceResNetFromFaceApi();
  // two smooth pseudo-faces in [0,1]
  x = tf.tidy(() => {
    const g = tf.linspace(0, 1, 150);
    const yy = tf.reshape(g, [1, 150, 1, 1]), xx = tf.reshape(g, [1, 1, 150, 1]);
    const a = tf.add(tf.mul(tf.sin(tf.mul(xx, 9)), tf.cos(tf.mul(yy, 7))), 1);
    const b = tf.add(tf.mul(tf.cos(tf.mul(xx, 5)), tf.sin(tf.mul(yy, 11))), 1);
    return tf.mul(tf.concat([tf.tile(a, [1, 1, 1, 3]), tf.tile(b, [1, 1, 1, 3])], 0), 0.5) as tf.Tensor4D;
  });
}, 120_000);

afterAll(() => {
  net?.dispose();
  x?.dispose();
});

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('FaceResNet.fromPretrained (fine-tunable)', () => {
  it('FineTunableFaceResNet is the same class (deprecated name)', () => {
    expect(FineTunableFaceResNet).toBe(FaceResNet);
  });

  it('computes exactly what the frozen FaceResNet computes, and encode = encodeFeatures ∘ frozenFeatures', () => {
    const ref = net.encode(x);
    for (const k of [0, 3, 14]) {
      const ft = FaceResNet.fromPretrained(net, { trainableStages: k });
      const f = ft.frozenFeatures(x);
      expect(f.shape.slice(1)).toEqual(ft.featureShape);
      const split = ft.encodeFeatures(f);
      expect(maxAbsDiff(split, ref)).toBeLessThan(1e-5);
      expect(ft.trainableVariables().length).toBe(4 * k + 1);
      tf.dispose([f, split]);
      ft.dispose();
    }
    ref.dispose();
  }, 300_000);

  it('freezing really freezes: one SGD step changes the last k stages and fc, and nothing else', () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 2 });
    const before = ft.exportWeights();
    const opt = tf.train.sgd(1e-2);
    // pull the two descriptors together
    const cost = opt.minimize(() => {
      const e = ft.encode(x);
      return tf.sum(tf.square(tf.sub(tf.slice(e, [0, 0], [1, -1]), tf.slice(e, [1, 0], [1, -1])))) as tf.Scalar;
    }, true, ft.trainableVariables());
    const after = ft.exportWeights();
    const trainable = new Set(['fc', ...FACE_RESNET_STAGES.slice(-2).flatMap(([n]) => [`${n}/conv1/conv/filters`, `${n}/conv1/conv/bias`, `${n}/conv2/conv/filters`, `${n}/conv2/conv/bias`])]);
    let changed = 0;
    for (const name of Object.keys(before)) {
      const d = maxAbsDiff(before[name]!, after[name]!);
      if (trainable.has(name)) { if (name.endsWith('filters') || name === 'fc') expect(d, name).toBeGreaterThan(0); if (d > 0) changed++; } else expect(d, name).toBe(0);
    }
    expect(changed).toBeGreaterThanOrEqual(5);
    expect(cost!.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([...Object.values(before), ...Object.values(after), cost!]);
    opt.dispose();
    ft.dispose();
  }, 300_000);

  it('save → loadFaceResNet round trip gives the same descriptors as the fine-tuned net', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 1 });
    // move the weights away from the pretrained ones
    for (const v of ft.trainableVariables()) v.assign(tf.tidy(() => tf.mul(v, 1.1)));
    let saved: tf.io.ModelArtifacts | undefined;
    await saveFaceResNet(ft, tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { metadata: { trainableStages: 1 } });
    expect(saved!.userDefinedMetadata).toEqual({ likeness: { trainableStages: 1 } });
    const back = await loadFaceResNet(tf.io.fromMemory(saved!));
    const x1 = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
    const a = ft.encode(x1), b = back.encode(x1);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    const wb = back.exportWeights(), wp = net.exportWeights();
    expect(maxAbsDiff(wb['fc']!, wp['fc']!)).toBeGreaterThan(1e-3); // it really is the modified net
    tf.dispose([a, b, x1, ...Object.values(wb), ...Object.values(wp)]);
    back.dispose();
    ft.dispose();
  }, 300_000);

  it('frozenFeatures in batches equals one pass, leaks nothing, and refuses a bad batch size', async () => {
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 3 });
    const four = tf.concat([x, tf.reverse(x, 2)], 0) as tf.Tensor4D; // 2·N images
    const whole = ft.frozenFeatures(four, { batchSize: four.shape[0] });
    for (const batchSize of [1, 3]) {
      const batched = ft.frozenFeatures(four, { batchSize });
      expect(batched.shape).toEqual(whole.shape);
      expect(maxAbsDiff(batched, whole)).toBeLessThan(1e-5);
      batched.dispose();
    }
    await expectNoLeaks(() => ft.frozenFeatures(four, { batchSize: 1 }));
    for (const bad of [0, 1.5, Number.NaN]) {
      expect(() => ft.frozenFeatures(four, { batchSize: bad })).toThrow(InvalidArgumentError);
    }
    tf.dispose([four, whole]);
    ft.dispose();
  }, 300_000);

  it('leaks nothing (create, forward, export, save, dispose)', async () => {
    await expectNoLeaks(async () => {
      const ft = FaceResNet.fromPretrained(net, { trainableStages: 3 });
      const x1 = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]);
      const f = ft.frozenFeatures(x1);
      tf.dispose([x1, f, ft.encodeFeatures(f)]);
      tf.dispose(Object.values(ft.exportWeights()));
      await saveFaceResNet(ft, tf.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      ft.dispose();
      ft.dispose();
    });
  }, 300_000);

  it('throws typed errors', async () => {
    expect(() => FaceResNet.fromPretrained(net, { trainableStages: 15 })).toThrow(InvalidArgumentError);
    expect(() => FaceResNet.fromPretrained({} as FaceResNet)).toThrow(InvalidArgumentError);
    const ft = FaceResNet.fromPretrained(net, { trainableStages: 3 });
    expect(() => ft.encode(tf.zeros([1, 112, 92, 3]) as tf.Tensor4D)).toThrow(ShapeError);
    expect(() => ft.encodeFeatures(tf.zeros([1, 8, 8, 128]) as tf.Tensor4D)).toThrow(ShapeError);
    await expect(saveFaceResNet(ft, {} as tf.io.IOHandler)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    ft.dispose();
    expect(() => ft.encode(x)).toThrow(/disposed/);
  });
});
