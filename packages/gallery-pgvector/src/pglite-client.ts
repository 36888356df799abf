import type { PGlite } from '@electric-sql/pglite';
import type { SqlClient } from './sql-client';

/** @internal Adapts a PGlite instance to the shared SQL. `owned`: closing the client closes the database. */
export function pgliteClient(db: PGlite, owned: boolean): SqlClient {
  return {
    query: (sql, params) => db.query(sql, params as unknown[] | undefined),
    transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params as unknown[] | undefined) })),
    close: async () => {
      if (owned && !db.closed) await db.close();
    },
  };
}
