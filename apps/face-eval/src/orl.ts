import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePnm } from '@likeness/embeddings';

/** One ORL image: person `s1`…`s40`, image 1…10, 112×92 greyscale in [0, 1]. */
export interface OrlImage {
  readonly person: string;
  /** 1 … 10 (the file name `index.pgm`). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Row-major greyscale in [0, 1], length 112·92. */
  readonly data: Float32Array;
}

/** `s1` … `s40`. */
export const ORL_PEOPLE: readonly string[] = Object.freeze(Array.from({ length: 40 }, (_, i) => `s${i + 1}`));

/**
 * Finds `faces/orl` under the shared data folder, `../shared/data` from the
 * repository root (or `$LIKENESS_DATA`); throws a clear error when missing.
 *
 * @example
 * ```ts
 * const root = locateOrl(); // '/work/shared/data/faces/orl'
 * ```
 */
export function locateOrl(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const repoRoot = resolve(here, '../../..');
  const dataRoot = process.env.LIKENESS_DATA ? resolve(process.env.LIKENESS_DATA) : resolve(repoRoot, '../shared/data');
  const orl = join(dataRoot, 'faces', 'orl');
  if (!existsSync(join(orl, 's1', '1.pgm'))) {
    throw new Error(
      `ORL faces not found at ${orl}. The evaluation needs the shared data set beside the repository ` +
        `(../shared/data/faces/orl/s1/1.pgm … s40/10.pgm, see ../shared/data/README), or set LIKENESS_DATA to the data folder.`,
    );
  }
  return orl;
}

/**
 * Loads all 400 ORL images (40 people × 10), in person then index order.
 *
 * @example
 * ```ts
 * const images = loadOrl(locateOrl()); // 400 × {person, index, data [112·92]}
 * ```
 */
export function loadOrl(root: string = locateOrl()): OrlImage[] {
  const out: OrlImage[] = [];
  for (const person of ORL_PEOPLE) {
    for (let index = 1; index <= 10; index++) {
      const file = join(root, person, `${index}.pgm`);
      if (!existsSync(file)) throw new Error(`ORL image missing: ${file}. Restore the complete data set (40 people × 10 images).`);
      const img = decodePnm(new Uint8Array(readFileSync(file)), { source: file });
      if (img.channels !== 1 || img.width !== 92 || img.height !== 112) throw new Error(`${file}: expected a 92×112 greyscale PGM, got ${img.width}×${img.height}×${img.channels}.`);
      out.push({ person, index, width: img.width, height: img.height, data: img.data });
    }
  }
  return out;
}
