import * as tf from '@tensorflow/tfjs-core';
import { assertTensor, InvalidArgumentError, ShapeError } from '@likeness/backends';
import type { DetectedFace, FaceDetectorAdapter } from './face-detector';

/** Options of {@link tiledFaceDetector}. */
export interface TiledDetectOptions {
  /** Tile side in pixels: the detector's input size keeps faces at their own size. @defaultValue `416` */
  tileSize?: number;
  /** Overlap between neighbouring tiles, as a fraction of the tile: a face cut by one tile is whole in the next. @defaultValue `0.25` */
  overlap?: number;
  /** Images whose larger side is at most this are searched whole, without tiles. @defaultValue `tileSize · 1.5` */
  minSide?: number;
  /** Also run the detector on the whole image (for faces larger than a tile). @defaultValue `true` */
  whole?: boolean;
  /**
   * The whole-image pass sees the image shrunk to at most this larger side
   * (the detectors look at 224–608 px anyway; faces small enough to suffer
   * are the tiles' job), so it never copies a large photo at full size.
   * @defaultValue `2 · tileSize`
   */
  wholeMaxSide?: number;
  /**
   * At most this many tiles per image: on a larger image the tiles grow (by
   * 25 % steps) until they fit, so the cost stays bounded and the smallest
   * face found grows with the image. @defaultValue `Infinity`
   */
  maxTiles?: number;
}

/** Options of a {@link TiledFaceDetector}'s `search`. */
export interface TiledSearchOptions {
  /**
   * Faces already found in this image (another detector's pass), in its
   * pixels: a tile wholly covered by them and by the whole-image pass's
   * faces is not searched (it cannot hold another face). They are not part
   * of the answer.
   */
  known?: readonly DetectedFace[];
  /**
   * Called with the whole-image pass's faces merged with `known`; returning
   * `true` skips every tile (the caller has what it needs, e.g. the largest
   * faces, and knows the tiles can only add smaller ones).
   */
  skipTiles?: (found: readonly DetectedFace[]) => boolean;
}

/** What a {@link TiledFaceDetector}'s `search` found and what it cost. */
export interface TiledSearchResult {
  /** Every face found, one detection per face, in the image's pixels. */
  readonly detections: DetectedFace[];
  /** Detector passes that ran (the whole image counts one). */
  readonly passes: number;
  /** Tiles of the layout not searched: wholly covered by faces already found, or all of them after `skipTiles`. */
  readonly tilesSkipped: number;
}

/** A {@link tiledFaceDetector}: a FaceDetectorAdapter with its layout and a search that reports its cost. */
export interface TiledFaceDetector extends FaceDetectorAdapter {
  /** How many tiles `detect` runs the detector on for an image of this size (0: the whole image once), at most. */
  tilesOf(height: number, width: number): number;
  /**
   * `detect` with faces already known (covered tiles skipped) and the
   * number of passes that ran.
   */
  search(image: tf.Tensor3D, options?: TiledSearchOptions): Promise<TiledSearchResult>;
  /**
   * The largest face the tiles are laid out to find whole (`overlap` × the
   * tile side used on an image of this size); larger faces are the whole
   * image pass's job.
   */
  tileFaceLimit(height: number, width: number): number;
}

/** Intersection over the smaller box: 1 when one box lies inside the other. */
function overlapOfSmaller(a: DetectedFace['box'], b: DetectedFace['box']): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.width * a.height, b.width * b.height);
}

/**
 * Merges detections of one face from several passes: highest score first, a
 * detection is dropped when more than `threshold` of the smaller box lies
 * in a kept one (a face cut by a tile edge, or found at two scales).
 *
 * @example
 * ```ts
 * const faces = mergeDetections([...wholePass, ...tilePass]); // one detection per face
 * ```
 */
export function mergeDetections(detections: readonly DetectedFace[], threshold = 0.5): DetectedFace[] {
  const sorted = detections.slice().sort((a, b) => b.score - a.score);
  const kept: DetectedFace[] = [];
  for (const d of sorted) if (!kept.some((k) => overlapOfSmaller(k.box, d.box) > threshold)) kept.push(d);
  return kept;
}

