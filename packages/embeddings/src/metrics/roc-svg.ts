import { InvalidArgumentError } from '@likeness/backends';
import type { RocCurve } from './roc-curve';

/** Options of {@link rocSvg}. */
export interface RocSvgOptions {
  /** Plot title. @defaultValue `'ROC'` */
  title?: string;
  /** Log-scale FAR axis from 1e-4 (shows TAR at low FAR). @defaultValue `false` */
  logFar?: boolean;
  /** Width and height in px. @defaultValue `[520, 440]` */
  size?: readonly [number, number];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One or more ROC curves (TAR against FAR) as a standalone SVG document,
 * browser-safe (a string; write it to a file or put it in the DOM).
 * Written here rather than with a plotting library: a polyline per curve
 * does not justify a charting dependency in a library package.
 *
 * @example
 * ```ts
 * const svg = rocSvg([{ label: 'pretrained', roc: rocCurve(d, same) }], { logFar: true }); // string
 * ```
 */
export function rocSvg(curves: readonly { label: string; roc: RocCurve }[], options: RocSvgOptions = {}): string {
  if (!Array.isArray(curves) || curves.length === 0 || !curves.every((c) => c && c.roc && Array.isArray(c.roc.far) && Array.isArray(c.roc.tar))) {
    throw new InvalidArgumentError({ fn: 'rocSvg', argument: 'curves', message: 'expected a non-empty array of { label, roc } with roc from rocCurve().' });
  }
  const [w, h] = options.size ?? [520, 440];
  const m = { l: 56, r: 16, t: 36, b: 48 };
  const pw = w - m.l - m.r, ph = h - m.t - m.b;
  const log = options.logFar === true;
  const minLog = -4;
  const fx = (far: number) => m.l + pw * (log ? (Math.max(minLog, Math.log10(Math.max(far, 1e-12))) - minLog) / -minLog : far);
  const fy = (tar: number) => m.t + ph * (1 - tar);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${w}" height="${h}" fill="white"/>`);
  parts.push(`<text x="${w / 2}" y="20" text-anchor="middle" font-size="14">${esc(options.title ?? 'ROC')}</text>`);
  const ticks = log ? [-4, -3, -2, -1, 0].map((e) => ({ v: 10 ** e, s: `1e${e}` })) : [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => ({ v, s: v.toFixed(1) }));
  for (const t of ticks) {
    const x = fx(t.v);
    parts.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + ph}" stroke="#ddd"/><text x="${x}" y="${m.t + ph + 16}" text-anchor="middle">${t.s}</text>`);
  }
  for (const v of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
    const y = fy(v);
    parts.push(`<line x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}" stroke="#ddd"/><text x="${m.l - 6}" y="${y + 4}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${h - 10}" text-anchor="middle">false accept rate${log ? ' (log)' : ''}</text>`);
  parts.push(`<text x="14" y="${m.t + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.t + ph / 2})">true accept rate</text>`);
  curves.forEach((c, i) => {
    // drop points closer than half a pixel to the last one kept (tens of thousands of pairs → a few hundred points)
    const kept: string[] = [];
    let lx = NaN, ly = NaN;
    const last = c.roc.far.length - 1;
    c.roc.far.forEach((f: number, k: number) => {
      const x = fx(f), y = fy(c.roc.tar[k]!);
      if (k === 0 || k === last || Math.abs(x - lx) >= 0.5 || Math.abs(y - ly) >= 0.5) {
        kept.push(`${x.toFixed(2)},${y.toFixed(2)}`);
        lx = x; ly = y;
      }
    });
    const pts = kept.join(' ');
    const col = COLORS[i % COLORS.length]!;
    parts.push(`<polyline fill="none" stroke="${col}" stroke-width="1.6" points="${pts}"/>`);
    parts.push(`<rect x="${m.l + pw - 190}" y="${m.t + ph - 18 * (curves.length - i) - 4}" width="10" height="10" fill="${col}"/><text x="${m.l + pw - 175}" y="${m.t + ph - 18 * (curves.length - i) + 5}">${esc(c.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
