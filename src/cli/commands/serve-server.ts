/**
 * @module The server `switchyard serve` runs around an open store: the durable worker, retention,
 * the cron scheduler and the HTTP API, logging through pino — until SIGINT or SIGTERM, then a clean
 * shutdown.
 */

import { join } from 'node:path';
import { loadLlmConfig } from '../../llm/config/load-llm-config.ts';
import { createLogger, loggerOptionsFromEnv } from '../../logging/logger.ts';
import { outboundAllowFromEnv } from '../../net/allow-env.ts';
import type { NodeRegistry } from '../../nodes/registry.ts';
import { retentionFromEnv, startRetention } from '../../runtime/durable/retention.ts';
import { SecretRedactor } from '../../security/redact/secret-redactor.ts';
import { securitySettingsFromEnv } from '../../security/settings.ts';
import { loadKeyRing } from '../../security/vault/master-keys.ts';
import { buildApp } from '../../server/app.ts';
import { composeServer } from '../../server/compose.ts';
import { gracefulClose } from '../../server/graceful-close.ts';
import { API_PREFIX } from '../../server/locations.ts';
import { DOCS_PATH } from '../../server/openapi.ts';
import type { StoreConfig } from '../../store/open-store.ts';
import type { Store } from '../../store/ports.ts';
import { ExitCode } from '../exit-codes.ts';
import { createCliServices } from '../services.ts';
import { UsageError } from '../usage-error.ts';

/** Beside the database file, never inside it: a copy of the database alone does not open the vault. */
const MASTER_KEY_FILE = 'master.key';
/** How long requests under way at a stop get to finish; inside the 30 s most supervisors wait. */
const STOP_GRACE_MS = 10_000;
/** Webhook callers still waiting on their workflow by then are told its execution id and let go. */
const STOP_WAITING_AFTER_MS = STOP_GRACE_MS / 2;

export interface ServerStart {
  readonly port: number;
  readonly host: string;
  readonly storeConfig: StoreConfig;
  readonly store: Store;
  readonly registry: NodeRegistry;
}

export async function runServer({ port, host, storeConfig, store, registry }: ServerStart): Promise<number> {
  const redactor = new SecretRedactor();
  const log = createLogger({ ...loggerOptionsFromEnvOrUsage(), redactor });
  const settings = securitySettingsFromEnv(process.env);
  const services = createCliServices(registry);
  const keys = loadKeyRing({ env: process.env, keyFileDefault: join(storeConfig.dataDir, MASTER_KEY_FILE) });
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
  const server = gracefulClose(app);
  await worker.start();
  const scheduler = startScheduler();
  const address = await app.listen({ port, host });
  // After listening: ready stays fast; the first model calls then find their providers loaded.
  deps.llm
    ?.warm()
    .catch((error: unknown) => log.warn({ err: error }, 'the configured models could not be prepared'));
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
  const stopWaiting = setTimeout(() => deps.responses.stopWaiting(), STOP_WAITING_AFTER_MS);
  await server.close(STOP_GRACE_MS, (connections) =>
    log.warn({ connections }, `requests still under way after ${STOP_GRACE_MS} ms were cut`),
  );
  clearTimeout(stopWaiting);
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
