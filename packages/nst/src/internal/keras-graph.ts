import * as tf from '@tensorflow/tfjs-core';
import { WeightsMismatchError } from '../errors/weights-mismatch-error';
import { takeWeight } from './weights';

/** A Keras functional-model layer as stored in a tfjs `model.json` topology. */
interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, unknown][][];
}

type Node = (inputs: tf.Tensor4D[]) => tf.Tensor4D;

interface CompiledLayer {
  name: string;
  inputs: string[];
  run: Node;
  held: tf.Tensor[];
}

/** A Keras graph compiled to tfjs-core ops, truncated at `lastLayer`. */
export interface KerasGraph {
  /** Layer names in topological order (the input layer excluded). */
  readonly names: readonly string[];
  /**
   * Runs the graph on preprocessed input up to the layers asked for.
   * With `lean`, each intermediate activation (and each layer's temporaries)
   * is freed as soon as its last consumer has run, so only the requested
   * layers outlive the call: the memory of a forward without a gradient tape.
   * Never lean while a gradient is recorded (the tape needs the activations).
   * `input` is never freed.
   */
  run(input: tf.Tensor4D, outputs: readonly string[], lean?: boolean): Record<string, tf.Tensor4D>;
  /**
   * Smallest input height/width for which every layer in `outputs` (and so
   * every ancestor) has a non-empty output, from the kernel sizes, strides,
   * dilations, paddings and zero-paddings of the layers.
   */
  minInputSide(outputs: readonly string[]): number;
  dispose(): void;
}

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)]);

/**
 * Compiles a Keras (2.x, channels_last) functional topology into tfjs-core
 * ops: InputLayer, ZeroPadding2D, Conv2D, DepthwiseConv2D, BatchNormalization
 * (inference; folded into the preceding convolution when it is the
 * convolution's only consumer, otherwise an affine map — never tf.batchNorm,
 * whose gradient crashes without gamma), ReLU, Activation (relu, linear),
 * Add, Concatenate, MaxPooling2D, AveragePooling2D.
 *
 * @throws WeightsMismatchError for an unsupported layer or a missing/wrong weight.
 */
