/** The few calls the shared SQL needs; PGlite and `pg` are adapted to it. */
export interface SqlQueryable {
  query<R>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

/** @internal A connection (or pool) that can run transactions. */
export interface SqlClient extends SqlQueryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
