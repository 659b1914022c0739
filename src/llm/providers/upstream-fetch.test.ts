import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamFetch } from './upstream-fetch.ts';

let server: Server;
let base: string;
/** Lets the streaming route send its second event. */
let releaseSecond: () => void = () => {};

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/json') {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        response.writeHead(201, {
          'content-type': 'application/json',
          'x-echo-auth': request.headers.authorization,
          'x-echo-length': request.headers['content-length'],
          'set-cookie': ['a=1', 'b=2'],
        });
        response.end(JSON.stringify({ method: request.method, body }));
      });
      return;
    }
    if (request.url === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      releaseSecond = () => response.end('data: second\n\n');
      return;
    }
    if (request.url === '/events-cut') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n', () => setTimeout(() => response.destroy(), 20));
      return;
    }
    if (request.url === '/cut') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"half":', () => response.destroy());
      return;
    }
    if (request.url === '/empty') {
      response.writeHead(204).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"never":');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the upstream fetch', () => {
  it('answers like fetch: status, headers (repeated ones too) and the whole body', async () => {
    const fetch = await createUpstreamFetch();
    const response = await fetch(new URL(`${base}/json`), {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json', skipped: undefined } as never,
      body: '{"q":1}',
    });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created');
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-echo-auth')).toBe('Bearer k');
    // Sent with its length, not chunked: some upstreams refuse a chunked request.
    expect(response.headers.get('x-echo-length')).toBe('7');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ method: 'POST', body: '{"q":1}' });
  });

  it('passes an event stream on as it arrives', async () => {
    const fetch = await createUpstreamFetch();
    const response = await fetch(`${base}/events`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe('data: first\n\n');
    releaseSecond();
    expect(decoder.decode((await reader.read()).value)).toBe('data: second\n\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('stops the upstream request when its reader cancels the stream', async () => {
    const fetch = await createUpstreamFetch();
    const upstreamClosed = new Promise((resolve) =>
      server.once('request', (_request, response: ServerResponse) => response.once('close', resolve)),
    );
    const reader = (await fetch(`${base}/events`)).body!.getReader();
    await reader.read();
    await reader.cancel(new Error('the caller left'));
    await upstreamClosed;
  });

  it('fails an event stream cut short instead of ending it', async () => {
    const fetch = await createUpstreamFetch();
    const reader = (await fetch(`${base}/events-cut`)).body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    await expect(reader.read()).rejects.toMatchObject({ message: 'fetch failed' });
  });

  it('gives a body-less status a null body', async () => {
    const fetch = await createUpstreamFetch();
    const response = await fetch(`${base}/empty`);
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it("fails with the signal's own reason when aborted, even while the body is read", async () => {
    const fetch = await createUpstreamFetch();
    const signal = AbortSignal.timeout(50);
    await expect(fetch(`${base}/stalls`, { signal })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('fails like fetch when the connection closes mid-answer, never with a cut body', async () => {
    const fetch = await createUpstreamFetch();
    const error = await fetch(`${base}/cut`).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'fetch failed' });
  });

  it('keeps its connections alive between calls', async () => {
    const fetch = await createUpstreamFetch();
    const ports = new Set<number>();
    const notePort = (request: IncomingMessage) => ports.add(request.socket.remotePort ?? 0);
    server.on('request', notePort);
    for (let call = 0; call < 6; call++) {
      await (
        await fetch(new URL(`${base}/json`), { method: 'POST', headers: { authorization: 'k' }, body: '{}' })
      ).json();
    }
    server.off('request', notePort);
    // undici frees a connection on the next turn of the event loop, so a call sent the moment the
    // last one answered may take a second one: never more.
    expect(ports.size).toBeLessThanOrEqual(2);
  });

  it('rejects a URL that does not parse, as fetch does, rather than throwing at the caller', async () => {
    const fetch = await createUpstreamFetch();
    await expect(fetch('not a url')).rejects.toThrow();
  });

  it('fails like fetch when the upstream cannot be reached, so the SDK retries it as a network error', async () => {
    const fetch = await createUpstreamFetch();
    const error = await fetch('http://127.0.0.1:1/').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
  });
});
