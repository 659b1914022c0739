/**
 * GET /api/v1/ws over a real socket (the `ws` client): subscribe and unsubscribe, several
 * subscriptions on one socket, history then live without gap or duplicate, error frames that leave
 * the connection open, cleanup on close.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InProcessEventBus } from '../../src/events/bus.ts';
import { DEFAULT_WORKSPACE } from '../../src/store/ports.ts';
import {
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

/** The part of the `ws` client used here (the package ships no types). */
interface WsClient {
  send(data: string): void;
  close(): void;
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
const WebSocket = createRequire(import.meta.url)('ws') as new (url: string, protocols?: string[]) => WsClient;

// biome-ignore lint/suspicious/noExplicitAny: frames are read field by field and asserted on.
type Frame = any;

async function connect(url: string) {
  // Browsers cannot set headers on a WebSocket: the token rides as a subprotocol.
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/ws`, [
    'switchyard',
    `bearer.${server.token}`,
  ]);
  const frames: Frame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(data.toString('utf8'))));
  const closed = new Promise<void>((resolve) => socket.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  const send = (message: unknown) =>
    socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  const waitFor = (predicate: (frame: Frame) => boolean) =>
    until(async () => frames.find(predicate) ?? undefined);
  return { socket, frames, closed, send, waitFor };
}

let server: TestServer;
let pacedId: string;
let slowId: string;
let helloId: string;

beforeAll(async () => {
  server = await startServer();
  pacedId = await published(server, paced(300));
  slowId = await published(server, slow);
  helloId = await published(server, hello);
});
afterAll(async () => server?.close());

const start = (workflowId: string, wait = false) => startExecution(server, workflowId, wait);

async function storedStream(id: string): Promise<string[]> {
  await until(async () => {
    const execution = await server.deps.store.executions.get(DEFAULT_WORKSPACE, id);
    return execution && execution.status !== 'queued' && execution.status !== 'running' ? true : undefined;
  });
  return (await server.deps.store.events.list(id, 0, 1000)).map((e) => `${e.seq}:${e.type}`);
}

const eventsOf = (frames: readonly Frame[], id: string) =>
  frames
    .filter((f) => f.type === 'event' && f.event.executionId === id)
    .map((f) => `${f.event.seq}:${f.event.type}`);

const bus = () => server.deps.bus as InProcessEventBus;

describe('GET /api/v1/ws', () => {
  it('streams two executions on one socket: history then live, each event once', async () => {
    const running = await start(pacedId);
    await until(async () => ((await server.deps.store.events.lastSeq(running)) >= 4 ? true : undefined));
    const finished = await start(helloId, true);
    const client = await connect(server.url);
    client.send({ type: 'subscribe', executionId: running });
    client.send({ type: 'subscribe', executionId: finished });
    await client.waitFor(
      (f) => f.type === 'event' && f.event.executionId === running && f.event.type === 'execution.finished',
    );
    await client.waitFor(
      (f) => f.type === 'event' && f.event.executionId === finished && f.event.type === 'execution.finished',
    );
    expect(eventsOf(client.frames, running)).toEqual(await storedStream(running));
    expect(eventsOf(client.frames, finished)).toEqual(await storedStream(finished));
    // `subscribed` comes before the first event of its execution.
    const firstOf = (id: string) =>
      client.frames.findIndex((f) => f.type === 'event' && f.event.executionId === id);
    expect(client.frames.findIndex((f) => f.type === 'subscribed' && f.executionId === running)).toBeLessThan(
      firstOf(running),
    );
    expect(
      client.frames.findIndex((f) => f.type === 'subscribed' && f.executionId === finished),
    ).toBeLessThan(firstOf(finished));
    client.socket.close();
  });

  it('resumes a subscription after a seq', async () => {
    const id = await start(helloId, true);
    const client = await connect(server.url);
    client.send({ type: 'subscribe', executionId: id, after: 3 });
    await client.waitFor((f) => f.type === 'event' && f.event.type === 'execution.finished');
    expect(eventsOf(client.frames, id)).toEqual((await storedStream(id)).slice(3));
    client.socket.close();
  });

  it('stops sending after unsubscribe', async () => {
    const id = await start(slowId);
    const before = bus().subscriptionCount;
    const client = await connect(server.url);
    client.send({ type: 'subscribe', executionId: id });
    await client.waitFor((f) => f.type === 'event' && f.event.type === 'node.started');
    client.send({ type: 'unsubscribe', executionId: id });
    await client.waitFor((f) => f.type === 'unsubscribed' && f.executionId === id);
    await until(async () => (bus().subscriptionCount === before ? true : undefined));
    const heard = eventsOf(client.frames, id).length;
    // The cancel finishes the execution: its last events must not reach this socket any more.
    await call(server, 'POST', `/api/v1/executions/${id}/cancel`);
    const all = await storedStream(id);
    expect(all.at(-1)).toMatch(/execution\.finished$/);
    expect(eventsOf(client.frames, id)).toHaveLength(heard);
    expect(heard).toBeLessThan(all.length);
    client.socket.close();
  });

  it('answers bad messages with error frames and keeps the connection open', async () => {
    const client = await connect(server.url);
    client.send('not json');
    await client.waitFor((f) => f.type === 'error' && f.code === 'SY_HTTP_MALFORMED');
    client.send({ type: 'watch', executionId: 'x' });
    client.send({ type: 'subscribe', executionId: 'x', extra: true });
    await until(async () =>
      client.frames.filter((f) => f.code === 'SY_HTTP_VALIDATION').length === 2 ? true : undefined,
    );
    client.send({ type: 'subscribe', executionId: 'nope' });
    const missing = await client.waitFor((f) => f.code === 'SY_EXECUTION_NOT_FOUND');
    expect(missing).toMatchObject({ type: 'error', executionId: 'nope', message: expect.any(String) });
    client.send({ type: 'unsubscribe', executionId: 'nope' });
    await until(async () =>
      client.frames.filter((f) => f.code === 'SY_HTTP_VALIDATION').length === 3 ? true : undefined,
    );
    // Still open: a good subscription works.
    const id = await start(helloId, true);
    client.send({ type: 'subscribe', executionId: id });
    await client.waitFor((f) => f.type === 'event' && f.event.type === 'execution.finished');
    expect(eventsOf(client.frames, id)).toEqual(await storedStream(id));
    client.socket.close();
  });

  it('cleans up its subscriptions when the socket closes', async () => {
    const id = await start(slowId);
    const before = bus().subscriptionCount;
    const client = await connect(server.url);
    client.send({ type: 'subscribe', executionId: id });
    await client.waitFor((f) => f.type === 'subscribed');
    await until(async () => (bus().subscriptionCount === before + 1 ? true : undefined));
    client.socket.close();
    await client.closed;
    await until(async () => (bus().subscriptionCount === before ? true : undefined));
    await call(server, 'POST', `/api/v1/executions/${id}/cancel`);
  });
});
