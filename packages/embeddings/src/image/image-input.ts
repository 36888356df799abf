import * as tf from '@tensorflow/tfjs-core';
import { describeValue, InvalidArgumentError, ShapeError } from '@likeness/backends';

/** Pixels as in the DOM's `ImageData`: RGBA bytes, row-major. */
export interface ImageDataLike {
  /** 4 bytes (R, G, B, A; 0–255) per pixel, row by row from the top-left: `width × height × 4` bytes. Alpha is ignored. */
  readonly data: Uint8ClampedArray | Uint8Array;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/**
 * What a browser can draw: `ImageBitmap`, `HTMLImageElement`,
 * `HTMLVideoElement` (the current frame), `HTMLCanvasElement`,
 * `OffscreenCanvas`, `VideoFrame`.
 */
export type DrawableImage = CanvasImageSource;

/**
 * An image as the face pipeline takes it everywhere: a tfjs tensor
 * [H,W,3] (RGB), [H,W,1] (grey) or [H,W,4] (RGBA, alpha dropped) — float32
 * in [0, 1], or int32 0–255 as `tf.browser.fromPixels` returns — an
 * `ImageData`, or anything a browser can draw. The Node entry adds file
 * paths and encoded bytes (`Buffer`, `Uint8Array`).
 */
export type ImageInput = tf.Tensor3D | ImageDataLike | DrawableImage;

/** What {@link toRgbTensor} returns. */
export interface RgbTensor {
  /** RGB [h,w,3] float32 in [0, 1], within the pixel budget. The caller disposes it. */
  readonly image: tf.Tensor3D;
  /** The input's own width in pixels (before any shrinking). */
  readonly width: number;
  /** The input's own height in pixels (before any shrinking). */
  readonly height: number;
  /** `image` pixels per input pixel (1 unless the budget shrank it). */
  readonly scale: number;
}

/** The default working budget: 12 MP (a 4000×3000 photo as it is). */
export const DEFAULT_MAX_PIXELS = 12_000_000;

function isImageDataLike(x: unknown): x is ImageDataLike {
  const v = x as ImageDataLike;
  return v != null && typeof v === 'object' && (v.data instanceof Uint8ClampedArray || v.data instanceof Uint8Array)
    && Number.isInteger(v.width) && Number.isInteger(v.height) && v.data.length === v.width * v.height * 4;
}

function drawableSize(x: unknown): { width: number; height: number } | null {
  if (x == null || typeof x !== 'object') return null;
  const v = x as { videoWidth?: number; videoHeight?: number; naturalWidth?: number; naturalHeight?: number; displayWidth?: number; displayHeight?: number; width?: unknown; height?: unknown };
  if (typeof v.videoWidth === 'number' && v.videoWidth > 0) return { width: v.videoWidth, height: v.videoHeight ?? 0 };
  if (typeof v.naturalWidth === 'number' && v.naturalWidth > 0) return { width: v.naturalWidth, height: v.naturalHeight ?? 0 };
  if (typeof v.displayWidth === 'number' && v.displayWidth > 0) return { width: v.displayWidth, height: v.displayHeight ?? 0 };
  if (typeof v.width === 'number' && typeof v.height === 'number') return { width: v.width, height: v.height };
  return null;
}

/** Fits (w, h) inside the budget, keeping the aspect ratio; never enlarges. */
export function fitToBudget(width: number, height: number, maxPixels: number): {
  /** The fitted width in whole pixels (≥ 1; `width` when it already fits). */
  width: number;
  /** The fitted height in whole pixels (≥ 1; `height` when it already fits). */
  height: number;
  /** Fitted width / original width: 1 when it already fits, else < 1. */
  scale: number;
} {
  if (width * height <= maxPixels) return { width, height, scale: 1 };
  const s = Math.sqrt(maxPixels / (width * height));
  const w = Math.max(1, Math.floor(width * s)), h = Math.max(1, Math.floor(height * s));
  return { width: w, height: h, scale: w / width };
}

/** Draws a browser image onto a canvas no larger than the budget and reads its RGBA pixels back. */
function drawToImageData(source: DrawableImage, width: number, height: number, fn: string, argument: string): ImageDataLike {
  const g = globalThis as unknown as { OffscreenCanvas?: new (w: number, h: number) => OffscreenCanvas; document?: Document };
  let ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;
  if (typeof g.OffscreenCanvas === 'function') {
    ctx = new g.OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | null;
  } else if (g.document) {
    const c = g.document.createElement('canvas');
    c.width = width;
    c.height = height;
    ctx = c.getContext('2d', { willReadFrequently: true });
  }
  if (!ctx) {
    throw new InvalidArgumentError({ fn, argument, message: 'no 2D canvas here to read this image; pass an ImageData or a tensor instead (in Node, a path or the encoded bytes through @likeness/embeddings/node).' });
  }
  ctx.drawImage(source, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

/**
 * Any {@link ImageInput} → an RGB tensor [h,w,3] float32 in [0, 1], shrunk to
 * at most `maxPixels` (bilinear for tensors; browser images are drawn at the
 * reduced size, so the full-size pixels are never copied). Reads pixels with
 * tfjs-core ops and the DOM only: it imports no backend.
 *
 * @example
 * ```ts
 * const { image, scale } = toRgbTensor(videoElement, { maxPixels: 2e6 }); // image [h,w,3] in [0,1]
 * image.dispose();
 * ```
 */
export function toRgbTensor(input: ImageInput, options: { maxPixels?: number; fn?: string; argument?: string } = {}): RgbTensor {
  const fn = options.fn ?? 'toRgbTensor', argument = options.argument ?? 'image';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(typeof maxPixels === 'number' && Number.isFinite(maxPixels) && maxPixels >= 4096)) {
    throw new InvalidArgumentError({ fn, argument: 'options.maxPixels', message: `expected a pixel count ≥ 4096 such as 12_000_000, got ${String(options.maxPixels)}.` });
  }
  if (input instanceof tf.Tensor) {
    if (input.isDisposed) throw new InvalidArgumentError({ fn, argument, message: 'the tensor is disposed; pass a live image tensor.' });
    const c = input.shape[2];
    if (input.rank !== 3 || !(c === 1 || c === 3 || c === 4) || input.shape[0]! < 1 || input.shape[1]! < 1) {
      throw new ShapeError({ fn, argument, expected: 'an image [H,W,3] (RGB), [H,W,1] (grey) or [H,W,4] (RGBA)', actual: input.shape });
    }
    const [height, width] = input.shape as [number, number, number];
    const fit = fitToBudget(width, height, maxPixels);
    const image = tf.tidy(() => {
      let x: tf.Tensor3D = input.dtype === 'float32' ? input : tf.div(tf.cast(input, 'float32'), 255);
      if (c === 4) x = tf.slice(x, [0, 0, 0], [-1, -1, 3]);
      if (fit.scale !== 1) x = tf.image.resizeBilinear(x, [fit.height, fit.width], true);
      if (c === 1) x = tf.tile(x, [1, 1, 3]);
      return x === input ? tf.clone(x) : x;
    });
    return { image, width, height, scale: fit.scale };
  }
  let pixels: ImageDataLike;
  let width: number, height: number;
  if (isImageDataLike(input)) {
    ({ width, height } = input);
    pixels = input;
  } else {
    const size = drawableSize(input);
    if (!size || !(size.width > 0 && size.height > 0)) {
      throw new InvalidArgumentError({ fn, argument, message: `expected an image tensor [H,W,3], an ImageData, or a loaded ImageBitmap/HTMLImageElement/HTMLVideoElement/HTMLCanvasElement (in Node, a path or encoded bytes through @likeness/embeddings/node), got ${describeValue(input)}${size ? ' with no pixels yet (wait for it to load)' : ''}.` });
    }
    ({ width, height } = size);
    const fit = fitToBudget(width, height, maxPixels);
    pixels = drawToImageData(input as DrawableImage, fit.width, fit.height, fn, argument);
  }
  const rgb = new Float32Array(pixels.width * pixels.height * 3);
  const d = pixels.data;
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = d[i]! / 255;
    rgb[j + 1] = d[i + 1]! / 255;
    rgb[j + 2] = d[i + 2]! / 255;
  }
  let image = tf.tensor3d(rgb, [pixels.height, pixels.width, 3]);
  let scale = pixels.width / width;
  const fit = fitToBudget(pixels.width, pixels.height, maxPixels);
  if (fit.scale !== 1) {
    const small = tf.tidy(() => tf.image.resizeBilinear(image, [fit.height, fit.width], true));
    image.dispose();
    image = small;
    scale *= fit.scale;
  }
  return { image, width, height, scale };
}
