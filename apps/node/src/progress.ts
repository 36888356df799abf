import cliProgress from 'cli-progress';

/** A progress bar on stderr (only where stderr is a terminal and it is enabled). */
export interface Progress {
  /** One step done; `label` is shown after the bar, `payload` fills the format's other fields. */
  tick(label?: string, payload?: Record<string, string>): void;
  /** Prints a line above the bar (never glued to it); a plain line on stderr when there is no bar. */
  log(line: string): void;
  stop(): void;
}

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** @defaultValue true */
  enabled?: boolean;
  /** Show the estimated time left. @defaultValue false */
  eta?: boolean;
  /** Text between the counts and the label, with `{field}`s filled from `tick`'s payload (e.g. `scale {scale}`). */
  extra?: string;
  /** Where to draw. @defaultValue process.stderr (a bar only when it is a terminal) */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * A progress bar (cli-progress) that other output can be printed above.
 *
 * @example
 * ```ts
 * const bar = progress(files.length, 'detecting');
 * for (const f of files) { await work(f); bar.tick(f); }
 * bar.stop();
 * ```
 */
export function progress(total: number, title: string, options: boolean | ProgressOptions = true): Progress {
  const o: ProgressOptions = typeof options === 'boolean' ? { enabled: options } : options;
  const stream = o.stream ?? process.stderr;
  if (o.enabled === false || !stream.isTTY || total < 1) {
    return { tick() {}, log: (line) => void stream.write(`${line}\n`), stop() {} };
  }
  const fields = [`{value}/{total}`, o.eta ? 'ETA {eta_formatted}' : '', o.extra ?? '', '{label}'].filter(Boolean).join(' ');
  const multi = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: `${title.padEnd(12)} [{bar}] ${fields}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      etaAsynchronousUpdate: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const empty = Object.fromEntries([...(o.extra ?? '').matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, '']));
  const bar = multi.create(total, 0, { label: '', ...empty });
  let stopped = false;
  return {
    tick(label = '', payload = {}) {
      bar.increment(1, { label, ...payload });
    },
    log(line) {
      if (stopped) return void stream.write(`${line}\n`);
      multi.log(`${line}\n`);
      multi.update();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multi.update();
      multi.stop();
    },
  };
}
