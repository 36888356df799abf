import type { BackendChoice } from '@likeness/backends';
import { selectBackend } from './backend';
import { createFaceDetector, type FaceDetector } from './face-api';
import { createLikenessFaceEmbedder, type FaceEmbedder } from './face-embedder';
import { progress, type Progress, type ProgressOptions } from './progress';

/** cpu vs wasm time of `likeness verify` on two photos, measured on this project's 2-core machines (README). */
export const CPU_SLOWDOWN = '≈ 15× for verify';

/** Options every command shares. */
export interface GlobalOptions {
  backend: string;
  json: boolean;
  progress: boolean;
}

/** The backend and face models, loaded once per command on first use. */
export class Session {
  private backendChoice?: Promise<BackendChoice>;
  private faces?: Promise<{ detector: FaceDetector; embedder: FaceEmbedder }>;
  constructor(readonly options: GlobalOptions) {}

  backend(): Promise<BackendChoice> {
    return (this.backendChoice ??= selectBackend(this.options.backend).then((choice) => {
      if (choice.name === 'cpu') {
        this.warn(`the cpu backend is plain JavaScript, many times slower than wasm (${CPU_SLOWDOWN} for the face models here); use --backend wasm (or auto) unless you need cpu`);
      }
      return choice;
    }));
  }

  /** A progress bar on stderr (a terminal only, unless --no-progress). */
  progress(total: number, title: string, options: Omit<ProgressOptions, 'enabled'> = {}): Progress {
    return progress(total, title, { ...options, enabled: this.options.progress });
  }

  /** A warning on stderr (also with --json, whose stdout stays one JSON document). */
  warn(line: string): void {
    process.stderr.write(`likeness: warning: ${line}\n`);
  }

  faceModels(): Promise<{ detector: FaceDetector; embedder: FaceEmbedder }> {
    return (this.faces ??= this.backend().then(async () => ({
      detector: await createFaceDetector(),
      embedder: await createLikenessFaceEmbedder(),
    })));
  }

  /** Human-readable output (suppressed with --json). */
  log(line: string): void {
    if (!this.options.json) process.stdout.write(line + '\n');
  }

  /** The machine-readable result (only with --json). */
  result(value: unknown): void {
    if (this.options.json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }
}
