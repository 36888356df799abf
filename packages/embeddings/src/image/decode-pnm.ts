import { InvalidArgumentError } from '@likeness/backends';
import { ImageTooLargeError } from '../errors/image-too-large-error';

/** A decoded netpbm image: `channels` values per pixel, row-major, scaled to [0, 1]. */
export interface PnmImage {
  /** Width in pixels, from the header. */
  readonly width: number;
  /** Height in pixels, from the header. */
  readonly height: number;
  /** 1 (PGM, grey) or 3 (PPM, RGB). */
  readonly channels: 1 | 3;
  /** `width × height × channels` values, row-major from the top-left, each the file's sample / maxval (so in [0, 1]). */
  readonly data: Float32Array;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

/** Whether the bytes start like a binary netpbm file (`P5` grey or `P6` RGB). */
export function isPnm(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x50 && (bytes[1] === 0x35 || bytes[1] === 0x36) && isSpace(bytes[2]!);
}

/**
 * Decodes a binary PGM (`P5`) or PPM (`P6`) file, maxval ≤ 65535 — the
 * format of ORL and other face sets, which sharp's prebuilt libvips cannot
 * read. The header's size is checked against `maxPixels` before any pixel
 * is read.
 *
 * @example
 * ```ts
 * const img = decodePnm(readFileSync('s1/1.pgm')); // { width: 92, height: 112, channels: 1, data [10304] in [0,1] }
 * ```
 */
export function decodePnm(bytes: Uint8Array, options: { maxPixels?: number; source?: string } = {}): PnmImage {
  const fn = 'decodePnm';
  const source = options.source ?? 'image';
  const bad = (message: string) => new InvalidArgumentError({ fn, argument: 'bytes', message: `${source}: ${message}` });
  if (!(bytes instanceof Uint8Array)) throw bad('expected the file\'s bytes (a Uint8Array or Buffer).');
  if (!isPnm(bytes)) throw bad('not a binary PGM/PPM (expected the magic "P5" or "P6").');
  const channels = bytes[1] === 0x35 ? 1 : 3;
  let i = 2;
  const fields: number[] = [];
  while (fields.length < 3) {
    while (i < bytes.length && isSpace(bytes[i]!)) i++;
    if (bytes[i] === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a && bytes[i] !== 0x0d) i++;
      continue;
    }
    let v = 0;
    const start = i;
    while (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39 && i - start < 9) v = v * 10 + (bytes[i++]! - 0x30);
    if (i === start) throw bad('corrupt header (expected width, height and maxval).');
    fields.push(v);
  }
  if (!isSpace(bytes[i] ?? -1)) throw bad('corrupt header (no whitespace after maxval).');
  i++;
  const [width, height, max] = fields as [number, number, number];
  if (width < 1 || height < 1 || max < 1 || max > 65535) throw bad(`invalid size ${width}×${height} or maxval ${max}.`);
  const maxPixels = options.maxPixels ?? Infinity;
  if (width * height > maxPixels) throw new ImageTooLargeError({ fn, width, height, maxPixels, source });
  const bpp = max < 256 ? 1 : 2;
  const n = width * height * channels;
  if (bytes.length - i < n * bpp) throw bad(`truncated (${bytes.length - i} pixel bytes, ${n * bpp} needed).`);
  const data = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const v = bpp === 1 ? bytes[i + p]! : (bytes[i + 2 * p]! << 8) | bytes[i + 2 * p + 1]!;
    data[p] = v / max;
  }
  return { width, height, channels, data };
}
