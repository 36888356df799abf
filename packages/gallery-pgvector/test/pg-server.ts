import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A PGlite database served over the real Postgres wire protocol on a loopback port (the tests' stand-in for a server). */
export interface LoopbackServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startLoopbackServer(options: { pgvector?: boolean } = {}): Promise<LoopbackServer> {
  const db = await PGlite.create(options.pgvector === false ? {} : { extensions: { vector } });
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 8 });
    try {
      await server.start();
      return {
        url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
        port,
        stop: async () => {
          await server.stop();
          await db.close();
        },
      };
    } catch (e) {
      lastError = e; // port taken: try another
    }
  }
  await db.close();
  throw new Error(`could not start the loopback PGlite server: ${String(lastError)}`);
}
