import FFT from 'fft.js';
import { InvalidArgumentError } from '@likeness/backends';
import { readPixels } from './read-pixels';

/** Options of {@link luminanceSpectrum}. */
export interface LuminanceSpectrumOptions {
  /**
   * Frequency (cycles per pixel) from which power counts as fine grain in
   * `highFrequencyFraction`: 1/8 is wavelengths under 8 px.
   * @defaultValue 0.125
   */
  cutoff?: number;
  /** Frequencies (cycles per pixel) over which `slope` is fitted. @defaultValue [1/64, 1/4] */
  band?: readonly [number, number];
}

/** The radially averaged power spectrum of an image's luminance and two numbers that summarise it. */
export interface LuminanceSpectrum {
  /** Ring centres in cycles per pixel (1/N apart, N the padded longer side), up to 0.5. */
  frequency: Float64Array;
  /** Mean power per ring, normalised so that all non-zero frequencies sum to 1 (contrast does not count, only its distribution over scales). */
  power: Float64Array;
  /**
   * Least-squares slope of log power against log frequency over `band`:
   * natural photographs are near −2; fine grain flattens it (white noise is
   * 0), large strokes and flat colour areas make it steeper.
   */
  slope: number;
  /** Fraction of the luminance's power at frequencies ≥ `cutoff` (white noise: 1 − π·cutoff²). */
  highFrequencyFraction: number;
}

const FN = 'luminanceSpectrum';

function nextPow2(n: number): number {
  return 2 ** Math.max(2, Math.ceil(Math.log2(n)));
}

/**
 * Stroke scale as numbers: the power spectrum of an image's luminance
 * (Y′ = 0.299 R + 0.587 G + 0.114 B), mean removed, Hann-windowed and
 * zero-padded to powers of two, averaged over rings of equal frequency.
 * Compare images of the same size (frequencies are per pixel).
 *
 * @throws ShapeError / InvalidArgumentError when `image` is not one finite
 *   [1,H,W,3] float32 image or the options are out of range.
 *
 * @example
 * ```ts
 * const { slope, highFrequencyFraction } = await luminanceSpectrum(image); // image [1,H,W,3] in [0,1]
 * ```
 */
export async function luminanceSpectrum(image: unknown, options: LuminanceSpectrumOptions = {}): Promise<LuminanceSpectrum> {
  const cutoff = options.cutoff ?? 0.125;
  if (typeof cutoff !== 'number' || !(cutoff > 0 && cutoff < 0.5)) {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.cutoff', message: `expected a frequency in (0, 0.5) cycles per pixel, got ${String(cutoff)}.` });
  }
  const band = options.band ?? [1 / 64, 1 / 4];
  if (!Array.isArray(band) || band.length !== 2 || !(band[0] > 0 && band[1] > band[0] && band[1] <= 0.5)) {
    throw new InvalidArgumentError({ fn: FN, argument: 'options.band', message: `expected [low, high] with 0 < low < high ≤ 0.5 cycles per pixel, got ${JSON.stringify(band)}.` });
  }
  const { data, height: h, width: w } = await readPixels(image, FN, 'image');
  if (h < 4 || w < 4) throw new InvalidArgumentError({ fn: FN, argument: 'image', message: `expected at least 4×4 pixels, got ${h}×${w}.` });
  const ny = nextPow2(h);
  const nx = nextPow2(w);
  // Luminance, mean removed, Hann window; zero-padded to ny × nx (complex interleaved).
  const y = new Float64Array(h * w);
  let mean = 0;
  for (let i = 0; i < h * w; i++) {
    y[i] = 0.299 * data[3 * i]! + 0.587 * data[3 * i + 1]! + 0.114 * data[3 * i + 2]!;
    mean += y[i]!;
  }
  mean /= h * w;
  const hann = (n: number) => Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n));
  const wy = hann(h);
  const wx = hann(w);
  const grid = new Float64Array(2 * ny * nx);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) grid[2 * (r * nx + c)] = (y[r * w + c]! - mean) * wy[r]! * wx[c]!;
  // 2-D FFT: rows, then columns.
  const fx = new FFT(nx);
  const rowIn = fx.createComplexArray() as number[];
  const rowOut = fx.createComplexArray() as number[];
  for (let r = 0; r < h; r++) {
    for (let k = 0; k < 2 * nx; k++) rowIn[k] = grid[2 * r * nx + k]!;
    fx.transform(rowOut, rowIn);
    for (let k = 0; k < 2 * nx; k++) grid[2 * r * nx + k] = rowOut[k]!;
  }
  const fy = new FFT(ny);
  const colIn = fy.createComplexArray() as number[];
  const colOut = fy.createComplexArray() as number[];
  const rings = Math.floor(Math.max(nx, ny) / 2);
  const sum = new Float64Array(rings + 1);
  const count = new Float64Array(rings + 1);
  let total = 0;
  let high = 0;
  for (let c = 0; c < nx; c++) {
    for (let r = 0; r < ny; r++) {
      colIn[2 * r] = grid[2 * (r * nx + c)]!;
      colIn[2 * r + 1] = grid[2 * (r * nx + c) + 1]!;
    }
    fy.transform(colOut, colIn);
    const u = (c <= nx / 2 ? c : c - nx) / nx;
    for (let r = 0; r < ny; r++) {
      if (r === 0 && c === 0) continue;
      const v = (r <= ny / 2 ? r : r - ny) / ny;
      const p = colOut[2 * r]! ** 2 + colOut[2 * r + 1]! ** 2;
      const f = Math.hypot(u, v);
      total += p;
      if (f >= cutoff) high += p;
      const ring = Math.round(f * Math.max(nx, ny));
      if (ring >= 1 && ring <= rings) {
        sum[ring] += p;
        count[ring] += 1;
      }
    }
  }
  const frequency = new Float64Array(rings);
  const power = new Float64Array(rings);
  for (let k = 1; k <= rings; k++) {
    frequency[k - 1] = k / Math.max(nx, ny);
    power[k - 1] = total > 0 && count[k]! > 0 ? sum[k]! / count[k]! / total : 0;
  }
  // log-log least squares over the band (rings with power only).
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let k = 0; k < rings; k++) {
    if (frequency[k]! < band[0] || frequency[k]! > band[1] || !(power[k]! > 0)) continue;
    const lx = Math.log(frequency[k]!);
    const ly = Math.log(power[k]!);
    n++;
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
  }
  const slope = n >= 2 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : NaN;
  return { frequency, power, slope, highFrequencyFraction: total > 0 ? high / total : 0 };
}
