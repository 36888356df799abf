// Face-descriptor-like data for the benchmark and the HNSW recall test: unit vectors (like normalised
// face embeddings) in three levels of clusters, not uniform noise —
//   32 "population" directions → identities scattered around them →
//   4 photos per identity close to their identity's centre,
// so that photos of one person are ~0.3 apart (L2), the nearest other person
// is closer than a random pair, and probes (new photos) have a dense
// neighbourhood, which is what makes approximate search hard.

export interface Dataset {
  ids: string[];
  who: string[];
  /** [n, D] row-major unit vectors. */
  rows: Float32Array;
  /** Mean L2 distances measured on a sample: photos of one identity, nearest other identity's centre, random pairs. */
  stats: { intra: number; interNearest: number; inter: number };
  /** `count` probes [count, D]: 80 % new photos of enrolled identities, 20 % photos of strangers. */
  probes(count: number, seed: number): Float32Array;
}

const POPULATIONS = 32;
const PER_IDENTITY = 4;
const IDENTITY_SPREAD = 0.9; // identity centre = population + spread·noise (then normalised)
const PHOTO_NOISE = 0.3; // photo = centre + noise·noise (then normalised)

function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function unit(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return v.map((x) => x / n);
}

/** `base + scale·N(0, I/D)`, normalised. */
function around(base: Float64Array, scale: number, g: () => number): Float64Array {
  const D = base.length;
  const f = scale / Math.sqrt(D);
  return unit(base.map((x) => x + f * g()));
}

function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

export function faceLikeDataset(n: number, D: number, seed: number): Dataset {
  const g = gaussian(seed);
  const pops = Array.from({ length: POPULATIONS }, () => unit(Float64Array.from({ length: D }, g)));
  const identities = Math.ceil(n / PER_IDENTITY);
  const centres = Array.from({ length: identities }, (_, i) => around(pops[i % POPULATIONS]!, IDENTITY_SPREAD, g));
  const rows = new Float32Array(n * D);
  for (let i = 0; i < n; i++) rows.set(around(centres[Math.floor(i / PER_IDENTITY)]!, PHOTO_NOISE, g), i * D);
  const row = (i: number) => rows.subarray(i * D, (i + 1) * D);
  // statistics on a sample of identities
  const sample = Math.min(200, Math.floor(n / PER_IDENTITY));
  let intra = 0, nearest = 0, inter = 0;
  for (let s = 0; s < sample; s++) {
    const i = s * PER_IDENTITY;
    intra += dist(row(i), row(i + 1));
    let best = Infinity;
    for (let c = 0; c < Math.min(identities, 2000); c++) if (c !== s) best = Math.min(best, dist(centres[s]!, centres[c]!));
    nearest += best;
    inter += dist(row(i), row((i + PER_IDENTITY * 7919) % n));
  }
  return {
    ids: Array.from({ length: n }, (_, i) => `e${i}`),
    who: Array.from({ length: n }, (_, i) => `p${Math.floor(i / PER_IDENTITY)}`),
    rows,
    stats: { intra: intra / sample, interNearest: nearest / sample, inter: inter / sample },
    probes(count: number, probeSeed: number): Float32Array {
      const h = gaussian(probeSeed);
      const out = new Float32Array(count * D);
      for (let q = 0; q < count; q++) {
        const known = q % 5 !== 4;
        const centre = known ? centres[Math.floor(Math.abs(h()) * 1e6) % identities]! : around(pops[q % POPULATIONS]!, IDENTITY_SPREAD, h);
        out.set(around(centre, PHOTO_NOISE, h), q * D);
      }
      return out;
    },
  };
}
