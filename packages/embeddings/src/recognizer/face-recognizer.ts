import * as tf from '@tensorflow/tfjs-core';
import { describeValue, InvalidArgumentError } from '@likeness/backends';
import type { Encoder } from '../encoder';
import { faceResNetUrlHandler, loadFaceResNet } from '../encoder/face-resnet';
import { flipAveragedEncoder } from '../encoder/flip-averaged-encoder';
import { NoFaceFoundError } from '../errors/no-face-found-error';
import { alignFace, landmarks68To5 } from '../face/align-face';
import { createFaceApiDetector, type FaceApiModule } from '../face/face-api-detector';
import type { DetectedFace, FaceDetectorAdapter } from '../face/face-detector';
import { refineFaceLandmarks } from '../face/refine-landmarks';
import { detectFacesRobust } from '../face/robust-detect';
import { mergeDetections, tiledFaceDetector } from '../face/tiled-detect';
import type { Point } from '../face/similarity-transform';
import type { Gallery } from '../gallery/gallery';
import type { GalleryHit } from '../gallery/gallery-store';
import { DEFAULT_MAX_PIXELS, toRgbTensor, type ImageInput, type RgbTensor } from '../image/image-input';
import {
  calibrateFaceThreshold, confidenceFromDistance, DEFAULT_FACE_CALIBRATION, parseFaceCalibration, type CalibrateOptions, type FaceCalibration,
} from './face-calibration';

/** A face's bounding box in the input image's pixels. */
export interface FaceBox {
  /** Left edge, pixels from the input image's left (may be negative: boxes can reach past the edges). */
  readonly x: number;
  /** Top edge, pixels from the input image's top (may be negative). */
  readonly y: number;
  /** Width in input pixels. */
  readonly width: number;
  /** Height in input pixels. */
  readonly height: number;
}

/** One face found by {@link FaceRecognizer.detect}. */
export interface FoundFace {
  /** The detector's box, in the input image's pixels (may reach past its edges). */
  readonly box: FaceBox;
  /** The 68 iBUG landmarks (or the detector's 5), in the input image's pixels. */
  readonly landmarks: readonly Point[];
  /** Detection confidence in [0, 1]. */
  readonly score: number;
  /**
   * A heuristic quality in [0, 1]: the detection score × a size factor
   * (eyes ≥ 24 px apart in the input → 1) × a frontality factor (the nose
   * tip on the eyes' midline → 1, half an eye distance off → 0). Use it to
   * pick the best enrolment photo or reject poor camera frames.
   */
  readonly quality: number;
  /**
   * Whether the main detector found the face again on a crop around it at
   * its native scale (`refineLandmarks`); `false` marks a weak detection —
   * a profile, or not a face at all (see {@link FaceRecognizerOptions.dropUnconfirmedBelow}).
   * Always `true` with `refineLandmarks: false`.
   */
  readonly confirmed: boolean;
}

/** One face with its descriptor, from {@link FaceRecognizer.embed}. */
export interface EmbeddedFace extends FoundFace {
  /** The 128-d descriptor (plain L2 between descriptors; see {@link FaceCalibration}). */
  readonly descriptor: Float32Array;
  /** The aligned 150×150 RGB crop [150,150,3] in [0, 1], when `crops: true`. The caller disposes it. */
  readonly crop?: tf.Tensor3D;
}

/** One face with its answer, from {@link FaceRecognizer.identify}. */
export interface IdentifiedFace extends EmbeddedFace {
  /** The nearest enrolled identity within the threshold, or `null` (unknown). */
  readonly identity: string | null;
  /** Plain L2 distance to the nearest enrolled descriptor. */
  readonly distance: number;
  /** Calibrated confidence that the face is the nearest identity ({@link confidenceFromDistance}). */
  readonly confidence: number;
  /** Up to k nearest identities, nearest first. */
  readonly candidates: readonly GalleryHit[];
}

