/** `'4.22.0'` → `[4, 22, 0]`; unparsable parts become NaN. */
export function parseVersion(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v.trim().replace(/^[\^~=v]+/, ''));
  if (!m) return [Number.NaN, Number.NaN, Number.NaN];
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * Kernel and engine internals of tfjs change between minor releases, so a
 * plugin must match the running core's major and minor version.
 */
export function isCompatibleCore(pluginCore: string, runningCore: string): boolean {
  const [a, b] = [parseVersion(pluginCore), parseVersion(runningCore)];
  return a[0] === b[0] && a[1] === b[1];
}
