import { InvalidArgumentError } from '@likeness/backends';
import { DISTANCE_METRICS, GalleryStoreError, type DistanceMetric, type GalleryEntry, type GalleryHit, type GalleryStoreV2, type JsonValue } from '@likeness/embeddings';
import { encodeCopyBinary, encodeVectorArray } from './binary-rows';
import type { SqlClient, SqlQueryable } from './sql-client';
import type { GallerySearchMode, PgvectorStoreOptions } from './store-options';

/** The schema version this package writes (kept in `<prefix>_schema`). */
export const GALLERY_SCHEMA_VERSION = 1;
/** Rows per bulk statement (one COPY or one INSERT of a binary array): bounds the memory of a large enrolment. */
const ROWS_PER_STATEMENT = 2000;
/** An enrolment of at least this many rows into an empty table builds its HNSW indexes after the load instead of growing them row by row. */
const HNSW_BUILD_AFTER_LOAD_ROWS = 1000;
/** PGlite: fewer rows than this go as text (a COPY through a staging table costs a few ms whatever its size). */
const PGLITE_COPY_MIN_ROWS = 16;

/** @internal Validated, defaulted options. */
export interface ResolvedOptions {
  dimension: number;
  metric: DistanceMetric;
  tenant: string;
  search: GallerySearchMode;
  efSearch: number;
  hnswM: number;
  efConstruction: number;
  maintenanceWorkMemMB: number;
  prefix: string;
}

/** @internal */
export function resolveOptions(fn: string, options: PgvectorStoreOptions): ResolvedOptions {
  if (options == null || typeof options !== 'object') throw new InvalidArgumentError({ fn, argument: 'options', message: 'expected { dimension, metric?, tenant?, search? }.' });
  const { dimension, metric = 'l2', tenant = 'default', search = 'exact', efSearch = 200, hnswM = 16, efConstruction = 128, maintenanceWorkMemMB = 256, tablePrefix = 'likeness_gallery' } = options;
  if (!(Number.isInteger(dimension) && dimension >= 1 && dimension <= 16_000)) {
    throw new InvalidArgumentError({ fn, argument: 'options.dimension', message: `expected an integer from 1 to 16000 (128 for face-api descriptors), got ${String(dimension)}.` });
  }
  if (!DISTANCE_METRICS.includes(metric)) throw new InvalidArgumentError({ fn, argument: 'options.metric', message: `expected one of ${DISTANCE_METRICS.join(', ')}, got ${JSON.stringify(metric)}.` });
  if (typeof tenant !== 'string' || tenant.length === 0) throw new InvalidArgumentError({ fn, argument: 'options.tenant', message: 'expected a non-empty string naming the gallery.' });
  if (search !== 'exact' && search !== 'hnsw') throw new InvalidArgumentError({ fn, argument: 'options.search', message: `expected 'exact' or 'hnsw', got ${JSON.stringify(search)}.` });
  if (!(Number.isInteger(efSearch) && efSearch >= 1 && efSearch <= 1000)) throw new InvalidArgumentError({ fn, argument: 'options.efSearch', message: `expected an integer from 1 to 1000, got ${String(efSearch)}.` });
  if (!(Number.isInteger(hnswM) && hnswM >= 2 && hnswM <= 100)) throw new InvalidArgumentError({ fn, argument: 'options.hnswM', message: `expected an integer from 2 to 100 (pgvector's m; 16 is its default), got ${String(hnswM)}.` });
  if (!(Number.isInteger(efConstruction) && efConstruction >= 2 * hnswM && efConstruction <= 1000)) {
    throw new InvalidArgumentError({ fn, argument: 'options.efConstruction', message: `expected an integer from 2·hnswM (${2 * hnswM}) to 1000 (pgvector's ef_construction; pgvector's default is 64, this store's 128), got ${String(efConstruction)}.` });
  }
  if (!(Number.isInteger(maintenanceWorkMemMB) && maintenanceWorkMemMB >= 1 && maintenanceWorkMemMB <= 2_097_151)) {
    throw new InvalidArgumentError({ fn, argument: 'options.maintenanceWorkMemMB', message: `expected a whole number of MB from 1 to 2097151 (about 1.1 kB per entry keeps a 128-D m = 16 graph in memory), got ${String(maintenanceWorkMemMB)}.` });
  }
  if (typeof tablePrefix !== 'string' || !/^[a-z_][a-z0-9_]{0,39}$/.test(tablePrefix)) {
    throw new InvalidArgumentError({ fn, argument: 'options.tablePrefix', message: `expected a lower-case SQL identifier such as 'likeness_gallery', got ${JSON.stringify(tablePrefix)}.` });
  }
  return { dimension, metric, tenant, search, efSearch, hnswM, efConstruction, maintenanceWorkMemMB, prefix: tablePrefix };
}

