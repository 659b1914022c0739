/**
 * Durable executions per second (issue 3): a 5-node workflow run by the durable worker with every
 * node result checkpointed (committed) before anything depending on it starts, on SQLite (embedded)
 * and PostgreSQL (the server on this machine). Also the latency of each checkpoint transaction and
 * how many executions' results share one (group commit).
 *
 *   npm run bench:durable     (writes bench/results/durable-DATE.json and prints a table)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ExecutionWorker } from '../src/runtime/durable/execution-worker.ts';
import { openStore } from '../src/store/open-store.ts';
import { type Store, DEFAULT_WORKSPACE as WS } from '../src/store/ports.ts';
import { registry, services } from './bench-setup.ts';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 4000);
const POSTGRES_URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

const fiveNodes = {
  format: 'switchyard/v1',
  name: 'five',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'a', type: 'noop' },
    { id: 'b', type: 'noop' },
    { id: 'c', type: 'noop' },
    { id: 'd', type: 'noop' },
  ],
  edges: [
    { from: 'start', to: 'a' },
    { from: 'a', to: 'b' },
    { from: 'b', to: 'c' },
    { from: 'c', to: 'd' },
  ],
};

interface Timings {
  transactions: number[];
  batchSizes: number[];
}

/**
 * Wraps the store so every journal commit (the one transaction that holds the checkpoints, with the
 * events and finishes of the same moment) is timed; only commits that hold checkpoints are counted.
 */
function timed(store: Store, timings: Timings): Store {
  const commit = store.journal.commit.bind(store.journal);
  const journal = {
    commit: async (batch: Parameters<Store['journal']['commit']>[0]) => {
      const start = performance.now();
      const result = await commit(batch);
      const results = batch.checkpoints.reduce((sum, checkpoint) => sum + checkpoint.runs.length, 0);
      if (results > 0) {
        timings.transactions.push(performance.now() - start);
        timings.batchSizes.push(results);
      }
      return result;
    },
  };
  return new Proxy(store, {
    get: (target, key) => (key === 'journal' ? journal : Reflect.get(target, key)),
  });
}

async function measure(store: Store): Promise<Record<string, unknown>> {
  const now = Date.now();
  await store.workflows.create({ id: 'five', workspaceId: WS, name: 'five', draft: fiveNodes, now });
  await store.workflows.publish(WS, 'five', { definition: fiveNodes, now });
  for (let i = 0; i < EXECUTIONS; i++) {
    await store.executions.create({
      id: randomUUID(),
      workspaceId: WS,
      workflowId: 'five',
      workflowVersion: 1,
      trigger: { kind: 'bench' },
      input: { i },
      now,
    });
  }
  const timings: Timings = { transactions: [], batchSizes: [] };
  const worker = new ExecutionWorker({
    store: timed(store, timings),
    catalog: registry,
    capacity: 256,
    pollMs: 20,
    services,
    onError: (error) => process.stderr.write(`worker error: ${String(error)}\n`),
  });
  let finished = 0;
  const allDone = new Promise<void>((resolve) =>
    worker.onFinished(() => {
      if (++finished === EXECUTIONS) resolve();
    }),
  );
  const start = performance.now();
  await worker.start();
  await allDone;
  const seconds = (performance.now() - start) / 1000;
  await worker.stop();
  const sorted = [...timings.transactions].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    executions: EXECUTIONS,
    seconds,
    executionsPerSecond: EXECUTIONS / seconds,
    checkpointsPerSecond: (EXECUTIONS * 5) / seconds,
    checkpointTransactions: sorted.length,
    checkpointLatencyMs: { median: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 },
    meanResultsPerTransaction:
      timings.batchSizes.reduce((a, b) => a + b, 0) / Math.max(1, timings.batchSizes.length),
  };
}

async function sqlite(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const store = await openStore({ dataDir });
  try {
    return await measure(store);
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<Record<string, unknown>> {
  const schema = `sy_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const store = await openStore({
    databaseUrl: `${POSTGRES_URL}?options=-c%20search_path%3D${schema}`,
    dataDir: tmpdir(),
  });
  try {
    return await measure(store);
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

const results = {
  date: new Date().toISOString(),
  command: 'npm run bench:durable',
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    os: `${platform()} ${release()}`,
    node: process.version,
  },
  sqlite: await sqlite(),
  postgres: await postgres(),
};
const file = new URL(`./results/durable-${results.date.slice(0, 10)}.json`, import.meta.url);
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
for (const name of ['sqlite', 'postgres'] as const) {
  const r = results[name] as {
    executionsPerSecond: number;
    checkpointLatencyMs: { median: number; p95: number };
    meanResultsPerTransaction: number;
  };
  process.stdout.write(
    `${name.padEnd(9)} ${Math.round(r.executionsPerSecond)} durable exec/s · checkpoint tx median ${r.checkpointLatencyMs.median.toFixed(2)} ms, p95 ${r.checkpointLatencyMs.p95.toFixed(2)} ms · ${r.meanResultsPerTransaction.toFixed(1)} node results per tx\n`,
  );
}
process.stdout.write(`wrote ${file.pathname}\n`);
