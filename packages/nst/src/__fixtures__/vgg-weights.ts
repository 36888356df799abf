import * as tf from '@tensorflow/tfjs-core';

const BLOCKS = { 16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4] } as const;
const CHANNELS = [64, 128, 256, 512, 512];

/**
 * Generated VGG weights (He-normal, seeded) in the Keras layout
 * (`block{n}_conv{m}/kernel` [3,3,in,out]) and the same numbers in the
 * torchvision layout (`features.{i}.weight` [out,in,3,3]). The caller disposes both maps.
 */
export function generateVggWeights(depth: 16 | 19, seed = 1, prefix = '', withTorch = true): { keras: tf.NamedTensorMap; torch: tf.NamedTensorMap } {
  const keras: tf.NamedTensorMap = {};
  const torch: tf.NamedTensorMap = {};
  let cin = 3;
  let idx = 0;
  let s = seed;
  BLOCKS[depth].forEach((n, b) => {
    for (let i = 1; i <= n; i++) {
      const cout = CHANNELS[b]!;
      const k = tf.randomNormal([3, 3, cin, cout], 0, Math.sqrt(2 / (9 * cin)), 'float32', s++);
      const bias = tf.randomNormal([cout], 0, 0.05, 'float32', s++);
      keras[`${prefix}block${b + 1}_conv${i}/kernel`] = k;
      keras[`${prefix}block${b + 1}_conv${i}/bias`] = bias;
      if (withTorch) {
        torch[`features.${idx}.weight`] = tf.transpose(k, [3, 2, 0, 1]);
        torch[`features.${idx}.bias`] = tf.clone(bias);
      }
      idx += 2;
      cin = cout;
    }
    idx += 1;
  });
  return { keras, torch };
}
