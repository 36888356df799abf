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
  if (value.trim() === '' || !Number.isInteger(n) || n <= 0) throw new CliError(`--${name} must be a positive integer, got "${value}"`, EXIT.usage);
  return n;
}

/** Parses a non-negative integer option (0 allowed, e.g. `--save_iter 0` = never). */
export function parseNonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new CliError(`--${name} must be a non-negative integer, got "${value}"`, EXIT.usage);
  return n;
}

/** Parses any integer option (e.g. a seed). */
export function parseInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n)) throw new CliError(`--${name} must be an integer, got "${value}"`, EXIT.usage);
  return n;
}

/** Parses a finite number option within `min` (inclusive unless `exclusiveMin`) and optional `max`. */
export function parseNumber(
  name: string,
  value: string | undefined,
  options: { min?: number; exclusiveMin?: boolean; max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const { min, exclusiveMin = false, max } = options;
  const low = min === undefined || (exclusiveMin ? n > min : n >= min);
  if (value.trim() === '' || !Number.isFinite(n) || !low || (max !== undefined && n > max)) {
    const range =
      min === undefined ? 'a number' : exclusiveMin && max === undefined ? `a number > ${min}` : max === undefined ? `a number ≥ ${min}` : `a number in ${exclusiveMin ? '(' : '['}${min}, ${max}]`;
    throw new CliError(`--${name} must be ${range}, got "${value}"`, EXIT.usage);
  }
  return n;
}

/** Splits a comma list (`a.jpg,b.jpg`, `1,1`); empty items are a usage error. */
export function parseList(name: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new CliError(`--${name} must be a comma-separated list without empty items, got "${value}"`, EXIT.usage);
  return items;
}

/** Parses a comma list of numbers, each checked like {@link parseNumber}. */
export function parseNumberList(name: string, value: string, options: { min?: number; exclusiveMin?: boolean; max?: number } = {}): number[] {
  return parseList(name, value).map((v) => {
    try {
      return parseNumber(name, v, options)!;
    } catch {
      throw new CliError(`--${name} must be a comma-separated list of ${describe(options)}, got "${value}"`, EXIT.usage);
    }
  });
}

function describe(options: { min?: number; exclusiveMin?: boolean; max?: number }): string {
  if (options.min === undefined) return 'numbers';
  if (options.max !== undefined) return `numbers in ${options.exclusiveMin ? '(' : '['}${options.min}, ${options.max}]`;
  return `numbers ${options.exclusiveMin ? '>' : '≥'} ${options.min}`;
}
