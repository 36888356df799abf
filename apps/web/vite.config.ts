import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

/** COOP/COEP: makes the page cross-origin isolated, so threaded wasm (SharedArrayBuffer) can run. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Face models the app loads (from @vladmandic/face-api's model/ folder). */
const MODELS = ['tiny_face_detector_model', 'ssd_mobilenetv1_model', 'face_landmark_68_model', 'face_recognition_model'];

/**
 * Copies the tfjs-backend-wasm binaries into public/wasm/, face-api's model
 * files into public/models/ and nsfwjs's MobileNetV2 into public/nst/ (all gitignored), so dev and build serve them
 * from the app's own origin — nothing is fetched from a CDN.
 */
function copyRuntimeAssets(): Plugin {
  return {
    name: 'likeness-copy-runtime-assets',
    async configResolved() {
      // The style-transfer backbone: nsfwjs's MobileNetV2 as tf.io artifacts (model.json + weights.bin).
      if (!existsSync('public/nst/weights.bin')) {
        const { loadNsfwjsArtifacts } = await import('@likeness/nst/node');
        const a = await loadNsfwjsArtifacts('mobilenet_v2');
        mkdirSync('public/nst', { recursive: true });
        writeFileSync('public/nst/model.json', JSON.stringify({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs }));
        writeFileSync('public/nst/weights.bin', new Uint8Array(a.weightData as ArrayBuffer));
      }
      const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
      mkdirSync('public/wasm', { recursive: true });
      for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join('public/wasm', f));
      const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
      mkdirSync('public/models', { recursive: true });
      for (const m of MODELS) {
        for (const f of [`${m}-weights_manifest.json`, `${m}.bin`]) {
          if (!existsSync(join('public/models', f))) copyFileSync(join(modelDir, f), join('public/models', f));
        }
      }
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [copyRuntimeAssets()],
  // PGlite loads its wasm, data file and the vector extension with `new URL(…, import.meta.url)`:
  // pre-bundling would lose those files in dev; the build emits them as assets of the app.
  optimizeDeps: { exclude: ['@electric-sql/pglite', '@electric-sql/pglite-pgvector'] },
  server: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
  preview: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
  // Vite 8's default minifier breaks tfjs-backend-wasm's threaded worker; esbuild's does not.
  build: { target: 'es2022', minify: 'esbuild', chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
});
