import type { BackendChoice } from '@likeness/backends';
import { selectBackend } from './backend';
import { createFaceRecognizer } from '@likeness/embeddings/node';
import type { Faces } from './faces';
import { progress, type Progress, type ProgressOptions } from './progress';

/** cpu vs wasm time of `likeness verify` on two photos, measured on this project's 2-core machines (README). */
export const CPU_SLOWDOWN = '≈ 15× for verify';

/** Options every command shares. */
export interface GlobalOptions {
  backend: string;
  json: boolean;
  progress: boolean;
}

/** The backend and the face recognizer, loaded once per command on first use. */
export class Session {
  private backendChoice?: Promise<BackendChoice>;
  private recognizer?: Promise<Faces>;
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

  /**
   * `@likeness/embeddings`' face recognizer with its defaults (face-api's
   * Tiny detector + 68 landmarks with pad-and-retry and a small-face search,
   * dlib framing, the dlib ResNet with flip averaging, the calibrated
   * threshold), on the selected backend; model files from node_modules.
   */
  faces(): Promise<Faces> {
    return (this.recognizer ??= this.backend().then(() => createFaceRecognizer()));
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
