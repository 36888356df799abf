/** The few calls the shared SQL needs; PGlite and `pg` are adapted to it. */
export interface SqlQueryable {
  /** Runs one statement. A `Uint8Array` parameter goes in Postgres's binary format where {@link SqlQueryable.copyFrom} is absent (`pg`). */
  query<R>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /**
   * Runs `COPY <target> FROM '/dev/blob' WITH (FORMAT binary)` with `data`
   * as the file (PGlite, which has no binary parameters). Absent on clients
   * that send binary parameters instead.
   */
  copyFrom?(sql: string, data: Uint8Array<ArrayBuffer>): Promise<void>;
}

/** @internal A connection (or pool) that can run transactions. */
export interface SqlClient extends SqlQueryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
