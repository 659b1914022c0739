/** The http node through the real engine and the real guarded client, against a local server. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { harness } from '../../test/support/harness.ts';
import { line, workflow } from '../../test/support/workflow-shapes.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { createOutboundClient } from '../net/outbound-client.ts';
import { ExecutionRun } from '../runtime/execution-run.ts';
import type { ExecutorServices } from '../runtime/services.ts';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const seen: Seen[] = [];
let reply: (req: Seen, res: ServerResponse) => void = (_req, res) => res.end();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const request = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: `${Buffer.concat(chunks)}`,
    };
    seen.push(request);
    reply(request, res);
  });
});
let base = '';

const client = createOutboundClient({ allow: ['127.0.0.1/32'] });
const vault: Record<string, Record<string, string>> = {
  api: { token: 'tok-123' },
  login: { username: 'ada', password: 'p@ss:word' },
  keyed: { name: 'X-Api-Key', value: 'key-456' },
  inquery: { name: 'api_key', value: 'q s&cret' },
  empty: {},
};

const h = harness();
const services: ExecutorServices = {
  ...h.services,
  outbound: () => client.fetch,
  credentials: {
    get: async (_workspace, name) => {
      const data = vault[name];
      if (!data) throw new SwitchyardError('SY_CREDENTIAL_NOT_FOUND', `no credential named "${name}"`);
      return data;
    },
  },
};
let runs = 0;

/** Runs start → http (with `params`, plus `node` fields) → end, returning the result and the node's output. */
async function runHttp(
  params: Record<string, unknown>,
  node: Record<string, unknown> = {},
  input: unknown = {},
) {
  const document = workflow(
    [
      { id: 'start', type: 'start' },
      { id: 'call', type: 'http', params, ...node },
      { id: 'done', type: 'end', params: { output: '{{ $nodes.call }}' } },
    ],
    line('start', 'call', 'done'),
  );
  return new ExecutionRun(services, h.compile(document), { executionId: `http-${++runs}`, input }).run();
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await h.services.code.dispose();
});
beforeEach(() => {
  seen.length = 0;
  reply = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});

