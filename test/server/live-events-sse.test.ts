/**
 * GET /api/v1/executions/{id}/events over real HTTP: history then live, Last-Event-ID resume
 * without loss or duplicate, a finished execution served whole and closed, 404, heartbeat, cleanup.
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InProcessEventBus } from '../../src/events/bus.ts';
import { enforceRouteTable } from '../../src/server/auth/auth-hook.ts';
import { liveEventRoutes } from '../../src/server/live-event-routes.ts';
import { DEFAULT_WORKSPACE } from '../../src/store/ports.ts';
import {
  authHeaders,
  call,
  hello,
  paced,
  published,
  slow,
  startExecution,
  startServer,
  type TestServer,
  until,
} from './fixture.ts';

interface SseMessage {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

/** A small SSE reader over fetch: messages and comments as they arrive, `ended` when the server closes. */
async function openSse(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { ...authHeaders(server), ...headers },
    signal: controller.signal,
  });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const parse = (block: string) => {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else {
        const colon = line.indexOf(':');
        const value = line.slice(colon + 1);
        fields.set(line.slice(0, colon), value.startsWith(' ') ? value.slice(1) : value);
      }
    }
    if (fields.has('data'))
      messages.push({ id: fields.get('id'), event: fields.get('event'), data: fields.get('data') ?? '' });
  };
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  return { response, messages, comments, ended, close: () => controller.abort() };
}

const seqs = (messages: readonly SseMessage[]) => messages.map((m) => Number(m.id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

let server: TestServer;
let pacedId: string;
let slowId: string;
let helloId: string;

beforeAll(async () => {
  server = await startServer();
  pacedId = await published(server, paced(400));
  slowId = await published(server, slow);
  helloId = await published(server, hello);
});
afterAll(async () => server?.close());

const start = (workflowId: string, wait = false) => startExecution(server, workflowId, wait);

async function storedTypes(executionId: string) {
  const stored = await server.deps.store.events.list(executionId, 0, 1000);
  return stored.map((e) => `${e.seq}:${e.type}`);
}

const eventsUrl = (id: string, query = '') => `${server.url}/api/v1/executions/${id}/events${query}`;
const lastSeq = (id: string) => server.deps.store.events.lastSeq(id);

/** The live stream runs ahead of the store: its events are all stored once the outcome is (the worker's order). */
async function settledSeq(id: string): Promise<number> {
  await until(async () => {
    const execution = await server.deps.store.executions.get(DEFAULT_WORKSPACE, id);
    return execution && execution.status !== 'queued' && execution.status !== 'running' ? true : undefined;
  });
  return lastSeq(id);
}

describe('GET /api/v1/executions/{id}/events', () => {
  it('gives a late client the history, then the live events, each once, and closes after the finish', async () => {
    const id = await start(pacedId);
    // Connect while `first` waits: its start is history, everything after is live.
    await until(async () => ((await lastSeq(id)) >= 4 ? true : undefined));
    const storedAtConnect = await lastSeq(id);
    const stream = await openSse(eventsUrl(id));
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.ended;
    const total = await settledSeq(id);
    expect(storedAtConnect).toBeLessThan(total);
    expect(seqs(stream.messages)).toEqual(range(1, total));
    expect(stream.messages.map((m) => `${m.id}:${m.event}`)).toEqual(await storedTypes(id));
    expect(stream.messages.at(-1)?.event).toBe('execution.finished');
    for (const message of stream.messages) {
      expect(JSON.parse(message.data)).toMatchObject({
        seq: Number(message.id),
        type: message.event,
        executionId: id,
      });
    }
  });

  it('resumes with Last-Event-ID mid-run: the union of both connections is the stored stream', async () => {
    const id = await start(pacedId);
    const first = await openSse(eventsUrl(id));
    await until(async () => (first.messages.some((m) => m.event === 'node.started') ? true : undefined));
    first.close();
    await first.ended;
    const lastSeen = first.messages.at(-1)?.id ?? '0';
    // Let events pass while nobody listens.
    await until(async () => ((await lastSeq(id)) > Number(lastSeen) + 1 ? true : undefined));
    const second = await openSse(eventsUrl(id), { 'last-event-id': lastSeen });
    await second.ended;
    await settledSeq(id);
    expect(Number(second.messages[0]?.id)).toBe(Number(lastSeen) + 1);
    const union = [...first.messages, ...second.messages];
    expect(union.map((m) => `${m.id}:${m.event}`)).toEqual(await storedTypes(id));
    expect(union.at(-1)?.event).toBe('execution.finished');
  });

  it('serves a finished execution whole and closes; ?after and Last-Event-ID skip what the client has', async () => {
    const id = await start(helloId, true);
    const total = await lastSeq(id);
    expect(total).toBeGreaterThan(3);
    const whole = await openSse(eventsUrl(id));
    await whole.ended;
    expect(seqs(whole.messages)).toEqual(range(1, total));
    const after = await openSse(eventsUrl(id, '?after=2'));
    await after.ended;
    expect(seqs(after.messages)).toEqual(range(3, total));
    // The header wins over the query: a browser reconnects to the same URL with its last id.
    const resumed = await openSse(eventsUrl(id, '?after=1'), { 'last-event-id': String(total - 1) });
    await resumed.ended;
    expect(seqs(resumed.messages)).toEqual([total]);
  });

  it('answers 404 problem+json for an unknown execution, and 400 for a bad Last-Event-ID', async () => {
    const missing = await call(server, 'GET', '/api/v1/executions/nope/events');
    expect(missing.status).toBe(404);
    expect(missing.type).toMatch(/^application\/problem\+json/);
    expect(missing.body.code).toBe('SY_EXECUTION_NOT_FOUND');
    const id = await start(helloId, true);
    const bad = await fetch(eventsUrl(id), { headers: { ...authHeaders(server), 'last-event-id': 'soon' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'SY_HTTP_VALIDATION' });
  });

  it('unsubscribes from the bus when the client goes away', async () => {
    const bus = server.deps.bus as InProcessEventBus;
    const before = bus.subscriptionCount;
    const id = await start(slowId);
    const stream = await openSse(eventsUrl(id));
    await until(async () => (stream.messages.some((m) => m.event === 'node.started') ? true : undefined));
    expect(bus.subscriptionCount).toBe(before + 1);
    stream.close();
    await until(async () => (bus.subscriptionCount === before ? true : undefined));
    await call(server, 'POST', `/api/v1/executions/${id}/cancel`);
  });

  it('sends a heartbeat comment', async () => {
    // The same routes with a short heartbeat, on their own port over the same server parts.
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    enforceRouteTable(app, server.deps.security);
    await app.register(liveEventRoutes(server.deps, { heartbeatMs: 30 }), { prefix: '/api/v1' });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const id = await start(slowId);
      const stream = await openSse(`${url}/api/v1/executions/${id}/events`);
      await until(async () => (stream.comments.includes('ping') ? true : undefined));
      stream.close();
      await call(server, 'POST', `/api/v1/executions/${id}/cancel`);
    } finally {
      await app.close();
    }
  });
});
