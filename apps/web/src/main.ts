/**
 * The likeness sample page: which backend runs (switchable), face verification
 * from two photos (or the webcam), a gallery (PGlite + pgvector in IndexedDB),
 * and style transfer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { requestedBackend, startBackend, switchBackend } from './backend';
import type { Gallery } from '@likeness/embeddings';
import { distanceMatrix } from './distances';
import { defaultThreshold, faceapi, findFaces, largestFace, loadFaceModels, type Face } from './faces';
import { listPeople, openGallery } from './gallery-db';
import { setupStylePanel } from './style-panel';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLSpanElement>('status');
const result = $<HTMLParagraphElement>('verify-result');

interface Slot {
  canvas: HTMLCanvasElement;
  faces: Face[] | null;
  source: CanvasImageSource | null;
}
const slots: Record<'a' | 'b', Slot> = {
  a: { canvas: $('canvas-a'), faces: null, source: null },
  b: { canvas: $('canvas-b'), faces: null, source: null },
};
const MAX_SIDE = 800;

function setStatus(el: HTMLElement, text: string, state: string): void {
  el.textContent = text;
  el.dataset.state = state;
}

function drawSlot(slot: Slot, labels: { box: Face['box']; text: string; color: string }[] = []): void {
  const ctx = slot.canvas.getContext('2d', { willReadFrequently: true })!;
  if (slot.source) ctx.drawImage(slot.source, 0, 0, slot.canvas.width, slot.canvas.height);
  ctx.lineWidth = 3;
  ctx.font = 'bold 16px system-ui, sans-serif';
  for (const l of labels) {
    ctx.strokeStyle = ctx.fillStyle = l.color;
    ctx.strokeRect(l.box.x, l.box.y, l.box.width, l.box.height);
    if (l.text) ctx.fillText(l.text, l.box.x, Math.max(16, l.box.y - 4));
  }
}

async function loadInto(slot: Slot, source: CanvasImageSource & { width: number; height: number }): Promise<void> {
  const scale = Math.min(1, MAX_SIDE / Math.max(source.width, source.height));
  slot.canvas.width = Math.round(source.width * scale);
  slot.canvas.height = Math.round(source.height * scale);
  slot.source = source;
  slot.faces = null;
  drawSlot(slot);
  slot.faces = await findFaces(slot.canvas);
  const main = largestFace(slot.faces);
  drawSlot(slot, slot.faces.map((f) => ({ box: f.box, text: '', color: f === main ? '#00c853' : '#ffab00' })));
}

async function onFile(which: 'a' | 'b', file: File | undefined): Promise<void> {
  if (!file) return;
  setStatus(result, `finding faces in photo ${which.toUpperCase()}…`, 'busy');
  try {
    await loadInto(slots[which], await createImageBitmap(file, { imageOrientation: 'from-image' }));
    setStatus(result, `photo ${which.toUpperCase()}: ${slots[which].faces!.length} face(s)`, 'loaded');
  } catch (e) {
    setStatus(result, `photo ${which.toUpperCase()}: ${(e as Error).message} (is it an image?)`, 'error');
  }
  refreshButtons();
}

function refreshButtons(): void {
  $<HTMLButtonElement>('verify').disabled = !(slots.a.faces && slots.b.faces);
  $<HTMLButtonElement>('enrol').disabled = !slots.a.faces?.length;
  $<HTMLButtonElement>('identify').disabled = !slots.b.faces?.length;
}

async function verify(): Promise<void> {
  const fa = largestFace(slots.a.faces ?? []);
  const fb = largestFace(slots.b.faces ?? []);
  if (!fa || !fb) {
    setStatus(result, `no face found in photo ${!fa ? 'A' : 'B'}`, 'error');
    return;
  }
  const threshold = (Number($<HTMLInputElement>('threshold').value) || (await defaultThreshold()));
  const d = (await distanceMatrix([fa.embedding], [fb.embedding]))[0]![0]!;
  const same = d <= threshold;
  result.dataset.distance = String(d);
  result.dataset.same = String(same);
  setStatus(result, `distance ${d.toFixed(4)} (threshold ${threshold}, ${tf.getBackend()}): ${same ? 'same person' : 'different people'}`, 'done');
}

let gallery: Gallery | null = null;

async function renderGallery(): Promise<void> {
  const list = $('gallery-list');
  if (!gallery) return;
  const people = await listPeople(gallery);
  list.replaceChildren(
    ...people.map((p) => {
      const li = Object.assign(document.createElement('li'), { textContent: `${p.name} — ${p.faces} face(s) ` });
      li.dataset.name = p.name;
      const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: 'remove', className: 'gallery-remove' });
      remove.onclick = () => void run(async () => (await gallery!.remove(p.name), renderGallery()));
      li.append(remove);
      return li;
    }),
  );
  list.dataset.count = String(people.length);
}

/** Runs a gallery action, showing its error (if any) under the gallery. */
async function run(action: () => Promise<unknown>): Promise<void> {
  const out = $('identify-result');
  try {
    await action();
  } catch (e) {
    setStatus(out, `gallery: ${(e as Error).message}`, 'error');
  }
}

