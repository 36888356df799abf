import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/wasm';
import { useBackend } from '@likeness/backends';
import { createFaceResNet, loadFaceResNet, saveFaceResNet } from './face-resnet';

function pixels(seed: number, n: number): Float32Array {
  let s = seed;
  const out = new Float32Array(n * 150 * 150 * 3);
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 255;
  }
  return out;
}

// On wasm: the cpu backend's conv back-propagation is far too slow at 150×150.
beforeAll(async () => {
  await useBackend('wasm');
});

describe('FaceResNet training', () => {
  it("createFaceResNet: the seed fixes the weights, seed 0 included (tfjs's own seed 0 means Math.random())", () => {
    const first = (seed: number) => {
      const net = createFaceResNet({ seed });
      const v = net.trainableVariables().flatMap((t) => Array.from(t.dataSync().slice(0, 8))); // every variable's first values
      net.dispose();
      return v;
    };
    expect(first(0)).toEqual(first(0));
    expect(first(1)).toEqual(first(1));
    expect(first(0)).not.toEqual(first(1));
  });

  it('trainable from scratch: gradients reach every layer (fc checked by finite differences); save/load round-trips', async () => {
    const fresh = createFaceResNet({ seed: 3 });
    const vars = fresh.trainableVariables();
    expect(vars).toHaveLength(59);
    const x = tf.tensor4d(pixels(5, 1).map((v) => v / 255), [1, 150, 150, 3]);
    const c = tf.tensor2d(Array.from({ length: 128 }, (_, i) => Math.sin(i)), [1, 128]);
    const loss = () => tf.sum(tf.mul(fresh.encode(x), c)) as tf.Scalar;
    const fc = vars[58]!, stemBias = vars[1]!;
    const { value, grads } = tf.variableGrads(loss, [fc, stemBias]);
    // the loss is linear in fc, so a central difference is exact up to float rounding
    const orig = fc.dataSync().slice();
    const at = (delta: number) => {
      const p = orig.slice(); p[5 * 128 + 7]! += delta;
      fc.assign(tf.tensor(p, fc.shape));
      return loss().dataSync()[0]!;
    };
    const fd = (at(0.5) - at(-0.5)) / 1;
    fc.assign(tf.tensor(orig, fc.shape));
    expect(grads[fc.name]!.dataSync()[5 * 128 + 7]!).toBeCloseTo(fd, 3);
    // the stem's bias gradient went back through all 29 convolutions: finite and not all zero
    const gs = Array.from(grads[stemBias.name]!.dataSync());
    expect(gs.every(Number.isFinite)).toBe(true);
    expect(gs.some((g) => g !== 0)).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
    let saved: tf.io.ModelArtifacts | undefined;
    await saveFaceResNet(fresh, tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const again = await loadFaceResNet(tf.io.fromMemory(saved!));
    const d = tf.sqrt(tf.sum(tf.square(tf.sub(again.encode(x), fresh.encode(x))))).dataSync()[0]!;
    expect(d).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, c]);
    again.dispose();
    fresh.dispose();
  }, 300_000);
});
