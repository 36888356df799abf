import type { BackendChoice } from '@likeness/backends';
import { selectBackend } from './backend';
import { createFaceDetector, type FaceDetector } from './face-api';
import { createLikenessFaceEmbedder, type FaceEmbedder } from './face-embedder';

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
    return (this.backendChoice ??= selectBackend(this.options.backend));
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
