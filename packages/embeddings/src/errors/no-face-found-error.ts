import { LikenessError } from '@likeness/backends';

const marker = 'likeness.error.no-face-found';
const symbol = Symbol.for(marker);

/**
 * A call that needs a face (`FaceRecognizer.verify`, `enrol`) got an image
 * in which every detection attempt failed. `tried` says what was tried.
 */
export class NoFaceFoundError extends LikenessError {
  private readonly [symbol] = true;
  /** The public function that needed the face, e.g. `'FaceRecognizer.verify'`. */
  readonly fn: string;
  /** The argument holding the image without a face. */
  readonly argument: string;
  /** The detection attempts that ran (borders × scales). */
  readonly attempts: number;

  constructor(opts: { fn: string; argument: string; attempts: number }) {
    super({
      name: 'LikenessNoFaceFoundError',
      code: 'LIKENESS_NO_FACE_FOUND',
      message: `${opts.fn}: no face found in \`${opts.argument}\` after ${opts.attempts} detection attempt(s) (pad-and-retry and a search for small faces); pass a photo where the face is visible, at least about 24 px between the eyes.`,
    });
    this.fn = opts.fn;
    this.argument = opts.argument;
    this.attempts = opts.attempts;
  }

  /**
   * Whether `error` is a NoFaceFoundError, also when it comes from another copy of
   * the package (where `instanceof` is false).
   */
  static override isInstance(error: unknown): error is NoFaceFoundError {
    return LikenessError.hasMarker(error, marker);
  }
}
