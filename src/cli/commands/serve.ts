/**
 * @module `switchyard serve`: the whole product in one process — the store (SQLite in
 * SWITCHYARD_DATA_DIR unless SWITCHYARD_DATABASE_URL names PostgreSQL), the durable worker,
 * retention, the cron scheduler and the HTTP API, logging through pino — until SIGINT or SIGTERM, then a clean shutdown.
 */
import { createLogger, loggerOptionsFromEnv } from '../../logging/logger.ts';
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
  const log = createLogger(loggerOptionsFromEnvOrUsage());
  const services = createCliServices(registry);
  const store = await openStore(storeConfigFromEnv());
  const { deps, worker, startScheduler } = composeServer({
    store,
    registry,
    services,
    log,
    worker: { onError: (error) => log.error({ err: error }, 'worker failed') },
  });
  const stopRetention = startRetention(store, services.clock, retentionFromEnv(), {
    onError: (error) => log.error({ err: error }, 'retention failed'),
  });
  const app = await buildApp(deps);
  await worker.start();
  const scheduler = startScheduler();
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
  // Stop accepting and firing first, then give running executions back to the store, then let go of it.
  await app.close();
  await scheduler.stop();
  await worker.stop();
  await stopRetention();
  services.code.dispose();
  await store.close();
  return ExitCode.ok;
}

function loggerOptionsFromEnvOrUsage(): ReturnType<typeof loggerOptionsFromEnv> {
  try {
    return loggerOptionsFromEnv();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`"${text}" is not a port number (0–65535)`);
  return port;
}