export function compileKerasGraph(topology: unknown, weights: tf.NamedTensorMap, lastLayer: string, what: string): KerasGraph {
  const layers = ((topology as { model_config?: { config?: { layers?: KerasLayer[] } } })?.model_config?.config?.layers ??
    (topology as { config?: { layers?: KerasLayer[] } })?.config?.layers) as KerasLayer[] | undefined;
  if (!Array.isArray(layers)) {
    throw new WeightsMismatchError({ weight: '(topology)', message: `${what}: the model.json has no Keras functional topology (model_config.config.layers).` });
  }
  const end = layers.findIndex((l) => l.name === lastLayer);
  if (end < 0) throw new WeightsMismatchError({ weight: lastLayer, message: `${what}: the topology has no layer "${lastLayer}".` });
  const kept = layers.slice(0, end + 1);
  const inputName = kept.find((l) => l.class_name === 'InputLayer')?.name;
  const consumers = new Map<string, number>();
  for (const l of kept) for (const n of l.inbound_nodes[0] ?? []) consumers.set(n[0], (consumers.get(n[0]) ?? 0) + 1);

  const compiled = new Map<string, CompiledLayer>();
  const order: string[] = [];
  const held: tf.Tensor[] = [];
  // Folded BatchNorm: conv name → {scale, shift}
  const folded = new Map<string, { scale: tf.Tensor1D; shift: tf.Tensor1D }>();
  const byName = new Map(kept.map((l) => [l.name, l]));

  // First pass: BN parameters, and which ones fold into their conv.
  const bnAffine = new Map<string, { scale: tf.Tensor1D; shift: tf.Tensor1D }>();
  for (const l of kept) {
    if (l.class_name !== 'BatchNormalization') continue;
    const c = l.config;
    const mean = takeWeight(weights, `${l.name}/moving_mean`, [-1], what);
    const ch = mean.shape[0]!;
    const variance = takeWeight(weights, `${l.name}/moving_variance`, [ch], what);
    const gamma = c.scale === false ? tf.ones([ch]) : takeWeight(weights, `${l.name}/gamma`, [ch], what);
    const beta = c.center === false ? tf.zeros([ch]) : takeWeight(weights, `${l.name}/beta`, [ch], what);
    const eps = Number(c.epsilon ?? 1e-3);
    const scale = tf.tidy(() => tf.div(gamma, tf.sqrt(tf.add(variance, eps)))) as tf.Tensor1D;
    const shift = tf.tidy(() => tf.sub(beta, tf.mul(mean, scale))) as tf.Tensor1D;
    if (c.scale === false) gamma.dispose();
    if (c.center === false) beta.dispose();
    const src = l.inbound_nodes[0]![0]![0];
    const srcLayer = byName.get(src);
    if (srcLayer && (srcLayer.class_name === 'Conv2D' || srcLayer.class_name === 'DepthwiseConv2D') && consumers.get(src) === 1 && (srcLayer.config.activation ?? 'linear') === 'linear') {
      folded.set(src, { scale, shift });
      bnAffine.set(l.name, { scale, shift });
    } else {
      bnAffine.set(l.name, { scale, shift });
      held.push(scale, shift);
    }
  }
  const foldedBn = new Set<string>();
  for (const l of kept) {
    if (l.class_name === 'BatchNormalization' && folded.has(l.inbound_nodes[0]![0]![0])) foldedBn.add(l.name);
  }

  const activation = (name: unknown, x: tf.Tensor4D): tf.Tensor4D => {
    if (name === undefined || name === 'linear') return x;
    if (name === 'relu') return tf.relu(x);
    throw new WeightsMismatchError({ weight: String(name), message: `${what}: activation "${String(name)}" is not supported.` });
  };

  for (const l of kept) {
    if (l.class_name === 'InputLayer') continue;
    const c = l.config;
    const inputs = (l.inbound_nodes[0] ?? []).map((n) => n[0]);
    let run: Node;
    const mine: tf.Tensor[] = [];
    switch (l.class_name) {
      case 'ZeroPadding2D': {
        const p = c.padding as number | number[] | number[][];
        const rows: number[][] = Array.isArray(p)
          ? Array.isArray(p[0])
            ? (p as number[][])
            : [[p[0] as number, p[0] as number], [p[1] as number, p[1] as number]]
          : [[p, p], [p, p]];
        const [[t, b], [le, r]] = rows as [[number, number], [number, number]];
        run = ([x]) => tf.pad(x!, [[0, 0], [t!, b!], [le!, r!], [0, 0]]);
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const depthwise = l.class_name === 'DepthwiseConv2D';
        const kName = depthwise ? `${l.name}/depthwise_kernel` : `${l.name}/kernel`;
        let kernel = takeWeight(weights, kName, [-1, -1, -1, -1], what) as tf.Tensor4D;
        const outCh = depthwise ? kernel.shape[2] * kernel.shape[3] : kernel.shape[3];
        let bias: tf.Tensor1D | null = c.use_bias === false ? null : (takeWeight(weights, `${l.name}/bias`, [outCh], what) as tf.Tensor1D);
        const f = folded.get(l.name);
        if (f) {
          const k0 = kernel;
          kernel = tf.tidy(() =>
            depthwise
              ? (tf.mul(k0, tf.reshape(f.scale, [1, 1, k0.shape[2], k0.shape[3]])) as tf.Tensor4D)
              : (tf.mul(k0, f.scale) as tf.Tensor4D),
          );
          const b0 = bias;
          bias = tf.tidy(() => (b0 ? tf.add(tf.mul(b0, f.scale), f.shift) : tf.clone(f.shift)) as tf.Tensor1D);
          f.scale.dispose();
          f.shift.dispose();
        } else {
          kernel = tf.clone(kernel);
          if (bias) bias = tf.clone(bias);
        }
        mine.push(kernel);
        if (bias) mine.push(bias);
        const strides = pair(c.strides ?? 1);
        const dil = pair(c.dilation_rate ?? 1);
        const pad = (c.padding as 'same' | 'valid') ?? 'valid';
        const act = c.activation;
        const k = kernel;
        const bb = bias;
        run = ([x]) => {
          let y = depthwise ? tf.depthwiseConv2d(x!, k, strides, pad, 'NHWC', dil) : tf.conv2d(x!, k, strides, pad, 'NHWC', dil);
          if (bb) y = tf.add(y, bb);
          return activation(act, y);
        };
        break;
      }
      case 'BatchNormalization': {
        if (foldedBn.has(l.name)) {
          run = ([x]) => x!;
        } else {
          const a = bnAffine.get(l.name)!;
          run = ([x]) => tf.add(tf.mul(x!, a.scale), a.shift);
        }
        break;
      }
      case 'ReLU': {
        const max = c.max_value as number | null | undefined;
        run = ([x]) => (max == null ? tf.relu(x!) : max === 6 ? tf.relu6(x!) : tf.clipByValue(x!, 0, max));
        break;
      }
      case 'Activation':
        run = ([x]) => activation(c.activation, x!);
        break;
      case 'Add':
        run = (xs) => xs.reduce((a, b) => tf.add(a, b));
        break;
      case 'Concatenate':
        run = (xs) => tf.concat(xs, -1);
        break;
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const size = pair(c.pool_size ?? 2);
        const strides = pair(c.strides ?? size);
        const pad = (c.padding as 'same' | 'valid') ?? 'valid';
        const max = l.class_name === 'MaxPooling2D';
        run = ([x]) => (max ? tf.maxPool(x!, size, strides, pad) : tf.avgPool(x!, size, strides, pad));
        break;
      }
      default:
        for (const t of [...held, ...[...compiled.values()].flatMap((v) => v.held)]) t.dispose();
        throw new WeightsMismatchError({ weight: l.name, message: `${what}: layer "${l.name}" of class ${l.class_name} is not supported; truncate the model before it.` });
    }
    compiled.set(l.name, { name: l.name, inputs, run, held: mine });
    order.push(l.name);
  }

  const minSide = minSides(kept);

  return {
    names: order,
    minInputSide(outputs) {
      return Math.max(1, ...outputs.map((o) => minSide.get(o) ?? 1));
    },
    run(input, outputs, lean = false) {
      const wanted = new Set(outputs);
      // Only the ancestors of the wanted layers run.
      const needed = new Set<string>();
      const stack = [...outputs];
      while (stack.length) {
        const n = stack.pop()!;
        if (needed.has(n) || n === inputName) continue;
        needed.add(n);
        stack.push(...compiled.get(n)!.inputs);
      }
      const values = new Map<string, tf.Tensor4D>();
      if (inputName) values.set(inputName, input);
      // Consumers still to run of each value (lean mode only).
      const pending = new Map<string, number>();
      if (lean) for (const n of needed) for (const i of compiled.get(n)!.inputs) pending.set(i, (pending.get(i) ?? 0) + 1);
      const out: Record<string, tf.Tensor4D> = {};
      for (const name of order) {
        if (!needed.has(name)) continue;
        const layer = compiled.get(name)!;
        const xs = layer.inputs.map((i) => values.get(i)!);
        const y = lean ? tf.tidy(() => layer.run(xs)) : layer.run(xs);
        values.set(name, y);
        if (wanted.has(name)) out[name] = y;
        if (!lean) continue;
        for (const i of layer.inputs) {
          const left = pending.get(i)! - 1;
          pending.set(i, left);
          if (left > 0 || wanted.has(i) || i === inputName) continue;
          const t = values.get(i)!;
          values.delete(i);
          // An identity layer (a folded BatchNormalization) passes its input on: free it once.
          if (t !== input && ![...values.values()].includes(t)) t.dispose();
        }
      }
      return out;
    },
    dispose() {
      tf.dispose(held);
      for (const l of compiled.values()) tf.dispose(l.held);
    },
  };
}

