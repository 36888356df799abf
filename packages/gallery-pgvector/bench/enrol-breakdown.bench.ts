// Where an enrolment's time goes in PGlite: 10,000 face-like 128-D rows
// (LIKENESS_BENCH_BREAKDOWN_ROWS) into PGlite in memory, 1000-row
// transactions, each step alone and then the previous decimal-text path and
// the binary COPY path the store uses, with ratios to the text path.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { encodeCopyBinary } from '../src/binary-rows';
import { faceLikeDataset } from '../test/face-like-dataset';

const D = 128;
const N = Number(process.env['LIKENESS_BENCH_BREAKDOWN_ROWS'] ?? 10_000);
const B = 1000;
const data = faceLikeDataset(N, D, 1);
const entries = Array.from({ length: N }, (_, i) => ({ id: data.ids[i]!, identity: data.who[i]!, embedding: data.rows.subarray(i * D, (i + 1) * D) }));
// the previous store's formatting loop (Array.prototype.join is about 3× slower here)
const literal = (v: Float32Array) => {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + v[i]!;
  return s + ']';
};

let t = performance.now();
const literals = entries.map((e) => literal(e.embedding));
const literalUs = ((performance.now() - t) / N) * 1000;
t = performance.now();
for (let s = 0; s < N; s += B) encodeCopyBinary(entries.slice(s, s + B), D);
const copyUs = ((performance.now() - t) / N) * 1000;

const schema = `CREATE TABLE e (tenant text NOT NULL, id text NOT NULL, identity text NOT NULL, embedding vector(${D}) NOT NULL, PRIMARY KEY (tenant, id));
  CREATE INDEX ei ON e (tenant, identity);
  CREATE TEMPORARY TABLE stage (id text NOT NULL, identity text NOT NULL, embedding vector(${D}) NOT NULL);`;
const upsert = `ON CONFLICT (tenant, id) DO UPDATE SET identity = excluded.identity, embedding = excluded.embedding`;
type Step = (tx: { query: PGlite['query'] }, s: number, e: number) => Promise<unknown>;
const steps: [string, Step][] = [
  ['text arrays sent, nothing parsed', (tx, s, e) => tx.query(`SELECT count(*) FROM unnest($1::text[]) AS u(x)`, [literals.slice(s, e)])],
  ['text arrays sent, vectors parsed', (tx, s, e) => tx.query(`SELECT count(x::vector(${D})) FROM unnest($1::text[]) AS u(x)`, [literals.slice(s, e)])],
  ['previous path: text upsert (500-row statements)', async (tx, s, e) => {
    for (let a = s; a < e; a += 500) {
      const b = Math.min(e, a + 500);
      await tx.query(`INSERT INTO e SELECT 't', u.id, u.identity, u.embedding::vector(${D}) FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, identity, embedding) ${upsert}`, [data.ids.slice(a, b), data.who.slice(a, b), literals.slice(a, b)]);
    }
  }],
  ['binary COPY into the staging table only', async (tx, s, e) => {
    await tx.query(`COPY stage FROM '/dev/blob' WITH (FORMAT binary)`, [], { blob: new Blob([encodeCopyBinary(entries.slice(s, e), D)]) });
    await tx.query(`TRUNCATE stage`);
  }],
  ['store path: binary COPY + upsert from the staging table', async (tx, s, e) => {
    await tx.query(`COPY stage FROM '/dev/blob' WITH (FORMAT binary)`, [], { blob: new Blob([encodeCopyBinary(entries.slice(s, e), D)]) });
    await tx.query(`INSERT INTO e SELECT 't', id, identity, embedding FROM stage ${upsert}`);
    await tx.query(`TRUNCATE stage`);
  }],
];

console.log(`${N} rows, D = ${D}, ${B}-row transactions, PGlite memory://`);
console.log(`  JS: vector literals ${literalUs.toFixed(1)} µs/row (excluded below: done up front), binary COPY encoding ${copyUs.toFixed(1)} µs/row (included below)`);
const rates: Record<string, number> = {};
for (const [name, step] of steps) {
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec(`CREATE EXTENSION IF NOT EXISTS vector; ${schema}`);
  const t0 = performance.now();
  for (let s = 0; s < N; s += B) await db.transaction((tx) => step(tx as never, s, Math.min(N, s + B)));
  rates[name] = N / ((performance.now() - t0) / 1000);
  await db.close();
}
const ref = rates['previous path: text upsert (500-row statements)']!;
console.log('\n| step | rows/s | µs/row | × previous path |\n|---|---:|---:|---:|');
for (const [name, r] of Object.entries(rates)) console.log(`| ${name} | ${r.toFixed(0)} | ${(1e6 / r).toFixed(0)} | ${(r / ref).toFixed(1)} |`);