function vectorLiteral(v: Float32Array): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + (Object.is(v[i], -0) ? '-0' : v[i]!); // String(-0) is '0'
  return s + ']';
}

function parseVector(text: string): Float32Array {
  return Float32Array.from(text.slice(1, -1).split(','), Number);
}

/**
 * The gallery on pgvector, for any client that speaks SQL (PGlite in
 * process, `pg` to a server). One table of entries per dimension holds every
 * tenant (`<prefix>_d<D>`: tenant, id, identity, embedding vector(D)); the
 * tenants table records each gallery's dimension and metric; metadata is
 * jsonb in `<prefix>_metadata`; `<prefix>_schema` holds the schema version.
 * Created by `pgliteGalleryStore` or `postgresGalleryStore`.
 */
export class SqlGalleryStore implements GalleryStoreV2 {
  readonly specificationVersion = 'v2' as const;
  readonly dimension: number;
  readonly metric: DistanceMetric;
  readonly exact: boolean;
  /** The gallery this store reads and writes in the shared table. */
  readonly tenant: string;
  /** @internal test hook: called after each INSERT statement of an upsert, inside its transaction. */
  afterStatement?: () => void | Promise<void>;
  private readonly t: { entries: string; tenants: string; metadata: string; schema: string; hnsw: string };
  private closed = false;
  private iterativeScan = false;
  private vectorOid = 0;

  private constructor(
    private readonly o: ResolvedOptions,
    private readonly writer: SqlClient,
    private readonly reader: SqlClient,
    private readonly onClose: () => Promise<void>,
  ) {
    this.dimension = o.dimension;
    this.metric = o.metric;
    this.exact = o.search === 'exact';
    this.tenant = o.tenant;
    const ops = o.metric === 'cosine' ? 'cosine' : 'l2';
    this.t = {
      entries: `${o.prefix}_d${o.dimension}`,
      tenants: `${o.prefix}_tenants`,
      metadata: `${o.prefix}_metadata`,
      schema: `${o.prefix}_schema`,
      hnsw: `${o.prefix}_d${o.dimension}_${ops}_hnsw`,
    };
  }

  /** @internal Creates or checks the schema and this tenant, then returns the store. */
  static async open(o: ResolvedOptions, writer: SqlClient, reader: SqlClient, onClose: () => Promise<void>): Promise<SqlGalleryStore> {
    const store = new SqlGalleryStore(o, writer, reader, onClose);
    await store.migrate();
    return store;
  }

