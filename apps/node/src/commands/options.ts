import { CliError, EXIT } from '../errors';

/** Parses `--threshold` (a positive number), or gives the embedder's default. */
export function parseThreshold(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const t = Number(value);
  if (!Number.isFinite(t) || t <= 0) throw new CliError(`--threshold must be a positive number, got "${value}"`, EXIT.usage);
  return t;
}

/** Parses a positive integer option. */
export function parsePositiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`--${name} must be a positive integer, got "${value}"`, EXIT.usage);
  return n;
}