/** Whether the union of `boxes` covers the rectangle [x0, x1) × [y0, y1) entirely (exact: every cell between the boxes' edges is tested). */
function covered(x0: number, y0: number, x1: number, y1: number, boxes: readonly DetectedFace['box'][]): boolean {
  const inside = boxes.filter((b) => b.x < x1 && b.x + b.width > x0 && b.y < y1 && b.y + b.height > y0);
  if (inside.length === 0) return false;
  const cut = (lo: number, hi: number, edges: number[]) => [...new Set([lo, hi, ...edges.filter((e) => e > lo && e < hi)])].sort((a, b) => a - b);
  const xs = cut(x0, x1, inside.flatMap((b) => [b.x, b.x + b.width]));
  const ys = cut(y0, y1, inside.flatMap((b) => [b.y, b.y + b.height]));
  for (let i = 0; i + 1 < xs.length; i++) {
    for (let j = 0; j + 1 < ys.length; j++) {
      const cx = (xs[i]! + xs[i + 1]!) / 2, cy = (ys[j]! + ys[j + 1]!) / 2;
      if (!inside.some((b) => cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height)) return false;
    }
  }
  return true;
}

/** Tile origins along one axis: the fewest tiles of `tile` px, at most `step` apart, evenly spread from 0 to size − tile. */
function origins(size: number, tile: number, step: number): number[] {
  if (size <= tile) return [0];
  const n = Math.ceil((size - tile) / step) + 1;
  return Array.from({ length: n }, (_, i) => Math.round((i * (size - tile)) / (n - 1)));
}

/**
 * Wraps a detector in a tiled search for small faces: the image is cut into
 * overlapping tiles of the detector's input size, so a 30 px face reaches
 * the detector at 30 px instead of being shrunk with the whole photo. The
 * detector first runs on the whole image (shrunk, for faces larger than a
 * tile); a tile wholly covered by the faces found so far (and by `known`
 * ones, see `search`) is skipped, as it cannot hold another face; the
 * tiles then add the faces the whole-image pass missed ({@link
 * mergeDetections}; a face both found keeps the whole-image detection).
 * Small images are searched whole. Each tile is a slice of the image (no
 * copy of the whole).
 *
 * @example
 * ```ts
 * const search = tiledFaceDetector(await createFaceApiDetector(faceapi, { kind: 'tiny', inputSize: 416, modelPath }));
 * const faces = await search.detect(groupPhoto); // every face, small ones included, in groupPhoto's pixels
 * const { detections, passes } = await search.search(groupPhoto, { known: tinyPassFaces }); // covered tiles skipped
 * ```
 */
