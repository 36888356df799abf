// Shared by the ESM and CJS smoke scripts: conv2d gradients on cpu and wasm.
export async function check(tf, useBackend) {
  const out = {};
  for (const name of ['cpu', 'wasm']) {
    const choice = await useBackend(name, { allowSwitchWithTensors: true });
    const x = tf.ones([1, 3, 3, 1]);
    const w = tf.ones([2, 2, 1, 1]);
    const [dx, dw] = tf.grads((a, b) => tf.sum(tf.conv2d(a, b, 1, 'valid')))([x, w]);
    const r = tf.tensor4d([3, -1, 2, 0.5, -2, 1, 4, -3, 1, 2, -1, 0.5, 1, 1, -2, 3], [1, 4, 4, 1]);
    const k = tf.tensor4d([1, -1, 2, 0.5], [2, 2, 1, 1]);
    const [gr, gk] = tf.grads((a, b) => tf.sum(tf.maxPool(tf.conv2d(a, b, 1, 'same'), 2, 2, 'valid')))([r, k]);
    out[name] = {
      backend: choice.name,
      dx: Array.from(dx.dataSync()),
      dw: Array.from(dw.dataSync()),
      gr: Array.from(gr.dataSync()),
      gk: Array.from(gk.dataSync()),
    };
    tf.dispose([x, w, dx, dw, r, k, gr, gk]);
  }
  return out;
}