/** What was searched, and how long each stage took. */
export interface FaceSearch<F> {
  /** One entry per face, largest first. Empty when none was found. */
  readonly faces: readonly F[];
  /** Whether any face was found; when false, `tried` says what was tried. */
  readonly found: boolean;
  /** What the search tried: detector passes, borders and the small-face search. */
  readonly tried: {
    /** Detector passes that ran. */
    readonly attempts: number;
    /** The borders of pad-and-retry (fractions of the larger side). */
    readonly borders: readonly number[];
    /** The border and scale of the pad-and-retry attempt that found the faces, or null. */
    readonly attempt: {
      /** The border that found them: a fraction of the working image's larger side, added on every side. */
      readonly border: number;
      /** The scale factor of that attempt (1: pad-and-retry runs at the working image's size). */
      readonly scale: number;
    } | null;
    /**
     * The small-face search's passes that ran (whole image + tiles not
     * skipped), else 0 (image below its `minSide`, or turned off).
     */
    readonly smallFacePasses: number;
    /**
     * Tiles of the small-face search not run: wholly covered by faces
     * already found, or, for a call that wants only the largest faces
     * (`maxFaces`), all of them once the whole-image passes found that many
     * faces too large for a tile to hold.
     */
    readonly tilesSkipped: number;
  };
  /** The input's width in pixels (before the pixel budget). */
  readonly width: number;
  /** The input's height in pixels (before the pixel budget). */
  readonly height: number;
  /** The working image's pixels per input pixel (< 1 when the pixel budget shrank the input). */
  readonly scale: number;
  /** Milliseconds per stage: decode (to a tensor), detect, align (crops), embed. */
  readonly timings: {
    /** Reading the input into an RGB tensor within the pixel budget (decoding a file, drawing, shrinking). */
    readonly decode: number;
    /** Every detector pass: the main one, the small-face search, pad-and-retry and the landmark refinement. */
    readonly detect: number;
    /** Cropping and aligning the faces (0 for `detect`, or when no face was found). */
    readonly align: number;
    /** The encoder on the crops (0 for `detect`, or when no face was found). */
    readonly embed: number;
  };
}

/** The answer of {@link FaceRecognizer.verify}. */
export interface FaceVerification {
  /** Same person: distance ≤ threshold. */
  readonly same: boolean;
  /** Plain (not squared) L2 distance between the two descriptors. */
  readonly distance: number;
  /** Calibrated confidence that both show one person. */
  readonly confidence: number;
  /** The threshold of the calibration in use (plain L2). */
  readonly threshold: number;
  /** The faces compared (the largest of each image; absent for a descriptor given directly). */
  readonly a?: EmbeddedFace;
  /** The largest face of `b`; absent when `b` was a descriptor. */
  readonly b?: EmbeddedFace;
}