export function tiledFaceDetector(detector: FaceDetectorAdapter, options: TiledDetectOptions = {}): TiledFaceDetector {
  const fn = 'tiledFaceDetector';
  if (detector == null || typeof detector.detect !== 'function') {
    throw new InvalidArgumentError({ fn, argument: 'detector', message: 'expected a FaceDetectorAdapter with detect(image).' });
  }
  const tile = options.tileSize ?? 416;
  if (!(Number.isInteger(tile) && tile >= 32)) throw new InvalidArgumentError({ fn, argument: 'options.tileSize', message: `expected an integer ≥ 32 such as 416, got ${String(options.tileSize)}.` });
  const overlap = options.overlap ?? 0.25;
  if (!(typeof overlap === 'number' && overlap >= 0 && overlap < 0.9)) throw new InvalidArgumentError({ fn, argument: 'options.overlap', message: `expected a fraction in [0, 0.9), got ${String(options.overlap)}.` });
  const minSide = options.minSide ?? Math.round(tile * 1.5);
  const maxTiles = options.maxTiles ?? Infinity;
  if (!(maxTiles === Infinity || (Number.isInteger(maxTiles) && maxTiles >= 1))) throw new InvalidArgumentError({ fn, argument: 'options.maxTiles', message: `expected a positive integer such as 24, got ${String(options.maxTiles)}.` });
  /** The tile side used on an h × w image (grown until at most maxTiles tiles) and the tile origins. */
  const layout = (h: number, w: number) => {
    let t = tile;
    for (;;) {
      const step = Math.max(1, Math.round(t * (1 - overlap)));
      const ys = origins(h, Math.min(t, h), step), xs = origins(w, Math.min(t, w), step);
      if (ys.length * xs.length <= maxTiles || t >= Math.max(h, w)) return { t, ys, xs };
      t = Math.ceil(t * 1.25);
    }
  };
  const wholeMaxSide = options.wholeMaxSide ?? 2 * tile;
  if (!(Number.isInteger(wholeMaxSide) && wholeMaxSide >= 32)) throw new InvalidArgumentError({ fn, argument: 'options.wholeMaxSide', message: `expected an integer ≥ 32, got ${String(options.wholeMaxSide)}.` });
  /** The whole-image pass on a copy no larger than wholeMaxSide, detections mapped back (align-corners resize). */
  const detectShrunk = async (image: tf.Tensor3D): Promise<DetectedFace[]> => {
    const [H, W] = image.shape;
    if (Math.max(H, W) <= wholeMaxSide) return detector.detect(image);
    const k = wholeMaxSide / Math.max(H, W);
    const h = Math.max(1, Math.round(H * k)), w = Math.max(1, Math.round(W * k));
    const small = tf.tidy(() => tf.image.resizeBilinear(image, [h, w], true));
    let found: DetectedFace[];
    try {
      found = await detector.detect(small);
    } finally {
      small.dispose();
    }
    const sx = (w - 1) / Math.max(1, W - 1), sy = (h - 1) / Math.max(1, H - 1);
    return found.map((d) => ({
      box: { x: d.box.x / sx, y: d.box.y / sy, width: d.box.width / sx, height: d.box.height / sy },
      score: d.score,
      ...(d.landmarks ? { landmarks: d.landmarks.map((p) => ({ x: p.x / sx, y: p.y / sy })) } : {}),
    }));
  };
  const tilesOf = (h: number, w: number) => {
    if (Math.max(h, w) <= minSide) return 0;
    const { ys, xs } = layout(h, w);
    return ys.length * xs.length;
  };
  const tileFaceLimit = (h: number, w: number) => overlap * layout(h, w).t;
  async function search(image: tf.Tensor3D, opts: TiledSearchOptions = {}): Promise<TiledSearchResult> {
    const name = 'tiledFaceDetector.search';
    assertTensor(image, name, 'image');
    if (image.rank !== 3 || image.shape[2] !== 3) throw new ShapeError({ fn: name, argument: 'image', expected: 'an RGB image [H,W,3] in [0,1]', actual: image.shape });
    if (opts == null || typeof opts !== 'object') throw new InvalidArgumentError({ fn: name, argument: 'options', message: 'expected an options object { known?, skipTiles? }.' });
    const known = opts.known ?? [];
    if (!Array.isArray(known) || !known.every((d) => d != null && d.box != null && [d.box.x, d.box.y, d.box.width, d.box.height].every(Number.isFinite))) {
      throw new InvalidArgumentError({ fn: name, argument: 'options.known', message: 'expected an array of detections with finite boxes (DetectedFace[]).' });
    }
    const [H, W] = image.shape;
    if (Math.max(H, W) <= minSide) return { detections: await detector.detect(image), passes: 1, tilesSkipped: 0 };
    // 1. the downscaled whole-image pass first: the faces it finds cover their tiles
    const whole: DetectedFace[] = options.whole === false ? [] : mergeDetections(await detectShrunk(image));
    let passes = options.whole === false ? 0 : 1;
    const { t, ys, xs } = layout(H, W);
    if (opts.skipTiles?.(mergeDetections([...known, ...whole]))) return { detections: whole, passes, tilesSkipped: ys.length * xs.length };
    const boxes = [...known, ...whole].map((d) => d.box);
    const fromTiles: DetectedFace[] = [];
    let tilesSkipped = 0;
    for (const y0 of ys) {
      for (const x0 of xs) {
        const th = Math.min(t, H), tw = Math.min(t, W);
        // 2. a tile wholly inside faces already found holds no other face
        if (covered(x0, y0, x0 + tw, y0 + th, boxes)) { tilesSkipped++; continue; }
        const part = tf.slice(image, [y0, x0, 0], [th, tw, 3]);
        let found: DetectedFace[];
        try {
          found = await detector.detect(part);
        } finally {
          part.dispose();
        }
        passes++;
        for (const d of found) {
          fromTiles.push({
            box: { x: d.box.x + x0, y: d.box.y + y0, width: d.box.width, height: d.box.height },
            score: d.score,
            ...(d.landmarks ? { landmarks: d.landmarks.map((p) => ({ x: p.x + x0, y: p.y + y0 })) } : {}),
          });
        }
      }
    }
    // 3. the tiles add faces: one the whole-image pass found keeps that detection (the same whether or not tiles ran)
    const added = mergeDetections(fromTiles).filter((d) => !whole.some((k) => overlapOfSmaller(k.box, d.box) > 0.5));
    return { detections: [...whole, ...added], passes, tilesSkipped };
  }
  return {
    tilesOf,
    tileFaceLimit,
    search,
    async detect(image: tf.Tensor3D): Promise<DetectedFace[]> {
      assertTensor(image, 'tiledFaceDetector.detect', 'image');
      if (image.rank !== 3 || image.shape[2] !== 3) throw new ShapeError({ fn: 'tiledFaceDetector.detect', argument: 'image', expected: 'an RGB image [H,W,3] in [0,1]', actual: image.shape });
      return (await search(image)).detections;
    },
  };
}
