/**
 * The process the crash test kills: runs queued executions with a durable worker until none is
 * left, then exits 0. Configured by environment: CRASH_DATABASE_URL (PostgreSQL, with CRASH_SCHEMA)
 * or CRASH_DATA_DIR (SQLite).
 */

import { join } from 'node:path';
import { ExpressionEngine } from '../../src/expressions/engine.ts';
import { createNodeRegistry } from '../../src/nodes/registry.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { ExecutionWorker } from '../../src/runtime/durable/execution-worker.ts';
import { noCredentials, noOutbound } from '../../src/runtime/offline-services.ts';
import { openStore } from '../../src/store/open-store.ts';
import { DEFAULT_WORKSPACE } from '../../src/store/ports.ts';
import { effectNode } from './crash-workflow.ts';
import { type Ledger, postgresLedger, sqliteLedger } from './ledger.ts';

const url = process.env.CRASH_DATABASE_URL;
const schema = process.env.CRASH_SCHEMA ?? 'public';
const dataDir = process.env.CRASH_DATA_DIR ?? '';

const ledger: Ledger = url ? await postgresLedger(url, schema) : sqliteLedger(join(dataDir, 'effects.db'));
const store = await openStore(
  url
    ? { databaseUrl: `${url}${url.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`, dataDir }
    : { dataDir },
);
const registry = createNodeRegistry().register(effectNode(ledger));
const owner = `crash-child:${process.pid}`;
const worker = new ExecutionWorker({
  owner,
  store,
  catalog: registry,
  capacity: 25,
  leaseMs: 1500,
  pollMs: 50,
  services: {
    clock: systemClock,
    random: Math.random,
    expressions: new ExpressionEngine(),
    code: { run: () => Promise.reject(new Error('no code here')), dispose: () => {} },
    workflows: { resolve: () => Promise.reject(new Error('no sub-workflows here')) },
    outbound: noOutbound,
    credentials: noCredentials,
  },
  onError: (error) => process.stderr.write(`worker error: ${String(error)}\n`),
});
await worker.start();
process.stdout.write(`started as ${owner}\n`);

let polls = 0;
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  const queued = await store.executions.list(DEFAULT_WORKSPACE, { status: 'queued', limit: 1 });
  const running = await store.executions.list(DEFAULT_WORKSPACE, { status: 'running', limit: 5 });
  if (queued.items.length === 0 && running.items.length === 0 && worker.activeCount === 0) break;
  // What is left, every 5 s: if a run never ends, the test shows why.
  if (++polls % 50 === 0) {
    const left = running.items.map(
      (e) =>
        `${e.id} owner=${e.leaseOwner} epoch=${e.leaseEpoch} expires=${(e.leaseExpiresAt ?? 0) - Date.now()}ms`,
    );
    process.stdout.write(
      `left: queued=${queued.items.length} active=${worker.activeCount} running=[${left.join('; ')}]\n`,
    );
  }
}
await worker.stop();
await store.close();
await ledger.close();
process.exit(0);