/** Options of {@link createFaceRecognizer}. */
export interface FaceRecognizerOptions {
  /**
   * The face-api module (`import * as faceapi from '@vladmandic/face-api'`);
   * with {@link modelUrl}, the default detector is its Tiny Face Detector
   * (input 224) and 68-landmark net. Not needed when `detector` is given.
   * The Node entry supplies it.
   */
  faceapi?: FaceApiModule;
  /**
   * Where face-api's model files are (a URL prefix in a browser, a folder in
   * Node): the detector, the landmark net and the recognition weights.
   */
  modelUrl?: string;
  /** Any detector instead of face-api's (must return landmarks: 5 or 68 points). */
  detector?: FaceDetectorAdapter;
  /** Any encoder of 150×150 RGB crops instead of the dlib ResNet (yours to dispose). */
  encoder?: Encoder;
  /** Average each descriptor with its mirror image's. @defaultValue `true` */
  flipAveraging?: boolean;
  /** Threshold and confidence curve. @defaultValue {@link DEFAULT_FACE_CALIBRATION} */
  calibration?: FaceCalibration;
  /**
   * Working pixel budget: a larger input is shrunk to it first (a 6000×4000
   * photo → 12 MP; in Node while decoding), and each detector attempt sees
   * at most 2048² px. Measured peak for a 6000×4000 photo at the default:
   * 449 MB of tensors (README); it scales roughly with `maxPixels`.
   * @defaultValue `12_000_000`
   */
  maxPixels?: number;
  /** Ignore detections below this score. @defaultValue `0.5` */
  minScore?: number;
  /** Pad-and-retry borders (see `detectFacesRobust`). @defaultValue `[0, 0.25, 0.5, 1]` */
  borders?: readonly number[];
  /**
   * The search for faces too small for the main detector (Tiny at 224 px
   * sees a 2000 px group photo at 1/9 scale): on images whose larger side
   * is at least `minSide`, a second detector (face-api's SSD by default, or
   * `detector`) runs on the whole image and on overlapping `tileSize`
   * tiles (`tiledFaceDetector`), merged with the main pass. Smaller tiles
   * find smaller faces and cost more passes: 512 (SSD's own input size)
   * keeps a 30 px face at 30 px; 1024 is ~4× cheaper and finds faces from
   * about 60 px (README: measured). At most `maxTiles` tiles per image:
   * on larger photos the tiles grow, so a 4000×3000 photo costs 20 tiles of
   * 1000 px (faces from ≈ 60 px) instead of 88 of 512. The whole-image pass
   * runs first; tiles wholly covered by faces already found are skipped. A
   * call that wants only the largest faces (`maxFaces`; `verify`, `enrol`,
   * `calibrate`) skips every tile once the main and whole-image passes found
   * that many faces larger than a tile is laid out to hold (`overlap` × tile
   * side, 128 px at 512) that no rule can drop (score ≥
   * `dropUnconfirmedBelow`); a face found by the whole-image pass keeps that
   * detection when the tiles run too, so it gets the same framing and
   * descriptor whichever call embeds it. `false` turns the search off.
   * @defaultValue `{ minSide: 448, tileSize: 512, maxTiles: 24 }`
   */
  smallFaces?: false | {
    /**
     * Run the search only on images whose larger side (after the pixel
     * budget) is at least this many pixels; an integer ≥ 32. @defaultValue `448`
     */
    minSide?: number;
    /** Side of the tiles in pixels before they grow to respect `maxTiles`. @defaultValue `512` */
    tileSize?: number;
    /** At most this many tiles per image (the tiles grow on larger photos). @defaultValue `24` */
    maxTiles?: number;
    /**
     * The detector run on the whole image and the tiles (must return
     * landmarks). Without it, face-api's SSD-MobileNet v1 (up to 100 faces)
     * when `faceapi` is given, else no small-face search.
     */
    detector?: FaceDetectorAdapter;
  };
  /**
   * Re-detect each face's landmarks on a crop around it resampled to the
   * main detector's native input (224 px, the face ≈ 100 px;
   * `refineFaceLandmarks`), so a face's framing and descriptor do not
   * depend on the photo's size or on which pass found it. One extra
   * detector pass per face. @defaultValue `true`
   */
  refineLandmarks?: boolean;
  /**
   * Drop a face the refining pass did not confirm (`confirmed: false`) when
   * its detection score is below this; a weaker unconfirmed face is kept,
   * flagged. Measured: the one non-face of the CLI demo's six photos (a
   * shoulder, score 0.590) is unconfirmed, as is one real profile (0.75);
   * every other demo face (≥ 0.80) and all 400 ORL faces are confirmed.
   * `0` keeps everything. @defaultValue `0.7`
   */
  dropUnconfirmedBelow?: number;
  /** @internal Decoder for inputs the main entry cannot read (the Node entry's paths and bytes). */
  decode?: (input: unknown, fn: string, argument: string, maxPixels: number) => Promise<RgbTensor | null>;
  /** @internal Whether `dispose()` disposes `encoder` (the Node entry loads it for the caller). */
  disposeEncoder?: boolean;
}

/** Options of the per-image calls. */
export interface EmbedOptions {
  /** Keep each face's aligned crop in the result (you dispose them). @defaultValue `false` */
  crops?: boolean;
  /** At most this many faces, the largest. @defaultValue all */
  maxFaces?: number;
}

/** What {@link FaceRecognizer.calibrate} takes: labelled photos (one face each: the largest is used). */
export interface LabelledImage<I> {
  /** A photo of the person, in any form the recognizer reads (its largest face is used). */
  readonly image: I;
  /** Who it shows: photos with equal labels are same-person pairs, others different-person pairs. */
  readonly label: string;
}

/**
 * Faces in one object: detection, framing, descriptors, verification,
 * identification against a {@link Gallery}, and calibration. `I` is the
 * image type it reads: {@link ImageInput} (tensors, `ImageData`, browser
 * images); the Node entry's recognizer adds paths and encoded bytes.
 */
