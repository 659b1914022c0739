/**
 * Logging: the correlation id of a request (X-Correlation-Id, or a generated one) is echoed, carried
 * by the request's log lines and by the log lines of the execution started with it, node by node.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliServices } from '../src/cli/services.ts';
import { createLogger, loggerOptionsFromEnv } from '../src/logging/logger.ts';
import { createNodeRegistry } from '../src/nodes/registry.ts';
import { buildApp } from '../src/server/app.ts';
import { type Composition, composeServer } from '../src/server/compose.ts';
import { openStore } from '../src/store/open-store.ts';
import { DEFAULT_WORKSPACE, type Store } from '../src/store/ports.ts';
import { testKeyRing, until } from './server/fixture.ts';

type Line = Record<string, unknown>;

const lines: Line[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    for (const text of String(chunk).split('\n')) if (text) lines.push(JSON.parse(text) as Line);
    done();
  },
});

let dataDir: string;
let store: Store;
let composition: Composition;
let app: FastifyInstance;
let url: string;
const services = createCliServices(createNodeRegistry());

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-logging-'));
  const registry = createNodeRegistry();
  store = await openStore({ dataDir });
  const log = createLogger({ level: 'info', destination: capture });
  composition = composeServer({
    store,
    registry,
    services,
    log,
    worker: { pollMs: 20 },
    security: { keyRing: testKeyRing() },
  });
  app = await buildApp(composition.deps);
  await composition.worker.start();
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
  await composition.worker.stop();
  await composition.close();
  services.code.dispose();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const chatty = {
  format: 'switchyard/v1',
  name: 'chatty',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'talk', type: 'code', params: { source: "console.log('hello from the node'); return input;" } },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'talk' },
    { from: 'talk', to: 'done' },
  ],
};

describe('logging', () => {
  it('echoes X-Correlation-Id and logs the request with it', async () => {
    const response = await fetch(`${url}/api/v1/workflows`, { headers: { 'x-correlation-id': 'req-42.a' } });
    expect(response.headers.get('x-correlation-id')).toBe('req-42.a');
    const requestLines = lines.filter((line) => line.correlationId === 'req-42.a');
    expect(requestLines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'request completed']),
    );
  });

  it('replaces an unsafe or missing correlation id with a generated one', async () => {
    const unsafe = await fetch(`${url}/healthz`, { headers: { 'x-correlation-id': 'two "words"' } });
    expect(unsafe.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const long = await fetch(`${url}/healthz`, { headers: { 'x-correlation-id': 'x'.repeat(101) } });
    expect(long.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const absent = await fetch(`${url}/healthz`);
    expect(absent.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(absent.headers.get('x-correlation-id')).not.toBe(unsafe.headers.get('x-correlation-id'));
  });

  it("carries an execution's correlation id into its start, node logs and finish", async () => {
    const now = Date.now();
    await store.workflows.create({
      id: 'chatty',
      workspaceId: DEFAULT_WORKSPACE,
      name: 'chatty',
      draft: chatty,
      now,
    });
    await store.workflows.publish(DEFAULT_WORKSPACE, 'chatty', { definition: chatty, now });
    // What the start route does with `correlationId: request.id` (see the report on issue 4).
    const execution = await composition.deps.executions.start({
      workspaceId: DEFAULT_WORKSPACE,
      workflowId: 'chatty',
      input: { a: 1 },
      trigger: { kind: 'api' },
      correlationId: 'req-77',
    });
    const mine = () => lines.filter((line) => line.executionId === execution.id);
    await until(async () => (mine().some((line) => line.msg === 'execution finished') ? true : undefined));
    const nodeLine = mine().find((line) => line.msg === 'hello from the node');
    expect(nodeLine).toMatchObject({
      correlationId: 'req-77',
      nodeId: 'talk',
      workflowId: 'chatty',
      level: 30,
    });
    expect(mine().find((line) => line.msg === 'execution started')).toMatchObject({
      correlationId: 'req-77',
    });
    expect(mine().find((line) => line.msg === 'execution finished')).toMatchObject({
      correlationId: 'req-77',
      status: 'succeeded',
    });
  });
});

describe('logger options from the environment', () => {
  it('is JSON at info by default, pretty on a terminal or when asked, and refuses an unknown level', () => {
    expect(loggerOptionsFromEnv({}, false)).toEqual({ level: 'info', format: 'json' });
    expect(loggerOptionsFromEnv({}, true)).toEqual({ level: 'info', format: 'pretty' });
    expect(loggerOptionsFromEnv({ SWITCHYARD_LOG_FORMAT: 'json' }, true).format).toBe('json');
    expect(
      loggerOptionsFromEnv({ SWITCHYARD_LOG_FORMAT: 'pretty', SWITCHYARD_LOG_LEVEL: 'DEBUG' }, false),
    ).toEqual({
      level: 'debug',
      format: 'pretty',
    });
    expect(() => loggerOptionsFromEnv({ SWITCHYARD_LOG_LEVEL: 'loud' }, false)).toThrow(
      /SWITCHYARD_LOG_LEVEL/,
    );
  });

  it('writes readable lines in the pretty format', async () => {
    let text = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    createLogger({ format: 'pretty', destination: sink }).info({ executionId: 'e1' }, 'hello pretty');
    await until(async () => (text.includes('hello pretty') ? true : undefined));
    expect(text).toMatch(/INFO.*hello pretty/);
    expect(() => JSON.parse(text)).toThrow();
  });
});
