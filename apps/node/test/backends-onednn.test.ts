/**
 * `likeness backends` and `--backend` with the optional oneDNN plugin: where
 * it loads it is chosen by `auto`; where it does not (simulated by pointing
 * the plugin at a missing addon, what a machine without oneDNN's build sees)
 * the CLI falls back to wasm and says why in one line.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appDir, oneDnnLoads, runCli } from './run-cli';


const cli = (env: Record<string, string>, ...args: string[]) => runCli(args, { cwd: appDir, timeoutMs: 120_000, env });

describe('likeness CLI with the oneDNN plugin', () => {
  it('falls back to wasm without the addon, with one line saying what to install', async () => {
    const missing = { LIKENESS_ONEDNN_ADDON: join(appDir, 'no-such-dir', 'likeness_onednn.node') };
    const r = await cli(missing, 'backends');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const onednn = lines.filter((l) => l.includes('onednn'));
    expect(onednn).toHaveLength(1);
    expect(onednn[0]).toMatch(/^✗ onednn: oneDNN backend: the native addon is not built .*apt-get install libdnnl-dev.*build:native/);
    expect(lines.at(-1)).toBe('chosen (--backend auto): wasm');

    const json = JSON.parse((await cli(missing, 'backends', '--json')).stdout) as { chosen: string; refused: { name: string; reason: string }[] };
    expect(json.chosen).toBe('wasm');
    expect(json.refused.map((f) => f.name)).toEqual(['webgpu', 'onednn']);

    const forced = await cli(missing, '--backend', 'onednn', 'backends');
    expect(forced.code).toBe(5);
    expect(forced.stderr).toMatch(/onednn cannot run here \(onednn: oneDNN backend: the native addon is not built/);
  });

  it('is chosen by auto where oneDNN loads', async () => {
    const r = await cli({}, 'backends', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { backends: { name: string; ok: boolean; reason?: string }[]; chosen: string };
    const entry = out.backends.find((b) => b.name === 'onednn');
    expect(entry?.ok).toBe(oneDnnLoads());
    expect(out.chosen).toBe(oneDnnLoads() ? 'onednn' : 'wasm');
    if (!entry?.ok) expect(entry?.reason).toMatch(/oneDNN backend: .*(apt-get install libdnnl-dev|rebuild it)/);
  });
});