export interface FaceRecognizer<I = ImageInput> {
  /** Every face, largest first, with box, landmarks, score and quality. */
  detect(image: I): Promise<FaceSearch<FoundFace>>;
  /** Every face with its descriptor (and crop on request), largest first. */
  embed(image: I, options?: EmbedOptions): Promise<FaceSearch<EmbeddedFace>>;
  /** Whether the largest faces of two images (or two descriptors) show one person. */
  verify(a: I | Float32Array, b: I | Float32Array): Promise<FaceVerification>;
  /** Every face of the image answered against the gallery. */
  identify(image: I, gallery: Gallery, options?: { k?: number }): Promise<FaceSearch<IdentifiedFace>>;
  /** Enrols the largest face of each image under `identity`; returns the gallery's entry ids. */
  enrol(gallery: Gallery, identity: string, images: I | readonly I[]): Promise<string[]>;
  /**
   * A threshold for `targetFar` from your own labelled photos (every pair
   * of them is scored); used from then on unless `apply: false`. Store it
   * with `JSON.stringify` and pass it back as `options.calibration`.
   */
  calibrate(labelled: readonly LabelledImage<I>[], options?: CalibrateOptions & { apply?: boolean }): Promise<FaceCalibration>;
  /** The calibration in use. */
  readonly calibration: FaceCalibration;
  /** Replaces the calibration (checked with `parseFaceCalibration`). */
  useCalibration(calibration: FaceCalibration): void;
  /** Frees the nets it loaded (an encoder you passed stays yours). */
  dispose(): void;
}

const FACE_API_RECOGNITION_MANIFEST = 'face_recognition_model-weights_manifest.json';
/** The refining pass's score floor: the face's place is known, so weaker answers are kept. */
const REFINE_MIN_SCORE = 0.3;

