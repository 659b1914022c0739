/** A real server on a real port (0) over a fresh SQLite data directory, and small fetch helpers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createCliServices } from '../../src/cli/services.ts';
import { createNodeRegistry } from '../../src/nodes/registry.ts';
import { buildApp } from '../../src/server/app.ts';
import { composeServer } from '../../src/server/compose.ts';
import type { ServerDeps, ServerLimits } from '../../src/server/deps.ts';
import { openStore } from '../../src/store/open-store.ts';

export interface TestServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly deps: ServerDeps;
  close(): Promise<void>;
}

export async function startServer(limits: Partial<ServerLimits> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-server-'));
  const registry = createNodeRegistry();
  const services = createCliServices(registry);
  const store = await openStore({ dataDir });
  const { deps, worker } = composeServer({ store, registry, services, limits, worker: { pollMs: 50 } });
  const app = await buildApp(deps);
  await worker.start();
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    app,
    deps,
    async close() {
      await app.close();
      await worker.stop();
      services.code.dispose();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly type: string;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them.
  readonly body: any;
}

export async function call(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  init: { contentType?: string; raw?: string } = {},
): Promise<Answer> {
  const payload = init.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(payload === undefined
      ? {}
      : { body: payload, headers: { 'content-type': init.contentType ?? 'application/json' } }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    type,
    headers: response.headers,
    body: /json/.test(type) && text !== '' ? JSON.parse(text) : text,
  };
}

export const hello = {
  format: 'switchyard/v1',
  name: 'hello',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'greet', type: 'set', params: { fields: { greeting: 'Hello, {{ name }}!' } } },
    { id: 'done', type: 'end', params: { output: '{{ { "message": greeting } }}' } },
  ],
  edges: [
    { from: 'start', to: 'greet' },
    { from: 'greet', to: 'done' },
  ],
};

export const slow = {
  format: 'switchyard/v1',
  name: 'slow',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'wait', type: 'delay', params: { ms: 60_000 } },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'wait' },
    { from: 'wait', to: 'done' },
  ],
};

export const failing = {
  format: 'switchyard/v1',
  name: 'failing',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'boom', type: 'fail', params: { message: 'on purpose' } },
  ],
  edges: [{ from: 'start', to: 'boom' }],
};

/** Creates a workflow and publishes its draft; returns its id. */
/** Two delays of `ms` each: long enough to connect mid-run, short enough to finish within a test. */
export function paced(ms: number) {
  return {
    format: 'switchyard/v1',
    name: 'paced',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'first', type: 'delay', params: { ms } },
      { id: 'second', type: 'delay', params: { ms } },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'first' },
      { from: 'first', to: 'second' },
      { from: 'second', to: 'done' },
    ],
  };
}

/** Starts an execution through the API (waiting for its outcome when `wait`); returns its id. */
export async function startExecution(server: TestServer, workflowId: string, wait = false): Promise<string> {
  const started = await call(
    server,
    'POST',
    `/api/v1/workflows/${workflowId}/executions${wait ? '?wait=true' : ''}`,
    {},
  );
  if (started.status !== (wait ? 200 : 202))
    throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
  return started.body.id;
}

export async function published(server: TestServer, definition: unknown, id?: string): Promise<string> {
  const created = await call(server, 'POST', '/api/v1/workflows', { definition, ...(id ? { id } : {}) });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const version = await call(server, 'POST', `/api/v1/workflows/${created.body.id}/versions`, {});
  if (version.status !== 201) throw new Error(`publish: ${version.status} ${JSON.stringify(version.body)}`);
  return created.body.id;
}

export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
