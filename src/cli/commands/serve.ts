/**
 * @module `switchyard serve`: the whole product in one process — the store (SQLite in
 * SWITCHYARD_DATA_DIR unless SWITCHYARD_DATABASE_URL names PostgreSQL), the durable worker,
 * retention and the HTTP API — until SIGINT or SIGTERM, then a clean shutdown.
 */
import { createNodeRegistry, type NodeRegistry } from '../../nodes/registry.ts';
import { retentionFromEnv, startRetention } from '../../runtime/durable/retention.ts';
import { buildApp } from '../../server/app.ts';
import { composeServer } from '../../server/compose.ts';
import { API_PREFIX } from '../../server/locations.ts';
import { DOCS_PATH } from '../../server/openapi.ts';
import { openStore, storeConfigFromEnv } from '../../store/open-store.ts';
import { ExitCode } from '../exit-codes.ts';
import { createCliServices } from '../services.ts';
import { UsageError } from '../usage-error.ts';

export interface ServeOptions {
  readonly port?: string;
  readonly host?: string;
}

export async function serveCommand(
  options: ServeOptions,
  registry: NodeRegistry = createNodeRegistry(),
): Promise<number> {
  const port = portOf(options.port ?? process.env.PORT ?? '3000');
  const host = options.host ?? '127.0.0.1';
  const services = createCliServices(registry);
  const store = await openStore(storeConfigFromEnv());
  const { deps, worker } = composeServer({
    store,
    registry,
    services,
    logger: { level: 'warn' },
    worker: { onError: (error) => process.stderr.write(`worker: ${String(error)}\n`) },
  });
  const stopRetention = startRetention(store, services.clock, retentionFromEnv(), {
    onError: (error) => process.stderr.write(`retention: ${String(error)}\n`),
  });
  const app = await buildApp(deps);
  await worker.start();
  const address = await app.listen({ port, host });
  const url = address.replace('[::1]', 'localhost');
  // performance.now() counts from process start: this is the time a user waits, module loading included.
  process.stdout.write(
    `switchyard listening on ${url} (${store.backend}, ready in ${Math.round(performance.now())} ms)\n` +
      `  API ${url}${API_PREFIX}   docs ${url}${DOCS_PATH}\n`,
  );

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('switchyard stopping…\n');
  // Stop accepting first, then give running executions back to the store, then let go of it.
  await app.close();
  await worker.stop();
  await stopRetention();
  services.code.dispose();
  await store.close();
  return ExitCode.ok;
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`"${text}" is not a port number (0–65535)`);
  return port;
}
