/**
 * The style-transfer panel: @likeness/nst with nsfwjs's MobileNetV2 (served
 * by this app under ./nst/), coarse to fine, the canvas updated as the image
 * changes, and a cancel button.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createNsfwjsExtractor, styleTransfer, type FeatureExtractor } from '@likeness/nst';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let extractor: Promise<FeatureExtractor> | undefined;

async function loadExtractor(): Promise<FeatureExtractor> {
  const base = new URL('./nst/', document.baseURI);
  const [json, weights] = await Promise.all([
    fetch(new URL('model.json', base)).then((r) => r.json()),
    fetch(new URL('weights.bin', base)).then((r) => r.arrayBuffer()),
  ]);
  return createNsfwjsExtractor({ modelTopology: json.modelTopology, weightSpecs: json.weightSpecs, weightData: weights });
}

/** A file → [1,H,W,3] in [0,1], longest side `maxSide`. */
async function readImage(file: File, maxSide: number): Promise<tf.Tensor4D> {
  const bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, maxSide / Math.max(bmp.width, bmp.height));
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(bmp.width * scale));
  c.height = Math.max(1, Math.round(bmp.height * scale));
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bmp, 0, 0, c.width, c.height);
  const rgba = ctx.getImageData(0, 0, c.width, c.height).data;
  const rgb = new Float32Array(c.width * c.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]! / 255;
    rgb[j + 1] = rgba[i + 1]! / 255;
    rgb[j + 2] = rgba[i + 2]! / 255;
  }
  return tf.tensor4d(rgb, [1, c.height, c.width, 3]);
}

async function draw(canvas: HTMLCanvasElement, image: tf.Tensor4D): Promise<void> {
  const [, h, w] = image.shape;
  const data = await image.data();
  const px = new ImageData(w, h);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    px.data[i] = Math.round(Math.min(1, Math.max(0, data[j]!)) * 255);
    px.data[i + 1] = Math.round(Math.min(1, Math.max(0, data[j + 1]!)) * 255);
    px.data[i + 2] = Math.round(Math.min(1, Math.max(0, data[j + 2]!)) * 255);
    px.data[i + 3] = 255;
  }
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d')!.putImageData(px, 0, 0);
}

export function setupStylePanel(): void {
  const status = $<HTMLParagraphElement>('style-status');
  const run = $<HTMLButtonElement>('style-run');
  const cancel = $<HTMLButtonElement>('style-cancel');
  const content = $<HTMLInputElement>('style-content');
  const style = $<HTMLInputElement>('style-style');
  const canvas = $<HTMLCanvasElement>('style-canvas');
  const set = (text: string, state: string) => ((status.textContent = text), (status.dataset.state = state));
  const ready = () => (run.disabled = !(content.files?.length && style.files?.length));
  content.onchange = style.onchange = ready;
  set('choose a content and a style image', 'idle');
  let controller: AbortController | undefined;
  cancel.onclick = () => controller?.abort(new Error('cancelled'));
  run.onclick = async () => {
    const iterations = Math.max(1, Number($<HTMLInputElement>('style-iterations').value) || 50);
    const size = Math.max(32, Number(run.dataset.size ?? 256));
    controller = new AbortController();
    run.disabled = true;
    cancel.disabled = false;
    const owned: tf.Tensor[] = [];
    try {
      set('loading the MobileNetV2 backbone…', 'busy');
      extractor ??= loadExtractor();
      const ex = await extractor;
      const c = await readImage(content.files![0]!, size);
      const s = await readImage(style.files![0]!, size);
      owned.push(c, s);
      await draw(canvas, c);
      const coarse = Math.round((iterations * 2) / 3);
      // The library's warm-up (25 iterations per level) is kept although the fine level has fewer
      // steps (17 of the default 50): measured at 256 px, it ends at a lower loss with less grain than
      // min(25, half a level) or none (packages/nst/docs/COMPARISON.md, "The warm-up on short runs").
      let done = 0;
      const { image, seconds } = await styleTransfer({
        extractor: ex,
        content: c,
        styles: [s],
        scales: [0.5, 1],
        iterations: [coarse, iterations - coarse],
        progressEvery: 2,
        signal: controller.signal,
        onProgress: async (e) => {
          done++;
          status.dataset.iteration = String(done);
          status.dataset.loss = String(e.loss);
          set(`iteration ${done}/${iterations} (scale ${e.scale}) · loss ${e.loss.toExponential(3)}`, 'running');
          if (e.image) await draw(canvas, e.image);
        },
      });
      owned.push(image);
      await draw(canvas, image);
      set(`done: ${iterations} iterations in ${seconds.toFixed(1)} s on ${tf.getBackend()}`, 'done');
    } catch (e) {
      set(controller.signal.aborted ? `cancelled after ${status.dataset.iteration ?? 0} iterations` : `style transfer failed: ${(e as Error).message}`, controller.signal.aborted ? 'cancelled' : 'error');
    } finally {
      tf.dispose(owned);
      cancel.disabled = true;
      ready();
    }
  };
}
