/**
 * A binary greyscale PGM (P5) image: width × height bytes, row-major.
 *
 * Why a hand-written parser: sharp's prebuilt libvips cannot read PGM
 * (`sharp.format.ppm.input.file === false`), the maintained netpbm decoder
 * `@thi.ng/pixel-io-netpbm@2.1.205` cannot be installed from our registry
 * (it needs `@thi.ng/pixel@^7.5.38`, which is not published there) and the
 * only other published version (2.1.22) fails to load (its
 * `@thi.ng/pixel@3` imports the undeclared `tslib`). P5 is a 4-field text
 * header followed by raw bytes, so this parser is small and fully tested.
 */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  /** Pixel values scaled to [0, 1], row-major, length width·height. */
  readonly data: Float32Array;
}

/**
 * Decodes a binary PGM (P5, maxval ≤ 65535) file.
 *
 * @example
 * ```ts
 * const img = decodePgm(readFileSync('s1/1.pgm')); // img.data [112·92] in [0,1]
 * ```
 */
export function decodePgm(bytes: Uint8Array, source = 'PGM'): GreyImage {
  let i = 0;
  const fields: number[] = [];
  const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
  if (bytes.length < 2 || bytes[0] !== 0x50 || bytes[1] !== 0x35) {
    throw new Error(`${source}: not a binary PGM (expected the magic "P5", got ${JSON.stringify(String.fromCharCode(...bytes.subarray(0, 2)))}).`);
  }
  i = 2;
  while (fields.length < 3) {
    while (i < bytes.length && isSpace(bytes[i]!)) i++;
    if (bytes[i] === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a && bytes[i] !== 0x0d) i++;
      continue;
    }
    let v = 0;
    const start = i;
    while (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) v = v * 10 + (bytes[i++]! - 0x30);
    if (i === start) throw new Error(`${source}: corrupt PGM header (expected width, height and maxval).`);
    fields.push(v);
  }
  if (!isSpace(bytes[i] ?? -1)) throw new Error(`${source}: corrupt PGM header (no whitespace after maxval).`);
  i++;
  const [width, height, max] = fields as [number, number, number];
  if (width < 1 || height < 1 || max < 1 || max > 65535) throw new Error(`${source}: invalid PGM size ${width}×${height} or maxval ${max}.`);
  const bpp = max < 256 ? 1 : 2;
  const need = width * height * bpp;
  if (bytes.length - i < need) throw new Error(`${source}: truncated PGM (${bytes.length - i} pixel bytes, ${need} needed).`);
  const data = new Float32Array(width * height);
  for (let p = 0; p < data.length; p++) {
    const v = bpp === 1 ? bytes[i + p]! : (bytes[i + 2 * p]! << 8) | bytes[i + 2 * p + 1]!;
    data[p] = v / max;
  }
  return { width, height, data };
}