  /**
   * `CREATE EXTENSION IF NOT EXISTS vector`. Two processes opening a fresh
   * database at once race on it (the loser gets a unique violation on
   * `pg_extension_name_index`, measured on PostgreSQL 15): an error after which
   * the extension exists is that race, not a missing pgvector.
   */
  private async createExtension(): Promise<void> {
    try {
      await this.writer.query('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (e) {
      const exists = await this.writer.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`).then((r) => r.rows.length > 0, () => false);
      if (exists) return;
      const why = (e as Error).message;
      const message =
        (e as { code?: unknown }).code === '42501'
          ? `the database has no pgvector extension and this role may not create it (${why}). Have a superuser run CREATE EXTENSION vector in this database once (pgvector is installed on the server), then open the store again.`
          : `the database has no pgvector extension and the server cannot create it (${why}). Install pgvector ≥ 0.5 on the server (e.g. the pgvector/pgvector Docker image, the postgresql-<version>-pgvector package, or a managed Postgres that offers the vector extension), or use pgliteGalleryStore.`;
      throw new GalleryStoreError({ reason: 'unsupported', setting: 'extension vector', message, cause: e });
    }
  }

  private async migrate(): Promise<void> {
    const { t, o } = this;
    await this.createExtension();
    const row = await this.writer.transaction(async (tx) => {
      // Serialise concurrent first opens (two processes creating the schema at once).
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${o.prefix}:schema`]);
      await tx.query(`CREATE TABLE IF NOT EXISTS ${t.schema} (version integer NOT NULL)`);
      const v = await tx.query<{ version: number }>(`SELECT version FROM ${t.schema}`);
      if (v.rows.length === 0) await tx.query(`INSERT INTO ${t.schema} (version) VALUES ($1)`, [GALLERY_SCHEMA_VERSION]);
      else if (v.rows[0]!.version > GALLERY_SCHEMA_VERSION) {
        throw new GalleryStoreError({ reason: 'unsupported', setting: 'schema', message: `the tables were written by a newer @likeness/gallery-pgvector (schema version ${v.rows[0]!.version}, this one reads ${GALLERY_SCHEMA_VERSION}). Upgrade the package; nothing was changed.` });
      }
      await tx.query(`CREATE TABLE IF NOT EXISTS ${t.tenants} (tenant text PRIMARY KEY, dimension integer NOT NULL, metric text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
      await tx.query(`CREATE TABLE IF NOT EXISTS ${t.metadata} (tenant text NOT NULL, key text NOT NULL, value jsonb NOT NULL, PRIMARY KEY (tenant, key))`);
      await tx.query(`CREATE TABLE IF NOT EXISTS ${t.entries} (tenant text NOT NULL, id text NOT NULL, identity text NOT NULL, embedding vector(${o.dimension}) NOT NULL, PRIMARY KEY (tenant, id))`);
      await tx.query(`CREATE INDEX IF NOT EXISTS ${t.entries}_identity ON ${t.entries} (tenant, identity)`);
      if (o.search === 'hnsw') {
        // A build over existing rows (a bulk load opened with search: 'hnsw' afterwards) is much faster with the graph in memory.
        await tx.query(`SET LOCAL maintenance_work_mem = '${o.maintenanceWorkMemMB}MB'`);
        await tx.query(`CREATE INDEX IF NOT EXISTS ${t.hnsw} ON ${t.entries} USING hnsw (embedding ${o.metric === 'cosine' ? 'vector_cosine_ops' : 'vector_l2_ops'}) WITH (m = ${o.hnswM}, ef_construction = ${o.efConstruction})`);
      }
      await tx.query(`INSERT INTO ${t.tenants} (tenant, dimension, metric) VALUES ($1, $2, $3) ON CONFLICT (tenant) DO NOTHING`, [o.tenant, o.dimension, o.metric]);
      return (await tx.query<{ dimension: number; metric: string }>(`SELECT dimension, metric FROM ${t.tenants} WHERE tenant = $1`, [o.tenant])).rows[0]!;
    });
    if (row.dimension !== o.dimension) {
      throw new GalleryStoreError({ reason: 'mismatch', setting: 'dimension', message: `gallery "${o.tenant}" was created with dimension ${row.dimension}, not ${o.dimension}. Open it with dimension: ${row.dimension}, or use another tenant for the new encoder. Nothing was changed.` });
    }
    if (row.metric !== o.metric) {
      throw new GalleryStoreError({ reason: 'mismatch', setting: 'metric', message: `gallery "${o.tenant}" was created with metric '${row.metric}', not '${o.metric}'. Open it with metric: '${row.metric}'. Nothing was changed.` });
    }
    const ext = await this.writer.query<{ extversion: string }>(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
    const [maj = 0, min = 0] = (ext.rows[0]?.extversion ?? '0.0').split('.').map(Number);
    this.iterativeScan = maj > 0 || min >= 8;
    // the oid of `vector` in this database, for binary vector[] parameters
    this.vectorOid = Number((await this.writer.query<{ oid: number }>(`SELECT 'vector'::regtype::oid::int4 AS oid`)).rows[0]!.oid);
  }

  async count(): Promise<number> {
    this.alive();
    const r = await this.reader.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${this.t.entries} WHERE tenant = $1`, [this.tenant]);
    return Number(r.rows[0]!.n);
  }

