/**
 * Webhook benchmark (issue 4): `switchyard serve` as a user starts it (a child process, embedded
 * SQLite, every execution persisted durably), a webhook → set → condition → respond workflow
 * answered by its respond node, driven by autocannon at 1, 10 and 50 connections. Also the time
 * from spawn to ready and the server's memory (RSS) at idle and under load.
 *
 *   npm run bench:webhook     (writes bench/results/webhook-DATE.json and prints a table)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { api as apiAt, rssMb, START_FLAGS, waitReady } from './serve-helpers.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PORT = 3000 + Math.floor(Math.random() * 2000);
const base = `http://127.0.0.1:${PORT}`;

const workflow = {
  format: 'switchyard/v1',
  name: 'bench-webhook',
  nodes: [
    { id: 'hook', type: 'webhook', params: { path: 'orders', respond: 'node' } },
    { id: 'tag', type: 'set', params: { fields: { total: '{{ body.total }}' }, keepInput: false } },
    { id: 'big', type: 'condition', params: { condition: '{{ total > 100 }}' } },
    { id: 'answer', type: 'respond', params: { status: 200, body: '{{ { "total": total, "big": true } }}' } },
  ],
  edges: [
    { from: 'hook', to: 'tag' },
    { from: 'tag', to: 'big' },
    { from: 'big.true', to: 'answer' },
  ],
};

let token = '';
const api = (method: string, path: string, body?: unknown) => apiAt(base, token, method, path, body);
async function load(connections: number, pid: number) {
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb(pid));
  }, 250);
  const result = await autocannon({
    url: `${base}/hooks/bench-webhook/orders`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ total: 150 }),
    connections,
    duration: SECONDS,
  });
  clearInterval(sampler);
  return {
    connections,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    peakRssMb: peakRss,
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-webhook-bench-'));
const started = performance.now();
const server = spawn(
  process.execPath,
  [...START_FLAGS, 'bin/switchyard.js', 'serve', '--port', String(PORT)],
  {
    env: {
      ...process.env,
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_LOG_LEVEL: 'warn',
      SWITCHYARD_LOG_FORMAT: 'json',
      // One client hammers the webhook from one address: the default per-address limit would answer 429.
      SWITCHYARD_RATE_LIMIT_WEBHOOK: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
try {
  await waitReady(base);
  const readyMs = performance.now() - started;
  const session = (await api('POST', '/api/v1/auth/signup', {
    email: 'bench@example.com',
    password: 'benchmark passphrase',
  })) as { accessToken: string };
  token = session.accessToken;
  await api('POST', '/api/v1/workflows', { id: 'bench-webhook', definition: workflow });
  await api('POST', '/api/v1/workflows/bench-webhook/versions');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idleRssMb = rssMb(server.pid!);
  const runs = [];
  for (const connections of [1, 10, 50]) runs.push(await load(connections, server.pid!));
  const executions = (await api('GET', '/api/v1/executions?limit=1')) as { items: unknown[] };
  const results = {
    date: new Date().toISOString(),
    command: 'npm run bench:webhook',
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    backend: `sqlite (synchronous=${process.env.SWITCHYARD_SQLITE_SYNC ?? 'full'}), every execution persisted`,
    readyMs,
    idleRssMb,
    runs,
    stored: executions.items.length > 0,
  };
  const sync = process.env.SWITCHYARD_SQLITE_SYNC === 'normal' ? '-normal' : '';
  const file = new URL(`./results/webhook${sync}-${results.date.slice(0, 10)}.json`, import.meta.url);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`ready in ${Math.round(readyMs)} ms · idle RSS ${idleRssMb} MB\n`);
  for (const run of runs) {
    process.stdout.write(
      `${String(run.connections).padStart(2)} connections: ${Math.round(run.requestsPerSecond)} req/s · p50 ${run.latencyMs.p50} ms · p99 ${run.latencyMs.p99} ms · peak RSS ${run.peakRssMb} MB · non-2xx ${run.non2xx}\n`,
    );
  }
  process.stdout.write(`wrote ${file.pathname}\n`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
