/**
 * The README's demo, offline on files the npm dependencies ship:
 * face-api's six sample group photos → find every face, embed it with
 * @likeness/embeddings' dlib ResNet, group the same people across photos,
 * measure verification (ROC/EER) on pairs whose truth is known, and stylise
 * one photo with @likeness/nst. Writes images into a folder and prints where.
 *
 *   node apps/node/dist/demo.js [output-folder]   (default apps/node/output/demo)
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createRequire } from 'node:module';
import { rocSvg, verificationReport, type EmbeddedFace } from '@likeness/embeddings';
import { createFaceRecognizer } from '@likeness/embeddings/node';
import { annotate, PALETTE } from './annotate';
import { probeBackends, selectBackend } from './backend';
import { clusterFaces } from './cluster';
import { DEFAULT_THRESHOLD, formatThreshold } from './faces';
import { fromRgb, readImage, writeFileAtomic, writeImageFile, type RgbImage } from './image-io';
import { distanceMatrix } from './distance-matrix';
import { progress } from './progress';
import { stylise } from './stylise';

/** Faces closer than the library's calibrated same-person threshold are grouped. */
const GROUP_THRESHOLD = DEFAULT_THRESHOLD;
const t0 = performance.now();
const since = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = resolve(process.argv[2] ?? join(appDir, 'output', 'demo'));
  await mkdir(outDir, { recursive: true });

  // 1. Backends
  console.log('== backends');
  for (const p of await probeBackends()) console.log(`  ${p.ok ? '✓' : '✗'} ${p.name}${p.ok ? '' : ` (${p.reason})`}`);
  const backend = await selectBackend('auto');
  console.log(`  using ${backend.name}`);

  // 2. Faces in face-api's sample photos
  const recognizer = await createFaceRecognizer();
  const demoDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
  const photos = [1, 2, 3, 4, 5, 6].map((i) => join(demoDir, `sample${i}.jpg`));
  console.log(`== faces (${photos.length} photos from @vladmandic/face-api/demo, @likeness/embeddings createFaceRecognizer(): face-api Tiny detector + 68 landmarks, small-face search, dlib framing, dlib ResNet with flip averaging)`);
  const images: RgbImage[] = [];
  const faces: (EmbeddedFace & { photo: number })[] = [];
  const bar = progress(photos.length, 'detecting');
  for (const [p, path] of photos.entries()) {
    const r = await recognizer.embed(path);
    const image = await readImage(path);
    if (image.width !== r.width || image.height !== r.height) throw new Error(`${path}: decoded as ${image.width}×${image.height} here but ${r.width}×${r.height} by the recognizer`);
    images.push(image);
    [...r.faces].sort((a, b) => a.box.x - b.box.x).forEach((f) => faces.push({ ...f, photo: p }));
    bar.tick(`sample${p + 1}.jpg`);
  }
  bar.stop();
  photos.forEach((_, p) => console.log(`  sample${p + 1}.jpg: ${faces.filter((f) => f.photo === p).length} faces`));
  const D = await distanceMatrix(faces.map((f) => f.descriptor), faces.map((f) => f.descriptor));

  // 3. Pairs with known truth: each face vs a mirrored, shrunk, re-compressed copy (same person);
  //    two faces of the same photo (different people).
  const positives: number[] = [];
  const barAug = progress(faces.length, 'augmenting');
  for (const f of faces) {
    const img = images[f.photo]!;
    const m = Math.round(Math.max(f.box.width, f.box.height) * 0.8);
    const left = Math.max(0, Math.round(f.box.x) - m);
    const top = Math.max(0, Math.round(f.box.y) - m);
    const width = Math.min(img.width - left, Math.round(f.box.width) + 2 * m);
    const height = Math.min(img.height - top, Math.round(f.box.height) + 2 * m);
    const jpeg = await fromRgb(img).extract({ left, top, width, height }).flop().resize(Math.round(width * 0.6)).modulate({ brightness: 1.15 }).jpeg({ quality: 45 }).toBuffer();
    const path = join(outDir, '.augmented.jpg');
    await writeFileAtomic(path, jpeg);
    const copy = await recognizer.embed(path).catch(() => null);
    const face = copy?.faces[0]; // the largest
    if (face) positives.push((await distanceMatrix([f.descriptor], [face.descriptor]))[0]![0]!);
    barAug.tick();
  }
  barAug.stop();
  await import('node:fs/promises').then((fs) => fs.rm(join(outDir, '.augmented.jpg'), { force: true }));
  const negatives: number[] = [];
  const crossPhoto: number[] = [];
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) (faces[i]!.photo === faces[j]!.photo ? negatives : crossPhoto).push(D[i]![j]!);
  }
  const report = verificationReport([...positives, ...negatives], [...positives.map(() => true), ...negatives.map(() => false)]);
  console.log('== verification on pairs with known truth');
  console.log(`  ${positives.length} same-person pairs (face vs its mirrored, 60 %-size, JPEG-45 copy): distance ${stats(positives)}`);
  console.log(`  ${negatives.length} different-person pairs (two faces of one photo): distance ${stats(negatives)}`);
  console.log(`  AUC ${report.auc.toFixed(3)}, EER ${(report.eer * 100).toFixed(1)} % at distance ${report.eerThreshold.toFixed(3)}`);
  const T = DEFAULT_THRESHOLD;
  const rejectedNeg = negatives.filter((d) => d > T).length;
  console.log(`  at the library's threshold ${formatThreshold(T)}: ${positives.filter((d) => d <= T).length}/${positives.length} same accepted, ${rejectedNeg}/${negatives.length} different rejected`);
  const plotPath = join(outDir, 'distances-roc.png');
  await writeImageFile(plotPath, await plot(positives, negatives, crossPhoto, report.roc));

  // 4. Group the same people across photos
  const groups = clusterFaces(D, faces.map((f) => f.photo), GROUP_THRESHOLD);
  const multi = groups.filter((g) => g.length > 1);
  console.log(`== grouping (complete linkage, L2 ≤ ${formatThreshold(GROUP_THRESHOLD)}, never two faces of one photo)`);
  console.log(`  ${faces.length} faces → ${groups.length} people; ${multi.length} seen in more than one photo:`);
  multi.forEach((g, k) => console.log(`  P${k + 1}: ${g.map((i) => `sample${faces[i]!.photo + 1}#${faces.filter((f, j) => j < i && f.photo === faces[i]!.photo).length + 1}`).join(', ')}`));
  const label = new Map<number, { text: string; color: string }>();
  multi.forEach((g, k) => g.forEach((i) => label.set(i, { text: `P${k + 1}`, color: PALETTE[k % PALETTE.length]! })));
  const tiles: Buffer[] = [];
  for (const [p, img] of images.entries()) {
    const anns = faces
      .map((f, i) => ({ f, i }))
      .filter(({ f }) => f.photo === p)
      .map(({ f, i }) => ({ box: f.box, label: label.get(i)?.text ?? '·', color: label.get(i)?.color ?? '#ffffff', landmarks: f.landmarks.map((q) => [q.x, q.y] as [number, number]) }));
    tiles.push(await sharp(await annotate(img, anns, { scale: 2.5 }).png().toBuffer()).resize(600, 420, { fit: 'contain', background: '#000' }).png().toBuffer());
  }
  const sheetPath = join(outDir, 'faces-annotated.png');
  await writeImageFile(
    sheetPath,
    sharp({ create: { width: 1800, height: 840, channels: 3, background: '#000' } }).composite(tiles.map((t, k) => ({ input: t, left: (k % 3) * 600, top: Math.floor(k / 3) * 420 }))),
  );

  // 5. Style transfer
  console.log('== style transfer (@likeness/nst, nsfwjs MobileNetV2 backbone from node_modules)');
  const contentImg = await sharp(photos[1]!).extract({ left: 300, top: 0, width: 1400, height: 1100 }).resize(192).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const content: RgbImage = { data: new Uint8Array(contentImg.data), width: contentImg.info.width, height: contentImg.info.height };
  const styleBuf = await sharp(Buffer.from(styleSvg(192))).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const style: RgbImage = { data: new Uint8Array(styleBuf.data), width: styleBuf.info.width, height: styleBuf.info.height };
  const iterations = 45;
  const barSt = progress(iterations, 'stylising');
  const ts = performance.now();
  const result = await stylise(content, style, { iterations, onProgress: (_d, _t, loss) => barSt.tick(`loss ${loss.toExponential(2)}`) });
  barSt.stop();
  const stylisedPath = join(outDir, 'stylised.png');
  await writeImageFile(stylisedPath, fromRgb(result).resize(384));
  const sheet = [content, style, result];
  const stH = 150;
  const parts = await Promise.all(sheet.map((im) => fromRgb(im).resize({ height: stH }).png().toBuffer({ resolveWithObject: true })));
  const width = parts.reduce((s, p) => s + p.info.width + 8, 8);
  let x = 8;
  await writeImageFile(
    join(outDir, 'style-transfer-sheet.png'),
    sharp({ create: { width, height: stH + 16, channels: 3, background: '#fff' } }).composite(parts.map((p) => ({ input: p.data, left: (x += p.info.width + 8) - p.info.width - 8, top: 8 }))),
  );
  console.log(`  ${content.width}×${content.height}, ${iterations} iterations (2/3 at half size) in ${((performance.now() - ts) / 1000).toFixed(1)} s on ${backend.name}`);

  recognizer.dispose();
  console.log(`== done in ${since()}; results in ${outDir}/`);
  for (const f of [sheetPath, plotPath, stylisedPath, join(outDir, 'style-transfer-sheet.png')]) console.log(`  ${f}`);
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(3)} (min ${s[0]!.toFixed(3)}, max ${s.at(-1)!.toFixed(3)})`;
}

/** A style image: bold diagonal bands and circles (nothing to download). */
function styleSvg(size: number): string {
  const colors = ['#e6194b', '#ffe119', '#4363d8', '#3cb44b', '#f58231', '#911eb4'];
  const bands = Array.from({ length: 14 }, (_, i) => `<polygon points="${i * 30 - 200},0 ${i * 30 - 180},0 ${i * 30 + 20},${size} ${i * 30},${size}" fill="${colors[i % colors.length]}"/>`).join('');
  const circles = Array.from({ length: 9 }, (_, i) => `<circle cx="${(i * 53) % size}" cy="${(i * 71) % size}" r="${14 + (i % 3) * 8}" fill="none" stroke="${colors[(i + 2) % colors.length]}" stroke-width="6"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="#101010"/>${bands}${circles}</svg>`;
}

/** Distance histograms (left) and the ROC curve from @likeness/embeddings' rocSvg (right), as one image. */
async function plot(pos: number[], neg: number[], cross: number[], roc: Parameters<typeof rocSvg>[0][number]['roc']): Promise<sharp.Sharp> {
  const W = 560, H = 440, m = 50, bins = 30, lo = 0, hi = 1.2;
  const hist = (xs: number[]) => {
    const h = new Array(bins).fill(0) as number[];
    for (const x of xs) h[Math.min(bins - 1, Math.max(0, Math.floor(((x - lo) / (hi - lo)) * bins)))]!++;
    return h.map((c) => c / Math.max(1, xs.length));
  };
  const series = [
    { name: `same person (augmented copy), n=${pos.length}`, color: '#2e7d32', h: hist(pos) },
    { name: `different (same photo), n=${neg.length}`, color: '#c62828', h: hist(neg) },
    { name: `across photos (unknown), n=${cross.length}`, color: '#9e9e9e', h: hist(cross) },
  ];
  const ymax = Math.max(...series.flatMap((s) => s.h)) * 1.1;
  const X = (v: number) => m + ((v - lo) / (hi - lo)) * (W - 2 * m);
  const Y = (v: number) => H - m - (v / ymax) * (H - 2 * m);
  const bw = (W - 2 * m) / bins;
  const bars = series
    .map((s, k) => s.h.map((v, i) => `<rect x="${(m + i * bw + (k * bw) / 3).toFixed(1)}" y="${Y(v).toFixed(1)}" width="${(bw / 3).toFixed(1)}" height="${(H - m - Y(v)).toFixed(1)}" fill="${s.color}"/>`).join(''))
    .join('');
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2].map((v) => `<text x="${X(v)}" y="${H - m + 18}" font-size="12" text-anchor="middle">${v}</text>`).join('');
  const legend = series.map((s, k) => `<rect x="${m + 10}" y="${m + k * 18}" width="12" height="12" fill="${s.color}"/><text x="${m + 28}" y="${m + 10 + k * 18}" font-size="12">${s.name}</text>`).join('');
  const T = DEFAULT_THRESHOLD;
  const thr = `<line x1="${X(T)}" y1="${m + 60}" x2="${X(T)}" y2="${H - m}" stroke="#000" stroke-dasharray="4 3"/><text x="${X(T) + 4}" y="${H - m - 6}" font-size="11">${formatThreshold(T)}</text>`;
  const histSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif"><rect width="${W}" height="${H}" fill="#fff"/><text x="${W / 2}" y="24" font-size="15" text-anchor="middle">L2 distance between dlib ResNet embeddings</text>${bars}<line x1="${m}" y1="${H - m}" x2="${W - m}" y2="${H - m}" stroke="#000"/>${ticks}${thr}${legend}</svg>`;
  const rocPng = await sharp(Buffer.from(rocSvg([{ label: 'dlib ResNet', roc, threshold: DEFAULT_THRESHOLD }], { title: 'ROC (distance threshold sweep)', size: [520, H] }))).png().toBuffer();
  return sharp({ create: { width: W + 520, height: H, channels: 3, background: '#fff' } }).composite([
    { input: Buffer.from(histSvg), left: 0, top: 0 },
    { input: rocPng, left: W, top: 0 },
  ]);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