function quality(d: DetectedFace, landmarks: readonly Point[], scale: number): number {
  const five = landmarks.length === 68 ? landmarks68To5(landmarks) : landmarks;
  const [le, re, nose] = five as [Point, Point, Point];
  const ex = re.x - le.x, ey = re.y - le.y;
  const eyeDist = Math.hypot(ex, ey);
  if (!(eyeDist > 0)) return 0;
  const size = Math.min(1, eyeDist / scale / 24);
  const mid = { x: (le.x + re.x) / 2, y: (le.y + re.y) / 2 };
  const off = Math.abs(((nose.x - mid.x) * ex + (nose.y - mid.y) * ey) / eyeDist) / eyeDist;
  const frontal = Math.max(0, Math.min(1, 1 - 2 * off));
  return Math.max(0, Math.min(1, d.score)) * size * frontal;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/**
 * The measured-best face pipeline as one object. Defaults (the ORL all-40
 * result, EER 0.39 %, one-shot top-1 100 %): face-api's Tiny Face Detector
 * with 68 landmarks behind pad-and-retry (`detectFacesRobust`), dlib's chip
 * with the eyes levelled (`alignFace`), the dlib face ResNet with flip
 * averaging, plain L2, and a threshold chosen on ORL training people
 * ({@link DEFAULT_FACE_CALIBRATION}).
 *
 * In a browser pass the face-api module and the model URL; in Node,
 * `createFaceRecognizer()` from `@likeness/embeddings/node` needs nothing
 * and also reads paths and encoded bytes.
 *
 * @example
 * ```ts
 * import * as faceapi from '@vladmandic/face-api';
 * const faces = await createFaceRecognizer({ faceapi, modelUrl: '/models' });
 * const { faces: found } = await faces.embed(videoElement); // [{ box, landmarks, score, quality, descriptor }]
 * const { same, distance, confidence } = await faces.verify(photoA, photoB);
 * faces.dispose();
 * ```
 */
export async function createFaceRecognizer(options: FaceRecognizerOptions = {}): Promise<FaceRecognizer> {
  const fn = 'createFaceRecognizer';
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'options', message: `expected an options object, got ${describeValue(options)}.` });
  }
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(typeof maxPixels === 'number' && Number.isFinite(maxPixels) && maxPixels >= 65536)) {
    throw new InvalidArgumentError({ fn, argument: 'options.maxPixels', message: `expected a pixel count ≥ 65536 such as 12_000_000, got ${describeValue(options.maxPixels)}.` });
  }
  const minScore = options.minScore ?? 0.5;
  if (!(typeof minScore === 'number' && minScore >= 0 && minScore <= 1)) {
    throw new InvalidArgumentError({ fn, argument: 'options.minScore', message: `expected a score in [0, 1], got ${describeValue(options.minScore)}.` });
  }
  const borders = options.borders ?? [0, 0.25, 0.5, 1];
  if (!Array.isArray(borders) || borders.length === 0 || !borders.every((b) => typeof b === 'number' && b >= 0 && b <= 4)) {
    throw new InvalidArgumentError({ fn, argument: 'options.borders', message: `expected a non-empty list of borders in [0, 4] such as [0, 0.25, 0.5, 1], got ${describeValue(options.borders)}.` });
  }
  if (options.refineLandmarks !== undefined && typeof options.refineLandmarks !== 'boolean') {
    throw new InvalidArgumentError({ fn, argument: 'options.refineLandmarks', message: `expected true or false, got ${describeValue(options.refineLandmarks)}.` });
  }
  const refine = options.refineLandmarks ?? true;
  const dropBelow = options.dropUnconfirmedBelow ?? 0.7;
  if (!(typeof dropBelow === 'number' && dropBelow >= 0 && dropBelow <= 1)) {
    throw new InvalidArgumentError({ fn, argument: 'options.dropUnconfirmedBelow', message: `expected a score in [0, 1] such as 0.7 (0 keeps every face), got ${describeValue(options.dropUnconfirmedBelow)}.` });
  }
  if (options.flipAveraging !== undefined && typeof options.flipAveraging !== 'boolean') {
    throw new InvalidArgumentError({ fn, argument: 'options.flipAveraging', message: `expected true or false, got ${describeValue(options.flipAveraging)}.` });
  }
  let calibration = options.calibration === undefined ? DEFAULT_FACE_CALIBRATION : parseFaceCalibration(options.calibration);
  if (options.detector !== undefined && (options.detector == null || typeof options.detector.detect !== 'function')) {
    throw new InvalidArgumentError({ fn, argument: 'options.detector', message: 'expected a FaceDetectorAdapter with detect(image).' });
  }
  if (options.encoder !== undefined && (options.encoder == null || typeof options.encoder.encode !== 'function')) {
    throw new InvalidArgumentError({ fn, argument: 'options.encoder', message: `expected an Encoder of 150×150 RGB crops, got ${describeValue(options.encoder)}.` });
  }
  if ((!options.detector || !options.encoder) && typeof options.modelUrl !== 'string') {
    throw new InvalidArgumentError({ fn, argument: 'options.modelUrl', message: 'pass where face-api\'s model files are (a URL prefix such as \'/models\'), or both options.detector and options.encoder; in Node use createFaceRecognizer from @likeness/embeddings/node.' });
  }
  let detector = options.detector;
  /** What re-detects landmarks on a face's crop (refineLandmarks): the same nets, accepting weaker answers since the face's place is known. */
  let refiner = options.detector;
  if (!detector) {
    if (!options.faceapi) {
      throw new InvalidArgumentError({ fn, argument: 'options.faceapi', message: 'pass the face-api module (import * as faceapi from \'@vladmandic/face-api\') or options.detector.' });
    }
    detector = await createFaceApiDetector(options.faceapi, { kind: 'tiny', inputSize: 224, minConfidence: minScore, modelPath: options.modelUrl });
    refiner = await createFaceApiDetector(options.faceapi, { kind: 'tiny', inputSize: 224, minConfidence: REFINE_MIN_SCORE, modelPath: options.modelUrl });
  }
  const small = options.smallFaces ?? {};
  if (small !== false && (small == null || typeof small !== 'object')) {
    throw new InvalidArgumentError({ fn, argument: 'options.smallFaces', message: `expected false or { minSide?, tileSize?, detector? }, got ${describeValue(small)}.` });
  }
  const smallMinSide = small === false ? Infinity : small.minSide ?? 448;
  if (!(smallMinSide === Infinity || (Number.isInteger(smallMinSide) && smallMinSide >= 32))) {
    throw new InvalidArgumentError({ fn, argument: 'options.smallFaces.minSide', message: `expected an integer ≥ 32 such as 448, got ${describeValue(smallMinSide)}.` });
  }
  let smallDetector: ReturnType<typeof tiledFaceDetector> | null = null;
  if (small !== false) {
    let base = small.detector;
    if (base !== undefined && (base == null || typeof base.detect !== 'function')) {
      throw new InvalidArgumentError({ fn, argument: 'options.smallFaces.detector', message: 'expected a FaceDetectorAdapter with detect(image).' });
    }
    if (!base && options.faceapi) base = await createFaceApiDetector(options.faceapi, { kind: 'ssd', minConfidence: minScore, maxResults: 100, modelPath: options.modelUrl });
    if (base) smallDetector = tiledFaceDetector(base, { tileSize: small.tileSize ?? 512, maxTiles: small.maxTiles ?? 24 });
  }
  const ownsEncoder = !options.encoder || options.disposeEncoder === true;
  const base: Encoder = options.encoder ?? await loadFaceResNet(faceResNetUrlHandler(`${options.modelUrl!.replace(/\/$/, '')}/${FACE_API_RECOGNITION_MANIFEST}`), { source: options.modelUrl });
  const encoder = options.flipAveraging === false ? base : flipAveragedEncoder(base);
  const [ih, iw] = encoder.inputShape;
  const decode = options.decode;
  let disposed = false;
  const alive = (name: string) => {
    if (disposed) throw new InvalidArgumentError({ fn: name, argument: 'this', message: 'the recognizer was disposed; create a new one.' });
  };

  async function toTensor(input: unknown, name: string, argument: string): Promise<RgbTensor> {
    if (decode) {
      const r = await decode(input, name, argument, maxPixels);
      if (r) return r;
    }
    return toRgbTensor(input as ImageInput, { maxPixels, fn: name, argument });
  }

  async function run<F>(input: unknown, name: string, argument: string, withDescriptors: boolean, opts: EmbedOptions = {}): Promise<FaceSearch<F>> {
    alive(name);
    if (opts == null || typeof opts !== 'object') throw new InvalidArgumentError({ fn: name, argument: 'options', message: `expected an options object, got ${describeValue(opts)}.` });
    const maxFaces = opts.maxFaces ?? Infinity;
    if (!(maxFaces === Infinity || (Number.isInteger(maxFaces) && maxFaces >= 1))) {
      throw new InvalidArgumentError({ fn: name, argument: 'options.maxFaces', message: `expected a positive integer, got ${describeValue(opts.maxFaces)}.` });
    }
    const t0 = now();
    const rgb = await toTensor(input, name, argument);
    const timings = { decode: now() - t0, detect: 0, align: 0, embed: 0 };
    try {
      const t1 = now();
      // 1. the main detector on the image as it is (the ORL-measured pass)
      let r = await detectFacesRobust(rgb.image, detector!, { borders: [borders[0] ?? 0], minScore });
      let attempts = r.attempts;
      let found = r.detections;
      // 2. faces too small for it: the small-face detector on the whole image and on tiles
      //    (the downscaled whole-image pass first; tiles wholly covered by faces found are skipped, and for a call
      //    wanting the k largest faces all tiles are, once k faces too large for a tile are found that no rule drops)
      let smallFacePasses = 0, tilesSkipped = 0;
      const [h, w] = rgb.image.shape;
      if (smallDetector && Math.max(h, w) >= smallMinSide) {
        const limit = smallDetector.tileFaceLimit(h, w);
        const skipTiles = maxFaces === Infinity ? undefined : (f: readonly DetectedFace[]) => {
          const usable = f.filter((d) => d.score >= minScore && d.landmarks && (d.landmarks.length === 68 || d.landmarks.length === 5))
            .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height).slice(0, maxFaces);
          return usable.length >= maxFaces && usable.every((d) => Math.min(d.box.width, d.box.height) > limit && (!refine || d.score >= dropBelow));
        };
        const s = await smallDetector.search(rgb.image, { known: found, ...(skipTiles ? { skipTiles } : {}) });
        smallFacePasses = s.passes;
        tilesSkipped = s.tilesSkipped;
        found = mergeDetections([...found, ...s.detections.filter((d) => d.score >= minScore)]);
      }
      // 3. nothing yet: pad and retry (faces that fill the frame)
      if (found.length === 0 && borders.length > 1) {
        r = await detectFacesRobust(rgb.image, detector!, { borders: borders.slice(1), minScore });
        attempts += r.attempts;
        found = r.detections;
      }
      const bySize = (a: DetectedFace, b: DetectedFace) => b.box.width * b.box.height - a.box.width * a.box.height;
      const candidates = found
        .filter((d) => d.landmarks && (d.landmarks.length === 68 || d.landmarks.length === 5))
        .sort(bySize);
      let dets: DetectedFace[] = candidates.slice(0, maxFaces);
      // 4. every face's landmarks again at the detector's native scale (framing independent of the photo's size),
      //    largest first until maxFaces are kept; 5. a weak detection the detector does not find again there is
      //    not a face: dropped
      if (refine && candidates.length > 0) {
        dets = [];
        for (const d of candidates) {
          if (dets.length >= maxFaces) break;
          const [f] = await refineFaceLandmarks(rgb.image, [d], refiner!, { minScore: REFINE_MIN_SCORE });
          attempts++;
          if (f!.confirmed || f!.score >= dropBelow) dets.push(f!);
        }
        dets.sort(bySize);
      }
      timings.detect = now() - t1;
      const s = rgb.scale;
      const faces: FoundFace[] = dets.map((d) => {
        const landmarks = d.landmarks!.map((p) => ({ x: p.x / s, y: p.y / s }));
        return {
          box: { x: d.box.x / s, y: d.box.y / s, width: d.box.width / s, height: d.box.height / s },
          landmarks,
          score: d.score,
          quality: quality(d, d.landmarks!, s),
          confirmed: (d as { confirmed?: boolean }).confirmed ?? true,
        };
      });
      let out: FoundFace[] = faces;
      if (withDescriptors && dets.length > 0) {
        const t2 = now();
        // one warp per face (alignFace takes one landmark set per image; the image is not copied)
        const crops = tf.tidy(() => tf.concat(dets.map((d) => alignFace(rgb.image, [d.landmarks!], { outputSize: [ih, iw] })), 0) as tf.Tensor4D);
        await crops.data(); // the warp runs here, not inside the encoder's time
        timings.align = now() - t2;
        const t3 = now();
        const descriptors: Float32Array[] = [];
        try {
          for (let i = 0; i < dets.length; i += 16) {
            const n = Math.min(16, dets.length - i);
            const e = tf.tidy(() => encoder.encode(tf.slice(crops, [i, 0, 0, 0], [n, -1, -1, -1])));
            const v = (await e.data()) as Float32Array;
            e.dispose();
            const D = v.length / n;
            for (let k = 0; k < n; k++) descriptors.push(v.slice(k * D, (k + 1) * D));
          }
          timings.embed = now() - t3;
          out = faces.map((f, i): EmbeddedFace => ({
            ...f,
            descriptor: descriptors[i]!,
            ...(opts.crops ? { crop: tf.tidy(() => tf.squeeze(tf.slice(crops, [i, 0, 0, 0], [1, -1, -1, -1]), [0]) as tf.Tensor3D) } : {}),
          }));
        } finally {
          crops.dispose();
        }
      }
      return {
        faces: out as F[], found: out.length > 0,
        tried: { attempts, borders, attempt: r.attempt, smallFacePasses, tilesSkipped },
        width: rgb.width, height: rgb.height, scale: rgb.scale, timings,
      };
    } finally {
      rgb.image.dispose();
    }
  }

  async function largest(input: unknown, name: string, argument: string): Promise<EmbeddedFace> {
    const r = await run<EmbeddedFace>(input, name, argument, true, { maxFaces: 1 });
    if (!r.found) throw new NoFaceFoundError({ fn: name, argument, attempts: r.tried.attempts + r.tried.smallFacePasses });
    return r.faces[0]!;
  }

  const recognizer: FaceRecognizer = {
    detect: (image) => run<FoundFace>(image, 'FaceRecognizer.detect', 'image', false),
    embed: (image, opts) => run<EmbeddedFace>(image, 'FaceRecognizer.embed', 'image', true, opts),
    async verify(a, b) {
      const name = 'FaceRecognizer.verify';
      alive(name);
      const fa = a instanceof Float32Array ? null : await largest(a, name, 'a');
      const fb = b instanceof Float32Array ? null : await largest(b, name, 'b');
      const da = fa ? fa.descriptor : (a as Float32Array), db = fb ? fb.descriptor : (b as Float32Array);
      if (da.length !== db.length) {
        throw new InvalidArgumentError({ fn: name, argument: 'b', message: `descriptor lengths differ (${da.length} vs ${db.length}); compare descriptors of the same encoder.` });
      }
      let s = 0;
      for (let k = 0; k < da.length; k++) { const x = da[k]! - db[k]!; s += x * x; }
      const distance = Math.sqrt(s);
      if (!Number.isFinite(distance)) throw new InvalidArgumentError({ fn: name, argument: 'a', message: 'a descriptor holds NaN or Infinity.' });
      return {
        same: distance <= calibration.threshold, distance, confidence: confidenceFromDistance(calibration, distance), threshold: calibration.threshold,
        ...(fa ? { a: fa } : {}), ...(fb ? { b: fb } : {}),
      };
    },
    async identify(image, gallery, opts = {}) {
      const name = 'FaceRecognizer.identify';
      if (gallery == null || typeof (gallery as Gallery).identify !== 'function') {
        throw new InvalidArgumentError({ fn: name, argument: 'gallery', message: `expected a Gallery (createGallery()), got ${describeValue(gallery)}.` });
      }
      const r = await run<EmbeddedFace>(image, name, 'image', true);
      if (!r.found) return { ...r, faces: [] };
      const answers = await gallery.identify(r.faces.map((f) => f.descriptor), { threshold: calibration.threshold, k: opts.k ?? 1 });
      const faces = r.faces.map((f, i): IdentifiedFace => ({
        ...f, identity: answers[i]!.identity, distance: answers[i]!.distance,
        confidence: confidenceFromDistance(calibration, answers[i]!.distance), candidates: answers[i]!.candidates,
      }));
      return { ...r, faces };
    },
    async enrol(gallery, identity, images) {
      const name = 'FaceRecognizer.enrol';
      if (gallery == null || typeof (gallery as Gallery).enrol !== 'function') {
        throw new InvalidArgumentError({ fn: name, argument: 'gallery', message: `expected a Gallery (createGallery()), got ${describeValue(gallery)}.` });
      }
      if (typeof identity !== 'string' || identity.length === 0) {
        throw new InvalidArgumentError({ fn: name, argument: 'identity', message: 'expected a non-empty string naming the person.' });
      }
      const list = Array.isArray(images) ? (images as readonly unknown[]) : [images];
      if (list.length === 0) throw new InvalidArgumentError({ fn: name, argument: 'images', message: 'expected at least one image.' });
      const descriptors: Float32Array[] = [];
      for (let i = 0; i < list.length; i++) descriptors.push((await largest(list[i], name, Array.isArray(images) ? `images[${i}]` : 'images')).descriptor);
      return gallery.enrol(identity, descriptors);
    },
    async calibrate(labelled, opts = {}) {
      const name = 'FaceRecognizer.calibrate';
      alive(name);
      if (!Array.isArray(labelled) || labelled.length < 3) {
        throw new InvalidArgumentError({ fn: name, argument: 'labelled', message: `expected [{ image, label }, …] with at least two photos of one person and one of another, got ${describeValue(labelled)}.` });
      }
      const descriptors: Float32Array[] = [], labels: string[] = [];
      for (let i = 0; i < labelled.length; i++) {
        const item = labelled[i]!;
        if (item == null || typeof item.label !== 'string' || item.label.length === 0) {
          throw new InvalidArgumentError({ fn: name, argument: `labelled[${i}].label`, message: 'expected a non-empty string naming the person.' });
        }
        descriptors.push((await largest(item.image, name, `labelled[${i}].image`)).descriptor);
        labels.push(item.label);
      }
      const { apply, ...rest } = opts;
      const result = calibrateFaceThreshold(descriptors, labels, rest);
      if (apply !== false) calibration = result;
      return result;
    },
    get calibration() {
      return calibration;
    },
    useCalibration(c) {
      calibration = parseFaceCalibration(c);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (ownsEncoder) base.dispose();
    },
  };
  return recognizer;
}
