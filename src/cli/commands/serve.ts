/**
 * @module `switchyard serve`: the whole product in one process — the store (SQLite in
 * SWITCHYARD_DATA_DIR unless SWITCHYARD_DATABASE_URL names PostgreSQL) and the server around it
 * (serve-server.ts). The embedded store's thread starts first and opens the database while this
 * thread loads the server: the two take about as long, and the machine has cores for both.
 */
import type { NodeRegistry } from '../../nodes/registry.ts';
import { openStore, storeConfigFromEnv } from '../../store/open-store.ts';
import { ExitCode } from '../exit-codes.ts';
import { UsageError } from '../usage-error.ts';

export interface ServeOptions {
  readonly port?: string;
  readonly host?: string;
}

export async function serveCommand(
  options: ServeOptions,
  registry?: () => Promise<NodeRegistry>,
): Promise<number> {
  const port = portOf(options.port ?? process.env.PORT ?? '3000');
  const host = options.host ?? '127.0.0.1';
  const storeConfig = storeConfigFromEnv();
  const storeOpening = openStore(storeConfig, {
    // Nothing can be stored any more: stop, loudly, so that a supervisor starts a new process.
    onStopped: (error) => {
      process.stderr.write(`switchyard: ${error.message}; stopping\n`);
      process.exit(ExitCode.unavailable);
    },
  });
  const [store, { runServer }, nodes] = await Promise.all([
    storeOpening,
    import('./serve-server.ts'),
    registry ? registry() : import('../../nodes/registry.ts').then((module) => module.createNodeRegistry()),
  ]).catch(async (error: unknown) => {
    // Whichever failed, the store must not stay open behind the error.
    await storeOpening.then((opened) => opened.close()).catch(() => {});
    throw error;
  });
  return runServer({ port, host, storeConfig, store, registry: nodes });
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`"${text}" is not a port number (0–65535)`);
  return port;
}
