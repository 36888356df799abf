import { InvalidArgumentError } from '@likeness/backends';
import type { RocCurve } from './roc-curve';

/** One curve of {@link rocSvg}. */
export interface RocSvgCurve {
  /** Name of the curve in the legend (XML-escaped when drawn). */
  label: string;
  /** The curve to draw, from {@link rocCurve} (or {@link VerificationReport.roc}). */
  roc: RocCurve;
  /** Shown in the legend; computed from the curve (trapezoids, ties as diagonals) when omitted. */
  auc?: number;
  /** A chosen threshold (the curve's units) to mark on it, with its TAR and FAR. */
  threshold?: number;
}

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

/** Area under a ROC curve by trapezoids between its points (a tie between classes counts as a diagonal: half). */
function curveAuc(roc: RocCurve): number {
  let a = 0;
  for (let k = 1; k < roc.far.length; k++) a += ((roc.far[k]! - roc.far[k - 1]!) * (roc.tar[k]! + roc.tar[k - 1]!)) / 2;
  return a;
}

/** Index of the curve's point at `threshold`: the last point whose own threshold is accepted by it. */
function pointAt(roc: RocCurve, threshold: number): number {
  const th = roc.thresholds;
  const ascending = th[0]! <= th[th.length - 1]!; // distances: -∞ … +∞; similarities: +∞ … -∞
  let k = 0;
  for (let i = 0; i < th.length; i++) if (ascending ? th[i]! <= threshold : th[i]! >= threshold) k = i;
  return k;
}

/**
 * One or more ROC curves (TAR against FAR) as a standalone SVG document,
 * browser-safe (a string; write it to a file or put it in the DOM). The
 * curves are drawn over the frame, inset from it, so a perfect curve (along
 * the left and top edges) stays visible; the legend gives each curve's AUC,
 * and a curve's `threshold`, when given, is marked with its TAR and FAR.
 * Written here rather than with a plotting library: a polyline per curve
 * does not justify a charting dependency in a library package.
 *
 * @example
 * ```ts
 * const svg = rocSvg([{ label: 'pretrained', roc: rocCurve(d, same), threshold: 0.6 }], { logFar: true }); // string
 * ```
 */
export function rocSvg(curves: readonly RocSvgCurve[], options: RocSvgOptions = {}): string {
  if (!Array.isArray(curves) || curves.length === 0 || !curves.every((c) => c && c.roc && Array.isArray(c.roc.far) && Array.isArray(c.roc.tar))) {
    throw new InvalidArgumentError({ fn: 'rocSvg', argument: 'curves', message: 'expected a non-empty array of { label, roc } with roc from rocCurve().' });
  }
  const [w, h] = options.size ?? [520, 440];
  const m = { l: 56, r: 16, t: 36, b: 48 };
  const pw = w - m.l - m.r, ph = h - m.t - m.b;
  const inset = 6; // data area inside the frame: curves on the edges (FAR 0, TAR 1) are not hidden by it
  const log = options.logFar === true;
  const minLog = -4;
  const fx = (far: number) => m.l + inset + (pw - 2 * inset) * (log ? (Math.max(minLog, Math.log10(Math.max(far, 1e-12))) - minLog) / -minLog : far);
  const fy = (tar: number) => m.t + inset + (ph - 2 * inset) * (1 - tar);
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
    parts.push(`<polyline fill="none" stroke="${col}" stroke-width="2" stroke-linejoin="round" points="${pts}"/>`);
    const auc = c.auc ?? curveAuc(c.roc);
    const legendY = m.t + ph - inset - 18 * (curves.length - i);
    parts.push(`<rect x="${m.l + pw - 230}" y="${legendY - 4}" width="10" height="10" fill="${col}"/><text x="${m.l + pw - 215}" y="${legendY + 5}">${esc(c.label)} (AUC ${auc.toFixed(3)})</text>`);
    if (c.threshold !== undefined && Number.isFinite(c.threshold)) {
      const k = pointAt(c.roc, c.threshold);
      const x = fx(c.roc.far[k]!), y = fy(c.roc.tar[k]!);
      const text = `threshold ${c.threshold}: TAR ${(100 * c.roc.tar[k]!).toFixed(1)} %, FAR ${(100 * c.roc.far[k]!).toFixed(1)} %`;
      parts.push(`<circle cx="${x.toFixed(2)}" cy="${y.toFixed(2)}" r="5" fill="white" stroke="${col}" stroke-width="2"/>`);
      const right = x > m.l + pw / 2; // keep the label inside the plot
      parts.push(`<text x="${(right ? x - 10 : x + 10).toFixed(2)}" y="${(y + 18 + 16 * i).toFixed(2)}" text-anchor="${right ? 'end' : 'start'}" fill="${col}">${esc(text)}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}