  async doUpsert(entries: readonly GalleryEntry[]): Promise<void> {
    this.alive();
    if (entries.length === 0) return;
    await this.writer.transaction(async (tx) => {
      const rebuild = await this.dropHnswIfLoadingEmptyTable(tx, entries.length);
      await this.insert(tx, entries);
      await rebuild();
    });
  }

  /**
   * Inserts (or replaces by id) {@link ROWS_PER_STATEMENT} rows a statement,
   * the embeddings in binary: `pg` sends them as one binary `vector[]`
   * parameter; PGlite (text parameters only) copies them into a temporary
   * table (`COPY … FROM '/dev/blob'`, binary) and upserts from it, except
   * for a few rows ({@link PGLITE_COPY_MIN_ROWS}), where the COPY's fixed cost
   * exceeds the text's.
   */
  private async insert(tx: SqlQueryable, entries: readonly GalleryEntry[]): Promise<void> {
    const { t, dimension: D } = this;
    const into = `INSERT INTO ${t.entries} (tenant, id, identity, embedding)`;
    const upsert = `ON CONFLICT (tenant, id) DO UPDATE SET identity = excluded.identity, embedding = excluded.embedding`;
    const stage = `likeness_stage_d${D}`;
    let staged = false;
    for (let s = 0; s < entries.length; s += ROWS_PER_STATEMENT) {
      const chunk = entries.slice(s, s + ROWS_PER_STATEMENT);
      if (!tx.copyFrom) {
        await tx.query(`${into} SELECT $1, u.id, u.identity, u.embedding FROM unnest($2::text[], $3::text[], $4::vector(${D})[]) AS u(id, identity, embedding) ${upsert}`, [
          this.tenant,
          chunk.map((e) => e.id),
          chunk.map((e) => e.identity),
          encodeVectorArray(chunk, D, this.vectorOid),
        ]);
      } else if (chunk.length < PGLITE_COPY_MIN_ROWS) {
        await tx.query(`${into} SELECT $1, u.id, u.identity, u.embedding::vector(${D}) FROM unnest($2::text[], $3::text[], $4::text[]) AS u(id, identity, embedding) ${upsert}`, [
          this.tenant,
          chunk.map((e) => e.id),
          chunk.map((e) => e.identity),
          chunk.map((e) => vectorLiteral(e.embedding)),
        ]);
      } else {
        // the session's staging table: kept between enrolments (created again after a rolled-back first use), emptied after each use
        if (!staged) await tx.query(`CREATE TEMPORARY TABLE IF NOT EXISTS ${stage} (id text NOT NULL, identity text NOT NULL, embedding vector(${D}) NOT NULL)`);
        staged = true;
        await tx.copyFrom(`COPY ${stage} (id, identity, embedding) FROM '/dev/blob' WITH (FORMAT binary)`, encodeCopyBinary(chunk, D));
        await tx.query(`${into} SELECT $1, id, identity, embedding FROM ${stage} ${upsert}`, [this.tenant]);
        await tx.query(`TRUNCATE ${stage}`);
      }
      await this.afterStatement?.();
    }
  }

