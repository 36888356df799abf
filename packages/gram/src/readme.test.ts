import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/readme-example';

/** Gram matrix of [H,W,C] activations over positions, divided by H·W, in float64. */
function gram64(a: Float32Array, positions: number, c: number): Float64Array {
  const g = new Float64Array(c * c);
  for (let p = 0; p < positions; p++) for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) g[i * c + j]! += a[p * c + i]! * a[p * c + j]!;
  return g.map((v) => v / positions);
}

describe('README example', () => {
  it('runs as written and prints α·J_content + β·J_style as computed by hand in float64', async () => {
    const { logs, cleanup } = await runReadmeExample(join(__dirname, '..'));
    cleanup();
    const printed = logs[0]![0] as number;
    // The same seeded activations (tfjs's own generator), costs recomputed from their definitions.
    const aC = tf.randomNormal([1, 8, 8, 16], 0, 1, 'float32', 1).dataSync() as Float32Array;
    const aS = tf.randomNormal([1, 10, 10, 16], 0, 1, 'float32', 2).dataSync() as Float32Array;
    const aG = tf.randomNormal([1, 8, 8, 16], 0, 1, 'float32', 3).dataSync() as Float32Array;
    let content = 0;
    for (let i = 0; i < aC.length; i++) content += (aC[i]! - aG[i]!) ** 2;
    content /= 4 * 8 * 8 * 16;
    const gS = gram64(aS, 100, 16), gG = gram64(aG, 64, 16);
    let style = 0;
    for (let i = 0; i < gS.length; i++) style += (gS[i]! - gG[i]!) ** 2;
    style /= 4 * 16 * 16;
    expect(printed).toBeGreaterThan(0);
    expect(Math.abs(printed - (10 * content + 40 * style)) / (10 * content + 40 * style)).toBeLessThan(1e-5);
  });
});
