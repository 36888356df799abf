import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlQueryable } from './sql-client';

function adapt(q: PGlite | Transaction): SqlQueryable {
  return {
    query: (sql, params) => q.query(sql, params as unknown[] | undefined),
    copyFrom: async (sql, data) => {
      await q.query(sql, [], { blob: new Blob([data]) });
    },
  };
}

/** @internal Adapts a PGlite instance to the shared SQL. `owned`: closing the client closes the database. */
export function pgliteClient(db: PGlite, owned: boolean): SqlClient {
  return {
    ...adapt(db),
    transaction: (fn) => db.transaction((tx) => fn(adapt(tx))),
    close: async () => {
      if (owned && !db.closed) await db.close();
    },
  };
}