/** Output length along one axis of a windowed op (conv / pool); ≤ 0 means empty. */
function windowOut(n: number, k: number, s: number, d: number, pad: unknown): number {
  if (n <= 0) return 0;
  if (pad === 'same') return Math.ceil(n / s);
  const eff = (k - 1) * d + 1;
  return n < eff ? 0 : Math.floor((n - eff) / s) + 1;
}

/**
 * For each layer, the smallest square input side for which the layer's
 * output is non-empty (sizes propagated forward through the kept layers;
 * monotone in the input side, so the first side that works is the minimum).
 */
function minSides(kept: readonly KerasLayer[]): Map<string, number> {
  const result = new Map<string, number>();
  const todo = kept.filter((l) => l.class_name !== 'InputLayer');
  for (let n = 1; n <= 16384 && result.size < todo.length; n++) {
    const size = new Map<string, [number, number]>();
    for (const l of kept) {
      const c = l.config;
      if (l.class_name === 'InputLayer') {
        size.set(l.name, [n, n]);
        continue;
      }
      const ins = (l.inbound_nodes[0] ?? []).map((x) => size.get(x[0]) ?? [n, n]);
      let [h, w] = ins.reduce<[number, number]>((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1])], [Infinity, Infinity]);
      if (!Number.isFinite(h)) [h, w] = [n, n];
      if (l.class_name === 'ZeroPadding2D') {
        const p = c.padding as number | number[] | number[][];
        const rows = Array.isArray(p) ? (Array.isArray(p[0]) ? (p as number[][]) : [[p[0] as number, p[0] as number], [p[1] as number, p[1] as number]]) : [[p, p], [p, p]];
        if (h > 0 && w > 0) [h, w] = [h + rows[0]![0]! + rows[0]![1]!, w + rows[1]![0]! + rows[1]![1]!];
      } else if (l.class_name === 'Conv2D' || l.class_name === 'DepthwiseConv2D') {
        const k = pair(c.kernel_size ?? 1);
        const s = pair(c.strides ?? 1);
        const d = pair(c.dilation_rate ?? 1);
        [h, w] = [windowOut(h, k[0], s[0], d[0], c.padding ?? 'valid'), windowOut(w, k[1], s[1], d[1], c.padding ?? 'valid')];
      } else if (l.class_name === 'MaxPooling2D' || l.class_name === 'AveragePooling2D') {
        const k = pair(c.pool_size ?? 2);
        const s = pair(c.strides ?? k);
        [h, w] = [windowOut(h, k[0], s[0], 1, c.padding ?? 'valid'), windowOut(w, k[1], s[1], 1, c.padding ?? 'valid')];
      }
      size.set(l.name, [h, w]);
      if (h > 0 && w > 0 && !result.has(l.name)) result.set(l.name, n);
    }
  }
  return result;
}