  /**
   * A large enrolment into an empty entries table (no tenant has rows) with
   * HNSW indexes: drops them inside the transaction and returns the step that
   * rebuilds them with their own definitions after the load (one build is
   * several times faster than inserting row by row into the graph). The
   * table stays locked until the commit, so no reader sees it without its
   * index; a rollback restores the indexes. Otherwise returns a no-op.
   */
  private async dropHnswIfLoadingEmptyTable(tx: SqlQueryable, rows: number): Promise<() => Promise<void>> {
    const none = async () => {};
    if (rows < HNSW_BUILD_AFTER_LOAD_ROWS) return none;
    const { entries } = this.t;
    const indexes = async () => (await tx.query<{ name: string; def: string }>(`SELECT quote_ident(indexname) AS name, indexdef AS def FROM pg_indexes WHERE tablename = $1 AND schemaname = current_schema() AND indexdef LIKE '% USING hnsw %'`, [entries])).rows;
    const isEmpty = async () => (await tx.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${entries}) AS empty`)).rows[0]!.empty;
    if ((await indexes()).length === 0) return none;
    // One loader at a time: two would both hold ACCESS SHARE from the check and deadlock upgrading to ACCESS EXCLUSIVE.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${entries}:bulk-load`]);
    if (!(await isEmpty())) return none;
    await tx.query(`LOCK TABLE ${entries} IN ACCESS EXCLUSIVE MODE`);
    if (!(await isEmpty())) return none; // a writer committed between the check and the lock
    const defs = await indexes();
    for (const ix of defs) await tx.query(`DROP INDEX ${ix.name}`);
    return async () => {
      await tx.query(`SET LOCAL maintenance_work_mem = '${this.o.maintenanceWorkMemMB}MB'`);
      for (const ix of defs) await tx.query(ix.def);
    };
  }

  async doRemove(ids: readonly string[]): Promise<number> {
    this.alive();
    if (ids.length === 0) return 0;
    const r = await this.writer.transaction((tx) => tx.query<{ id: string }>(`DELETE FROM ${this.t.entries} WHERE tenant = $1 AND id = ANY($2::text[]) RETURNING id`, [this.tenant, [...ids]]));
    return r.rows.length;
  }

  async doRemoveIdentity(identity: string): Promise<number> {
    this.alive();
    const r = await this.writer.transaction((tx) => tx.query<{ id: string }>(`DELETE FROM ${this.t.entries} WHERE tenant = $1 AND identity = $2 RETURNING id`, [this.tenant, identity]));
    return r.rows.length;
  }

  async doReplaceIdentity(identity: string, entries: readonly GalleryEntry[]): Promise<number> {
    this.alive();
    return this.writer.transaction(async (tx) => {
      const rebuild = await this.dropHnswIfLoadingEmptyTable(tx, entries.length); // before the DELETE takes its lock
      const r = await tx.query<{ id: string }>(`DELETE FROM ${this.t.entries} WHERE tenant = $1 AND identity = $2 RETURNING id`, [this.tenant, identity]);
      await this.insert(tx, entries);
      await rebuild();
      return r.rows.length;
    });
  }

  async doIdentities(): Promise<string[]> {
    this.alive();
    const r = await this.reader.query<{ identity: string }>(`SELECT DISTINCT identity COLLATE "C" AS identity FROM ${this.t.entries} WHERE tenant = $1 ORDER BY 1`, [this.tenant]);
    return r.rows.map((x) => x.identity);
  }

  async doEntryIds(identity: string): Promise<string[]> {
    this.alive();
    const r = await this.reader.query<{ id: string }>(`SELECT id FROM ${this.t.entries} WHERE tenant = $1 AND identity = $2 ORDER BY id COLLATE "C"`, [this.tenant, identity]);
    return r.rows.map((x) => x.id);
  }

  async doSearch(queries: Float32Array, k: number): Promise<GalleryHit[][]> {
    this.alive();
    const D = this.dimension;
    const Q = queries.length / D;
    const op = this.metric === 'cosine' ? '<=>' : '<->';
    // HNSW: the tenant test is written so that the (tenant, identity) b-tree cannot serve it (the planner
    // would otherwise filter by tenant through that index and sort every row: an exact scan in disguise),
    // and sequential scans are off, which leaves the HNSW index scan (filtered by tenant as it goes).
    const tenantTest = this.exact ? 'tenant = $1' : `(tenant || '') = $1`;
    const sql = `SELECT id, identity, embedding ${op} $2::vector(${D}) AS distance FROM ${this.t.entries} WHERE ${tenantTest} ORDER BY embedding ${op} $2::vector(${D}) LIMIT $3`;
    return this.reader.transaction(async (tx) => {
      await tx.query(`SET LOCAL enable_bitmapscan = off`);
      if (this.exact) {
        await tx.query(`SET LOCAL enable_indexscan = off`);
      } else {
        await tx.query(`SET LOCAL enable_seqscan = off`);
        await tx.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(Math.min(1000, Math.max(this.o.efSearch, k)))]);
        if (this.iterativeScan) await tx.query(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
      }
      const out: GalleryHit[][] = [];
      for (let q = 0; q < Q; q++) {
        const r = await tx.query<{ id: string; identity: string; distance: number }>(sql, [this.tenant, vectorLiteral(queries.subarray(q * D, (q + 1) * D)), k]);
        const hits = r.rows.map((h) => ({ id: h.id, identity: h.identity, distance: this.metric === 'squared-l2' ? Number(h.distance) ** 2 : Number(h.distance) }));
        // relaxed_order may return a few hits out of order
        if (!this.exact) hits.sort((a, b) => a.distance - b.distance);
        out.push(hits);
      }
      return out;
    });
  }

  async doEntries(): Promise<readonly GalleryEntry[]> {
    this.alive();
    const r = await this.reader.query<{ id: string; identity: string; embedding: string }>(`SELECT id, identity, embedding::text AS embedding FROM ${this.t.entries} WHERE tenant = $1 ORDER BY id COLLATE "C"`, [this.tenant]);
    return r.rows.map((x) => ({ id: x.id, identity: x.identity, embedding: parseVector(x.embedding) }));
  }

  async doGetMetadata(key: string): Promise<JsonValue | undefined> {
    this.alive();
    const r = await this.reader.query<{ value: string }>(`SELECT value::text AS value FROM ${this.t.metadata} WHERE tenant = $1 AND key = $2`, [this.tenant, key]);
    return r.rows.length ? (JSON.parse(r.rows[0]!.value) as JsonValue) : undefined;
  }

  async doMetadata(): Promise<Record<string, JsonValue>> {
    this.alive();
    const r = await this.reader.query<{ key: string; value: string }>(`SELECT key, value::text AS value FROM ${this.t.metadata} WHERE tenant = $1 ORDER BY key COLLATE "C"`, [this.tenant]);
    return Object.fromEntries(r.rows.map((x) => [x.key, JSON.parse(x.value) as JsonValue]));
  }

  async doSetMetadata(key: string, value: JsonValue | undefined): Promise<void> {
    this.alive();
    await this.writer.transaction(async (tx) => {
      if (value === undefined) await tx.query(`DELETE FROM ${this.t.metadata} WHERE tenant = $1 AND key = $2`, [this.tenant, key]);
      else await tx.query(`INSERT INTO ${this.t.metadata} (tenant, key, value) VALUES ($1, $2, $3::jsonb) ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value`, [this.tenant, key, JSON.stringify(value)]);
    });
  }

  /**
   * Bytes the entries table of this dimension takes with its indexes (every
   * tenant of that table), as Postgres reports it (`pg_total_relation_size`).
   */
  async storageBytes(): Promise<number> {
    this.alive();
    const r = await this.reader.query<{ b: string | number }>(`SELECT pg_total_relation_size($1::regclass) AS b`, [this.t.entries]);
    return Number(r.rows[0]!.b);
  }

  /** Whether {@link SqlGalleryStore.close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.onClose();
  }

  private alive(): void {
    if (this.closed) throw new GalleryStoreError({ reason: 'unavailable', setting: 'store', message: 'the store was closed; open a new one.' });
  }
}
