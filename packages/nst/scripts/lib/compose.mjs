// Side-by-side sheet: content | style | ours… | reference, one row.
import sharp from 'sharp';
import { toRaw, atomicWrite } from './images.mjs';

async function tile(image, width) {
  const { data, width: w, height: h } = await toRaw(image);
  return sharp(Buffer.from(data), { raw: { width: w, height: h, channels: 3 } }).resize({ width }).png().toBuffer();
}

/** Writes a JPEG row of labelled tiles (each `tileWidth` wide). */
export async function writeRow(path, images, labels, { tileWidth = 320, quality = 80 } = {}) {
  const tiles = await Promise.all(images.map((im) => tile(im, tileWidth)));
  const heights = await Promise.all(tiles.map(async (t) => (await sharp(t).metadata()).height));
  const labelH = 22;
  const H = Math.max(...heights) + labelH;
  const svg = (text) =>
    Buffer.from(
      `<svg width="${tileWidth}" height="${labelH}"><rect width="100%" height="100%" fill="white"/><text x="6" y="16" font-family="sans-serif" font-size="14" fill="black">${text}</text></svg>`,
    );
  const composite = [];
  tiles.forEach((t, i) => {
    composite.push({ input: svg(labels[i]), left: i * tileWidth, top: 0 });
    composite.push({ input: t, left: i * tileWidth, top: labelH });
  });
  const buf = await sharp({ create: { width: tileWidth * tiles.length, height: H, channels: 3, background: '#ffffff' } })
    .composite(composite)
    .jpeg({ quality, mozjpeg: true })
    .toBuffer();
  await atomicWrite(path, buf);
  return buf.length;
}
