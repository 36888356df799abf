import cliProgress from 'cli-progress';

/** A progress bar on stderr (only where stderr is a terminal and `enabled`). */
export interface Progress {
  tick(label?: string): void;
  stop(): void;
}

/**
 * @example
 * ```ts
 * const bar = progress(files.length, 'detecting');
 * for (const f of files) { await work(f); bar.tick(f); }
 * bar.stop();
 * ```
 */
export function progress(total: number, title: string, enabled = true): Progress {
  if (!enabled || !process.stderr.isTTY || total <= 1) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${title.padEnd(12)} [{bar}] {value}/{total} {label}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    tick(label = '') {
      bar.increment(1, { label });
    },
    stop() {
      bar.stop();
    },
  };
}
