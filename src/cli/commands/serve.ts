/**
 * @module `switchyard serve`: the whole product in one process — the store (SQLite in
 * SWITCHYARD_DATA_DIR unless SWITCHYARD_DATABASE_URL names PostgreSQL), the durable worker,
 * retention, the cron scheduler and the HTTP API, logging through pino — until SIGINT or SIGTERM, then a clean shutdown.
 */

import { join } from 'node:path';
import { loadLlmConfig } from '../../llm/config/load-llm-config.ts';
import { createLogger, loggerOptionsFromEnv } from '../../logging/logger.ts';
import { outboundAllowFromEnv } from '../../net/allow-env.ts';
import { createNodeRegistry, type NodeRegistry } from '../../nodes/registry.ts';
import { retentionFromEnv, startRetention } from '../../runtime/durable/retention.ts';
import { SecretRedactor } from '../../security/redact/secret-redactor.ts';
import { securitySettingsFromEnv } from '../../security/settings.ts';
import { loadKeyRing } from '../../security/vault/master-keys.ts';
import { API_PREFIX } from '../../server/locations.ts';
import { DOCS_PATH } from '../../server/openapi.ts';
import { openStore, storeConfigFromEnv } from '../../store/open-store.ts';
import { ExitCode } from '../exit-codes.ts';
import { createCliServices } from '../services.ts';
import { UsageError } from '../usage-error.ts';

/** Beside the database file, never inside it: a copy of the database alone does not open the vault. */
const MASTER_KEY_FILE = 'master.key';

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
  const redactor = new SecretRedactor();
  const log = createLogger({ ...loggerOptionsFromEnvOrUsage(), redactor });
  const settings = securitySettingsFromEnv(process.env);
  const services = createCliServices(registry);
  const storeConfig = storeConfigFromEnv();
  const keys = loadKeyRing({ env: process.env, keyFileDefault: join(storeConfig.dataDir, MASTER_KEY_FILE) });
  // The embedded store's thread loads and opens the database while this thread loads the server.
  const storeOpening = openStore(storeConfig);
  const [store, { buildApp }, { composeServer }] = await Promise.all([
    storeOpening,
    import('../../server/app.ts'),
    import('../../server/compose.ts'),
  ]);
  const { deps, worker, startScheduler, close } = composeServer({
    store,
    registry,
    services,
    log,
    worker: { onError: (error) => log.error({ err: error }, 'worker failed') },
    security: { keyRing: keys.ring, settings, redactor, operatorAllow: outboundAllowFromEnv() },
    llm: loadLlmConfig(process.env, storeConfig.dataDir),
    ...(process.env.SWITCHYARD_REDIS_URL?.trim()
      ? { redisUrl: process.env.SWITCHYARD_REDIS_URL.trim() }
      : {}),
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
      `  API ${url}${API_PREFIX}   docs ${url}${DOCS_PATH}\n` +
      (keys.source === 'generated'
        ? `  created a master key for the credential vault at ${keys.path} (mode 0600): back it up; without it, stored credentials cannot be decrypted\n`
        : '') +
      ((await store.users.count()) === 0
        ? `  no accounts yet: the first sign-up becomes admin — POST ${url}${API_PREFIX}/auth/signup {"email","password"}\n`
        : ''),
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
  await close();
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
