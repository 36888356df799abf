// A/B: wasm with 1 thread vs env.wasm.numThreads=2 (worker_threads), interleaved in one run.
// Run: node bench/ab-threads.mjs [--rounds=3] [--reps=3] [--cases=conv2d] [--threads=1,2]   (build first)
// Each round starts one process per thread count (the wasm backend initialises once per process),
// alternating the order; prints the median over rounds of each process's median, and the load average.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const rounds = Number(args.rounds ?? 3);
const reps = String(args.reps ?? 3);
const cases = args.cases ?? 'conv2d';
const variants = (args.threads ?? '1,2').split(',').map(Number);
const bench = fileURLToPath(new URL('./bench.mjs', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const runs = Object.fromEntries(variants.map((t) => [t, []]));
const loads = [loadavg()[0]];
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? variants : [...variants].reverse();
  for (const t of order) {
    const out = execFileSync(
      process.execPath,
      [bench, '--backends=wasm', '--no-torch', '--json', `--reps=${reps}`, `--threads=${t}`, `--cases=${cases}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 600_000 },
    );
    runs[t].push(JSON.parse(out.trim().split('\n').at(-1)).results.wasm);
    loads.push(loadavg()[0]);
    process.stderr.write(`round ${r + 1}, ${t} thread(s) done\n`);
  }
}
const labels = Object.keys(runs[variants[0]][0]);
const head = ['case', ...variants.map((t) => `wasm ${t} thr ms`), ...variants.slice(1).map((t) => `${variants[0]}/${t} thr`)];
console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
for (const l of labels) {
  const m = variants.map((t) => median(runs[t].map((x) => x[l])));
  console.log(`| ${[l, ...m.map((v) => v.toFixed(1)), ...m.slice(1).map((v) => (m[0] / v).toFixed(2) + '×')].join(' | ')} |`);
}
console.log(
  `\nmedian of ${rounds} interleaved processes (each: median of ${reps} runs after a warm-up); ` +
    `1-min load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
);
