import type { DistanceMetric } from '@likeness/embeddings';

/** How a database store searches. */
export type GallerySearchMode = 'exact' | 'hnsw';

/** Options shared by every pgvector store. */
export interface PgvectorStoreOptions {
  /** Embedding length D (128 for the dlib/face-api ResNet). Must match the stored gallery on reopen. */
  dimension: number;
  /** Distance; the HNSW index uses the matching operator class (`vector_l2_ops`, `vector_cosine_ops`). @defaultValue `'l2'` */
  metric?: DistanceMetric;
  /** Which gallery of the shared table this store reads and writes. @defaultValue `'default'` */
  tenant?: string;
  /**
   * `'exact'`: a sequential scan, the true k nearest (the memory store's
   * answers). `'hnsw'`: an HNSW index (built on first open, kept up to date),
   * approximate but sub-linear. @defaultValue `'exact'`
   */
  search?: GallerySearchMode;
  /**
   * HNSW candidate list size per query (`hnsw.ef_search`, raised to k when
   * smaller). With the default `hnswM` 16 and `efConstruction` 128, 200
   * gave recall@10 0.999 ± 0.001 at 100,000 face-like entries in PGlite
   * (1000 queries; with `efConstruction` 64 it was 0.965 ± 0.010, and 800
   * did not bring it to 0.99; see the package's benchmark).
   * @defaultValue `200`
   */
  efSearch?: number;
  /**
   * HNSW links per node (pgvector's `m`), used when the index is created (an
   * existing index keeps the value it was built with). @defaultValue `16`
   */
  hnswM?: number;
  /**
   * HNSW build candidate list size (pgvector's `ef_construction`, at least
   * 2·`hnswM`), used when the index is created (an existing index keeps the
   * value it was built with). 128, twice pgvector's 64: at 100,000 face-like
   * entries it raised recall@10 at `efSearch` 200 from 0.965 to 0.999.
   * @defaultValue `128`
   */
  efConstruction?: number;
  /**
   * `maintenance_work_mem` (in MB) for the HNSW index builds this store runs
   * (on first open over existing rows, and after a bulk load into an empty
   * table). pgvector builds the graph in memory up to this size and then
   * goes on on disk, much more slowly. A 128-D graph with `hnswM` 16 takes
   * about 1.08 kB per entry (measured from pgvector's "no longer fits"
   * notice), so 256 MB holds about 250,000 entries; 1,100 MB holds
   * 1,000,000. PGlite's WebAssembly heap is at most 2 GiB, so stay well
   * under it there. @defaultValue `256`
   */
  maintenanceWorkMemMB?: number;
  /** Prefix of the tables this store creates. @defaultValue `'likeness_gallery'` */
  tablePrefix?: string;
}