describe('http node', () => {
  it('GETs with query parameters and parses a JSON answer', async () => {
    reply = (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-id': '7' })
        .end('{"items":[1,2]}');
    const result = await runHttp(
      { url: '{{ base }}/items?sort=asc', query: { page: 2, all: true, q: 'a b' } },
      {},
      { base },
    );
    expect(result.status).toBe('succeeded');
    expect(result.output).toMatchObject({
      status: 200,
      body: { items: [1, 2] },
      url: `${base}/items?sort=asc&page=2&all=true&q=a+b`,
    });
    expect((result.output as { headers: Record<string, string> }).headers['x-id']).toBe('7');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/items?sort=asc&page=2&all=true&q=a+b' });
  });

  it('sends JSON, text and form bodies with their content types', async () => {
    await runHttp({ method: 'POST', url: base, body: { a: [1, 'x'] } });
    await runHttp({ method: 'PUT', url: base, body: 'plain words', bodyType: 'text' });
    await runHttp({ method: 'PATCH', url: base, body: { name: 'Ada L', n: 3 }, bodyType: 'form' });
    await runHttp({
      method: 'POST',
      url: base,
      body: { a: 1 },
      headers: { 'Content-Type': 'application/vnd.api+json' },
    });
    expect(seen.map((s) => [s.method, s.headers['content-type'], s.body])).toEqual([
      ['POST', 'application/json', '{"a":[1,"x"]}'],
      ['PUT', 'text/plain; charset=utf-8', 'plain words'],
      ['PATCH', 'application/x-www-form-urlencoded', 'name=Ada+L&n=3'],
      ['POST', 'application/vnd.api+json', '{"a":1}'],
    ]);
  });

  it('refuses a text body that is not a string, when validating and when running', async () => {
    await expect(runHttp({ method: 'POST', url: base, body: { a: 1 }, bodyType: 'text' })).rejects.toThrow(
      'SY_WF_PARAMS_INVALID nodes[1].params.body: a text body must be a string',
    );
    const result = await runHttp({ method: 'POST', url: base, body: '{{ { "a": 1 } }}', bodyType: 'text' });
    expect(result.error).toMatchObject({ code: 'SY_NODE_PARAMS_INVALID' });
    expect(seen).toEqual([]);
  });

  it('sends bearer, basic, header and query auth from credentials, and never outputs them', async () => {
    reply = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('welcome');
    const bearer = await runHttp({ url: base, credential: 'api', auth: 'bearer' });
    const basic = await runHttp({ url: base, credential: 'login', auth: 'basic' });
    const header = await runHttp({ url: base, credential: 'keyed', auth: 'header' });
    const query = await runHttp({ url: `${base}/q`, credential: 'inquery', auth: 'query' });
    expect(seen[0]?.headers.authorization).toBe('Bearer tok-123');
    expect(seen[1]?.headers.authorization).toBe(`Basic ${Buffer.from('ada:p@ss:word').toString('base64')}`);
    expect(seen[2]?.headers['x-api-key']).toBe('key-456');
    expect(new URL(seen[3]?.url ?? '', base).searchParams.get('api_key')).toBe('q s&cret');
    for (const result of [bearer, basic, header, query]) expect(result.status).toBe('succeeded');
    expect(query.output).toMatchObject({ url: `${base}/q?api_key=%5Bredacted%5D` });
    expect(JSON.stringify(query.output)).not.toContain('cret');
  });

  it('fails clearly when a credential lacks the field its auth needs', async () => {
    const result = await runHttp({ url: base, credential: 'empty', auth: 'bearer' });
    expect(result.error).toMatchObject({
      code: 'SY_NODE_PARAMS_INVALID',
      message: 'credential "empty" has no "token" field, which bearer auth needs',
    });
    expect(seen).toEqual([]);
  });

  it('fails on a non-2xx status with the status and a body excerpt, without credential values', async () => {
    reply = (_req, res) =>
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no such thing tok-123 ${'z'.repeat(3000)}`);
    const result = await runHttp({ url: `${base}/missing?x=1`, credential: 'api', auth: 'bearer' });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      code: 'SY_OUTBOUND_STATUS',
      message: `GET ${base}/missing answered 404`,
    });
    const details = result.error?.details as { status: number; body: string };
    expect(details.status).toBe(404);
    expect(details.body.startsWith('no such thing [redacted] zzz')).toBe(true);
    expect(details.body.length).toBeLessThanOrEqual(1024);
  });

  it('retries 5xx answers under the node retry policy, but not 4xx', async () => {
    let calls = 0;
    reply = (_req, res) => {
      calls++;
      if (calls < 3) res.writeHead(503).end('busy');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"done":true}');
    };
    const retried = await runHttp({ url: base }, { retry: { attempts: 3, backoffMs: 1 } });
    expect(retried.output).toMatchObject({ status: 200, body: { done: true } });
    expect(calls).toBe(3);
    calls = -100;
    reply = (_req, res) => {
      calls++;
      res.writeHead(400).end('bad');
    };
    const refused = await runHttp({ url: base }, { retry: { attempts: 3, backoffMs: 1 } });
    expect(refused.error?.code).toBe('SY_OUTBOUND_STATUS');
    expect(calls).toBe(-99);
  });

  it('outputs an error status as data when failOnStatus is off', async () => {
    reply = (_req, res) =>
      res.writeHead(500, { 'content-type': 'application/problem+json' }).end('{"title":"boom"}');
    const result = await runHttp({ url: base, failOnStatus: false });
    expect(result.output).toMatchObject({ status: 500, body: { title: 'boom' } });
  });

  it('decodes bodies as auto, text, json and base64', async () => {
    reply = (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0, 1, 2, 255]));
    expect((await runHttp({ url: base })).output).toMatchObject({ body: 'AAEC/w==' });
    reply = (_req, res) => res.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\n1,2');
    expect((await runHttp({ url: base })).output).toMatchObject({ body: 'a,b\n1,2' });
    reply = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('[1,2]');
    expect((await runHttp({ url: base, response: 'json' })).output).toMatchObject({ body: [1, 2] });
    expect((await runHttp({ url: base, response: 'base64' })).output).toMatchObject({ body: 'WzEsMl0=' });
    reply = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('not json');
    expect((await runHttp({ url: base })).output).toMatchObject({ body: 'not json' });
    const strict = await runHttp({ url: base, response: 'json' });
    expect(strict.error).toMatchObject({ code: 'SY_OUTBOUND_FAILED' });
  });

  it('is refused by the SSRF guard for internal addresses', async () => {
    const result = await runHttp({ url: 'http://169.254.169.254/latest/meta-data' });
    expect(result.error).toMatchObject({
      code: 'SY_OUTBOUND_BLOCKED',
      message: expect.stringContaining('169.254.169.254'),
    });
  });

  it('hands back a redirect when told not to follow it', async () => {
    reply = (_req, res) => res.writeHead(302, { location: '/elsewhere' }).end();
    const result = await runHttp({ url: base, followRedirects: false });
    expect(result.output).toMatchObject({ status: 302, headers: { location: '/elsewhere' } });
    expect(seen).toHaveLength(1);
  });

  it('times out with the node timeout', async () => {
    reply = () => undefined;
    const result = await runHttp({ url: base, timeoutMs: 100 });
    expect(result.error).toMatchObject({ code: 'SY_OUTBOUND_TIMEOUT' });
  });
});
