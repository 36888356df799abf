import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@likeness/backends';
import { checkImages } from './internal/check-images';
import { checkMinSide } from './internal/check-min-side';
import { colorMoments, keepOriginalColors, luminance3, matchLuminance, transferColors } from './internal/color';
import {
  createStyleTransfer,
  type ProgressEvent,
  type RunResult,
  type StepReport,
  type StyleImage,
  type StyleTransferOptions,
} from './style-transfer';

/**
 * What {@link styleTransfer} resolves to: a {@link RunResult} over the whole schedule plus the time
 * it took. Its `image` is the result at the content's size, [1,H,W,3] in [0,1] (the caller owns it:
 * dispose it); its `history` holds one report per iteration over all scales, coarsest first
 * (`iteration` restarts at 1 at each scale).
 */
export interface StyleTransferResult extends RunResult {
  /** Wall-clock seconds of the whole call, checks and colour mapping included. */
  seconds: number;
}

/** Options of {@link styleTransfer}: those of createStyleTransfer plus the schedule. */
export interface StyleTransferRunOptions extends Omit<StyleTransferOptions, 'initImage'> {
  /**
   * Coarse-to-fine schedule: fractions of the content's size, ascending,
   * ending at 1. Each level starts from the previous result upsampled.
   * @defaultValue [1]
   */
  scales?: readonly number[];
  /** Iterations per scale (one number for every scale). @defaultValue 200 */
  iterations?: number | readonly number[];
  /**
   * Each style image is resized so its longer side is this × the content's
   * longer side (at each scale): values above 1 magnify the style's strokes,
   * and the result's. Give the style at about the content's size (as the CLI
   * does): a style image already that large keeps its finer detail, which
   * came back as fine grain on textured styles (docs/COMPARISON.md).
   * One number for every scale, or one per scale (e.g. `[2, 1]`: magnified
   * strokes at the coarse level, the style's own texture at the fine one).
   * @defaultValue extractor.defaults.styleScale, else 1
   */
  styleScale?: number | readonly number[];
  /**
   * Adam warm-up at every level: the step grows linearly from
   * `learningRate / n` to `learningRate` over each level's first `n`
   * iterations (see createStyleTransfer). A fresh Adam at the fine level
   * otherwise moves every pixel by the full step at once, whatever the
   * gradient, which laid a < 4 px grain over the result (docs/COMPARISON.md:
   * 25 took tubingen × the scream to its stroke target; 0 turns it off).
   * Also on levels shorter than `n` (e.g. 33 + 17 iterations) 25 ended at a
   * lower loss with less grain than half the level or none (measured).
   * Ignored by L-BFGS.
   * @defaultValue 25
   */
  learningRateWarmup?: number;
  /** Transfer on luminance only and keep the content's colours (Gatys et al. 2016). @defaultValue false */
  preserveColors?: boolean;
  /**
   * After the last scale, `'style'` maps the result's colours to the mean and
   * covariance of the style images' pixels (the linear colour transfer
   * `initColors: 'style'` starts from, applied again): the optimisation's
   * colour drift (speckles of colours the style lacks) is taken out, and a
   * greyscale style gives a greyscale result. `'none'` returns the optimised
   * pixels as they are. Ignored with `preserveColors`.
   * @defaultValue 'style'
   */
  finalColors?: 'style' | 'none';
  /** Called after every iteration at every scale; `image` as in createStyleTransfer's run. */
  onProgress?: (event: ProgressEvent & { scale: number; scaleIndex: number }) => void | Promise<void>;
  /** @defaultValue 0 (image only on the last iteration of each scale) */
  progressEvery?: number;
  /** Cancels between iterations; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

function resize(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  return x.shape[1] === h && x.shape[2] === w ? tf.clone(x) : tf.image.resizeBilinear(x, [h, w], true);
}

/**
 * Neural style transfer from start to finish: coarse-to-fine scales, style
 * scale, style blends and masks, optional colour preservation, progress with
 * intermediate images, cancellation. Returns the final image (caller owns).
 *
 * @example
 * ```ts
 * const { image } = await styleTransfer({
 *   extractor, content, styles: [style],    // content [1,384,512,3]
 *   scales: [0.5, 1], iterations: [150, 100],
 * });                                        // image [1,384,512,3]
 * ```
 */
export async function styleTransfer(options: StyleTransferRunOptions): Promise<StyleTransferResult> {
  const fn = 'styleTransfer';
  const t0 = Date.now();
  const content = checkImages(options?.content, fn, 'options.content');
  const scales = options.scales ?? [1];
  if (!Array.isArray(scales) || scales.length === 0 || scales.some((s, i) => !(s > 0 && s <= 1) || (i > 0 && s <= scales[i - 1]!)) || scales.at(-1) !== 1) {
    throw new InvalidArgumentError({ fn, argument: 'options.scales', message: 'expected ascending fractions in (0,1] ending with 1, e.g. [0.5, 1].' });
  }
  const its = typeof options.iterations === 'number' || options.iterations === undefined ? scales.map(() => (options.iterations as number | undefined) ?? 200) : [...options.iterations];
  if (its.length !== scales.length || its.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError({ fn, argument: 'options.iterations', message: `expected a non-negative integer or one per scale (${scales.length}).` });
  }
  const styleScaleOption = options.styleScale ?? options.extractor?.defaults?.styleScale ?? 1;
  const styleScales = Array.isArray(styleScaleOption) ? [...(styleScaleOption as readonly number[])] : scales.map(() => styleScaleOption as number);
  if (styleScales.length !== scales.length || styleScales.some((v) => !(typeof v === 'number' && v > 0 && Number.isFinite(v)))) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.styleScale',
      message: `expected a positive number or one per scale (${scales.length}), got ${JSON.stringify(styleScaleOption)}.`,
    });
  }
  if (!Array.isArray(options.styles) || options.styles.length === 0) {
    throw new InvalidArgumentError({ fn, argument: 'options.styles', message: 'expected a non-empty array of style images.' });
  }
  const finalColors = options.finalColors ?? 'style';
  if (finalColors !== 'style' && finalColors !== 'none') {
    throw new InvalidArgumentError({ fn, argument: 'options.finalColors', message: `expected 'style' or 'none', got ${JSON.stringify(finalColors)}.` });
  }
  const styles: StyleImage[] = options.styles.map((s) => (s instanceof tf.Tensor ? { image: s as tf.Tensor4D } : (s as StyleImage)));
  styles.forEach((s, i) => checkImages(s?.image, fn, `options.styles[${i}]`));
  const [, H, W] = content.shape;
  const levelSize = (k: number): [number, number] => [Math.max(1, Math.round(H * scales[k]!)), Math.max(1, Math.round(W * scales[k]!))];
  // Each style is resized so its longer side is styleScale × the level's longer side.
  const styleSize = (s: StyleImage, k: number, h: number, w: number): [number, number] => {
    const [, sh, sw] = s.image.shape;
    const f = (Math.max(h, w) * styleScales[k]!) / Math.max(sh, sw);
    return [Math.max(1, Math.round(sh * f)), Math.max(1, Math.round(sw * f))];
  };
  // Every level's images must be large enough for the network (the coarsest scale is the binding one).
  const ex = options.extractor;
  if (ex != null && typeof ex.minInputSide === 'function') {
    const d = ex.defaults;
    const styleLayers = options.styleLayers ?? d?.styleLayers ?? [];
    const allLayers = [...new Set([...(options.contentLayers ?? d?.contentLayers ?? []), ...styleLayers])];
    for (let k = 0; k < scales.length; k++) {
      const [h, w] = levelSize(k);
      const at = `at scale ${scales[k]} of options.scales`;
      checkMinSide(ex, allLayers, h, w, fn, 'options.content', `the content ${at}`);
      styles.forEach((s, i) => {
        const [sh, sw] = styleSize(s, k, h, w);
        checkMinSide(ex, styleLayers, sh, sw, fn, `options.styles[${i}]`, `style ${i} ${at}, resized by styleScale`);
      });
    }
  }
  const history: StepReport[] = [];
  let current: tf.Tensor4D | null = null;
  try {
    for (let k = 0; k < scales.length; k++) {
      const [h, w] = levelSize(k);
      const owned: tf.Tensor[] = [];
      const c = resize(content, h, w);
      owned.push(c);
      const levelStyles: StyleImage[] = styles.map((s) => {
        let img = resize(s.image, ...styleSize(s, k, h, w));
        if (options.preserveColors) {
          const m = matchLuminance(img, c);
          img.dispose();
          img = m;
        }
        owned.push(img);
        let mask: tf.Tensor | undefined;
        if (s.mask) {
          mask = tf.image.resizeBilinear(tf.reshape(tf.cast(s.mask, 'float32'), [1, H, W, 1]) as tf.Tensor4D, [h, w], true);
          owned.push(mask);
        }
        return { image: img, weight: s.weight, mask };
      });
      const levelContent = options.preserveColors ? luminance3(c) : c;
      if (levelContent !== c) owned.push(levelContent);
      let initImage: tf.Tensor4D | undefined;
      if (current) {
        initImage = resize(current, h, w);
        if (options.preserveColors) {
          const l = luminance3(initImage);
          initImage.dispose();
          initImage = l;
        }
        owned.push(initImage);
      }
      const engine = (() => {
        try {
          return createStyleTransfer({ ...options, learningRateWarmup: options.learningRateWarmup ?? 25, initColors: options.preserveColors ? 'content' : options.initColors, content: levelContent, styles: levelStyles, initImage });
        } catch (e) {
          tf.dispose(owned);
          throw e;
        }
      })();
      try {
        const r = await engine.run({
          iterations: its[k],
          signal: options.signal,
          progressEvery: options.progressEvery,
          onProgress: options.onProgress
            ? async (e) => {
                if (e.image && options.preserveColors) {
                  const colored = keepOriginalColors(e.image, c);
                  try {
                    await options.onProgress!({ ...e, image: colored, scale: scales[k]!, scaleIndex: k });
                  } finally {
                    colored.dispose();
                  }
                } else await options.onProgress!({ ...e, scale: scales[k]!, scaleIndex: k });
              }
            : undefined,
        });
        history.push(...r.history);
        current?.dispose();
        current = r.image;
      } finally {
        engine.dispose();
        tf.dispose(owned);
      }
    }
    let image = current!;
    if (options.preserveColors) {
      const colored = keepOriginalColors(image, content);
      image.dispose();
      image = colored;
    } else if (finalColors === 'style') {
      const colored = transferColors(
        image,
        colorMoments(
          styles.map((s) => s.image),
          styles.map((s) => s.weight ?? 1),
        ),
      );
      image.dispose();
      image = colored;
    }
    current = null;
    return { image, history, seconds: (Date.now() - t0) / 1000 };
  } finally {
    current?.dispose();
  }
}
