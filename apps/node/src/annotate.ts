import type sharp from 'sharp';
import type { FaceBox } from '@likeness/embeddings';
import { fromRgb, type RgbImage } from './image-io';

/** A box to draw with a caption under it. */
export interface Annotation {
  box: FaceBox;
  label: string;
  /** CSS colour. @defaultValue '#00e676' */
  color?: string;
  /** Draw the 68 landmarks as dots. */
  landmarks?: [number, number][];
}

/** A palette of distinct colours for labelling groups. */
export const PALETTE = ['#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990', '#dcbeff', '#9a6324', '#fffac8', '#800000', '#aaffc3'];

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * The image with boxes, captions and landmarks drawn on it (an SVG overlay
 * composited by sharp). `scale` enlarges lines and text (for thumbnails). @defaultValue 1
 */
export function annotate(image: RgbImage, annotations: readonly Annotation[], options: { scale?: number } = {}): sharp.Sharp {
  const k = options.scale ?? 1;
  const stroke = Math.max(2, Math.round((k * Math.max(image.width, image.height)) / 400));
  const font = Math.max(14, Math.round((k * Math.max(image.width, image.height)) / 60));
  const parts = annotations.map((a) => {
    const c = a.color ?? '#00e676';
    const { x, y, width, height } = a.box;
    const ty = Math.min(image.height - 4, y + height + font + 4);
    const dots = (a.landmarks ?? []).map(([px, py]) => `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="${Math.max(1.5, stroke * 0.4).toFixed(1)}" fill="${c}"/>`).join('');
    return (
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${height.toFixed(1)}" fill="none" stroke="${c}" stroke-width="${stroke}"/>` +
      dots +
      `<text x="${x.toFixed(1)}" y="${ty.toFixed(1)}" font-family="DejaVu Sans, sans-serif" font-size="${font}" font-weight="bold" fill="${c}" stroke="black" stroke-width="${Math.max(1, stroke / 2)}" paint-order="stroke">${escapeXml(a.label)}</text>`
    );
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}">${parts.join('')}</svg>`;
  return fromRgb(image).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]);
}
