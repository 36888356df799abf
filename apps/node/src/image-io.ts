import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import sharp from 'sharp';
import { CliError, EXIT } from './errors';
import { writeWithFallback } from './output-path';

/** An 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** sharp's default `limitInputPixels` (0x3FFF²): larger images are refused before decoding. */
export const PIXEL_LIMIT = 0x3fff * 0x3fff;

/**
 * Reads any image sharp understands (JPEG, PNG, WebP, AVIF, TIFF, GIF…),
 * applies its EXIF orientation, drops alpha and returns RGB bytes.
 * `maxSide` shrinks large photos (never enlarges).
 *
 * @throws CliError(EXIT.badInput) when the file is missing, unreadable or not an image.
 */
export async function readImage(path: string, options: { maxSide?: number } = {}): Promise<RgbImage> {
  const file = resolve(path);
  let info;
  try {
    info = await stat(file);
  } catch {
    throw new CliError(`file not found: ${path}`, EXIT.badInput);
  }
  if (!info.isFile()) throw new CliError(`not a file: ${path}`, EXIT.badInput);
  try {
    let pipeline = sharp(file, { failOn: 'error' }).rotate();
    if (options.maxSide) {
      pipeline = pipeline.resize(options.maxSide, options.maxSide, { fit: 'inside', withoutEnlargement: true });
    }
    const { data, info: out } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: out.width, height: out.height };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/exceeds pixel limit/i.test(reason)) {
      const { width, height } = await sharp(file, { limitInputPixels: false }).metadata().catch(() => ({ width: undefined, height: undefined }));
      const size = width && height ? `${width}×${height} = ${((width * height) / 1e6).toFixed(0)} megapixels` : 'too many pixels';
      throw new CliError(`image too large: ${path} is ${size}, over the limit of ${(PIXEL_LIMIT / 1e6).toFixed(0)} megapixels (16383×16383): shrink it first`, EXIT.badInput, { cause: error });
    }
    throw new CliError(`not an image (or a damaged one): ${path} (${reason})`, EXIT.badInput, { cause: error });
  }
}

/**
 * Writes an encoded image atomically (temp file + rename): an existing file
 * at `path` is replaced only once the new one is complete. The format
 * follows the extension (.png, .jpg/.jpeg, .webp). When the write fails, the
 * image is saved to a named fallback file and a CliError(EXIT.output) says where.
 */
export async function writeImageFile(path: string, image: sharp.Sharp): Promise<void> {
  const ext = extname(path).toLowerCase();
  const encoded =
    ext === '.jpg' || ext === '.jpeg'
      ? image.jpeg({ quality: 92 })
      : ext === '.webp'
        ? image.webp({ quality: 92 })
        : ext === '.png'
          ? image.png()
          : null;
  if (!encoded) throw new CliError(`unsupported output format "${ext}" for ${path}: use .png, .jpg or .webp`, EXIT.usage);
  await writeWithFallback(path, await encoded.toBuffer(), writeFileAtomic);
}

/** Writes bytes to `path` through a temp file in the same folder and a rename. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const file = resolve(path);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

/** A sharp pipeline over RGB bytes. */
export function fromRgb(image: RgbImage): sharp.Sharp {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
}