async function identify(): Promise<void> {
  const faces = slots.b.faces ?? [];
  const out = $('identify-result');
  if (!gallery) return setStatus(out, 'the gallery is not open', 'error');
  if ((await gallery.count()) === 0) return setStatus(out, 'the gallery is empty: enrol someone first', 'done');
  if (faces.length === 0) return setStatus(out, 'no face in photo B', 'done');
  setStatus(out, 'identifying…', 'busy');
  const threshold = Number($<HTMLInputElement>('threshold').value) || (await defaultThreshold());
  const answers = await gallery.identify(faces.map((f) => f.embedding), { threshold });
  const labels = faces.map((f, i) => {
    const { identity, distance } = answers[i]!;
    return { box: f.box, text: identity ? `${identity} ${distance.toFixed(2)}` : 'unknown', color: identity ? '#00c853' : '#ff1744', name: identity };
  });
  drawSlot(slots.b, labels);
  setStatus(out, labels.map((l, i) => `face ${i + 1}: ${l.name ?? 'unknown'}`).join('; '), 'done');
}

async function setupWebcam(): Promise<void> {
  if (!navigator.mediaDevices?.getUserMedia) return;
  const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  if (!devices.some((d) => d.kind === 'videoinput')) return;
  const video = $<HTMLVideoElement>('webcam');
  for (const button of document.querySelectorAll<HTMLButtonElement>('button.webcam')) {
    button.hidden = false;
    button.onclick = async () => {
      try {
        if (!video.srcObject) {
          video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
          await video.play();
        }
        const frame = document.createElement('canvas');
        frame.width = video.videoWidth;
        frame.height = video.videoHeight;
        frame.getContext('2d')!.drawImage(video, 0, 0);
        await loadInto(slots[button.dataset.target as 'a' | 'b'], frame);
        refreshButtons();
      } catch (e) {
        setStatus(result, `webcam: ${(e as Error).message}`, 'error');
      }
    };
  }
}

async function main(): Promise<void> {
  const requested = requestedBackend();
  const select = $<HTMLSelectElement>('backend-select');
  select.value = requested;
  select.onchange = () => switchBackend(select.value);
  let readyText: string;
  try {
    const choice = await startBackend(requested);
    const refused = choice.refused.map((r) => `${r.name}: ${r.reason}`).join('; ');
    status.dataset.backend = choice.name;
    setStatus(status, `loading face models on ${choice.name}…`, 'loading');
    await loadFaceModels();
    $<HTMLInputElement>('threshold').value = (await defaultThreshold()).toFixed(4);
    const isolation = globalThis.crossOriginIsolated ? 'cross-origin isolated' : 'not isolated (single-threaded wasm)';
    readyText = `backend: ${choice.name} · ${isolation}${refused ? ` · refused ${refused}` : ''}`;
  } catch (e) {
    setStatus(status, `no backend: ${(e as Error).message}`, 'error');
    return;
  }
  $<HTMLInputElement>('photo-a').onchange = (e) => onFile('a', (e.target as HTMLInputElement).files?.[0]);
  $<HTMLInputElement>('photo-b').onchange = (e) => onFile('b', (e.target as HTMLInputElement).files?.[0]);
  $('verify').onclick = () => void verify().catch((e) => setStatus(result, (e as Error).message, 'error'));
  $('enrol').onclick = async () => {
    const name = $<HTMLInputElement>('enrol-name').value.trim();
    const face = largestFace(slots.a.faces ?? []);
    if (!name || !face) return void ($('identify-result').textContent = name ? 'no face in photo A' : 'type a name first');
    await run(async () => {
      if (!gallery) throw new Error('the gallery is not open');
      await gallery.enrol(name, face.embedding);
      await renderGallery();
    });
  };
  $('identify').onclick = () => void run(identify);
  $('gallery-clear').onclick = () =>
    void run(async () => {
      for (const name of (await gallery?.identities()) ?? []) await gallery!.remove(name);
      await renderGallery();
    });
  setupStylePanel();
  await run(async () => {
    const opened = await openGallery();
    gallery = opened.gallery;
    if (opened.migrated > 0) setStatus($('identify-result'), `moved ${opened.migrated} face(s) from the old IndexedDB gallery`, 'done');
    await renderGallery();
  });
  await setupWebcam();
  // 'ready' only once every control is wired: input events before this would be lost.
  setStatus(status, readyText, 'ready');
}

// For tests and the curious: the page's tfjs-core and face-api.
Object.assign(globalThis, { likeness: { tf, faceapi, faces: { findFaces, loadFaceModels }, gallery: () => gallery } });

void main();
