import type { Pool } from 'pg';
import type { SqlClient, SqlQueryable } from '../sql-client';

/** @internal Adapts a `pg` pool to the shared SQL. `owned`: closing the client ends the pool. */
export function pgClient(pool: Pool, owned: boolean): SqlClient {
  return {
    query: (async (sql: string, params?: readonly unknown[]) => pool.query(sql, params as unknown[] | undefined)) as SqlQueryable['query'],
    transaction: async (fn) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn({ query: (async (sql: string, params?: readonly unknown[]) => c.query(sql, params as unknown[] | undefined)) as SqlQueryable['query'] });
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    },
    close: async () => {
      if (owned) await pool.end();
    },
  };
}
