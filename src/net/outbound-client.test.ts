/**
 * The outbound client against real local HTTP servers: 127.0.0.0/8 plays both the internal network
 * (blocked by default) and, once allowed, the public internet.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { outboundAllowFromEnv } from './allow-env.ts';
import type { ResolvedAddress, Resolver } from './guarded-lookup.ts';
import { createOutboundClient, type OutboundClient, type OutboundPolicy } from './outbound-client.ts';
import { createOutboundClients } from './outbound-clients.ts';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const servers: (() => Promise<void>)[] = [];
const clients: OutboundClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(async () => {
  await Promise.all(servers.map((close) => close()));
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void,
  host = '127.0.0.1',
) {
  const requests: Seen[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: `${Buffer.concat(chunks)}`,
      };
      requests.push(seen);
      handler(req, res, seen);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port, url: `http://${host}:${port}`, requests, connections: () => connections };
}

function client(policy: Partial<OutboundPolicy> = {}): OutboundClient {
  const created = createOutboundClient({ allow: ['127.0.0.1/32'], ...policy });
  clients.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<SwitchyardError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SwitchyardError);
  return error as SwitchyardError;
}

/** A fake DNS that answers each call with the next answer (the last one repeats), counting calls. */
function scriptedDns(...answers: (readonly string[])[]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<readonly ResolvedAddress[]> => {
    const answer = answers[Math.min(calls.length, answers.length - 1)] ?? [];
    calls.push(host);
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

describe('blocked by default', () => {
  it('refuses a loopback server before connecting to it at all', async () => {
    const server = await serve((_req, res) => res.end('secret'));
    const error = await failure(client({ allow: [] }).fetch({ method: 'GET', url: `${server.url}/admin` }));
    expect(error.code).toBe('SY_OUTBOUND_BLOCKED');
    expect(error.message).toBe('127.0.0.1 is loopback');
    expect(server.requests).toEqual([]);
    expect(server.connections()).toBe(0);
  });

  it('refuses the decimal, hex and mapped spellings of the same server', async () => {
    const server = await serve((_req, res) => res.end('secret'));
    const fetch = client({ allow: [] }).fetch;
    for (const host of ['2130706433', '0x7f.1', '127.1', '[::ffff:127.0.0.1]']) {
      const error = await failure(fetch({ method: 'GET', url: `http://${host}:${server.port}/` }));
      expect(error.code).toBe('SY_OUTBOUND_BLOCKED');
    }
    expect(server.connections()).toBe(0);
  });

  it('refuses a name that resolves to a private address, without connecting', async () => {
    const server = await serve((_req, res) => res.end('secret'));
    const dns = scriptedDns(['127.0.0.1']);
    const error = await failure(
      client({ allow: [], resolve: dns }).fetch({
        method: 'GET',
        url: `http://internal.test:${server.port}/`,
      }),
    );
    expect(error.code).toBe('SY_OUTBOUND_BLOCKED');
    expect(error.message).toBe('127.0.0.1 is loopback (internal.test resolves to it)');
    expect(server.connections()).toBe(0);
  });

  it('refuses a name whole when any of its addresses is blocked', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const dns = scriptedDns(['127.0.0.1', '10.0.0.7']);
    const error = await failure(
      client({ resolve: dns }).fetch({ method: 'GET', url: `http://mixed.test:${server.port}/` }),
    );
    expect(error.code).toBe('SY_OUTBOUND_BLOCKED');
    expect(error.message).toContain('10.0.0.7 is private');
    expect(server.connections()).toBe(0);
  });

  it('refuses credentials in the URL and other schemes', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const fetch = client().fetch;
    const withUser = await failure(
      fetch({ method: 'GET', url: `http://bob:hunter2@127.0.0.1:${server.port}/` }),
    );
    expect(withUser.code).toBe('SY_OUTBOUND_URL_INVALID');
    expect(withUser.message).not.toContain('hunter2');
    expect((await failure(fetch({ method: 'GET', url: 'file:///etc/passwd' }))).code).toBe(
      'SY_OUTBOUND_URL_INVALID',
    );
    expect(server.requests).toEqual([]);
  });
});

describe('allowed requests', () => {
  it('reach an allowed server with method, headers and body, and return the whole response', async () => {
    const server = await serve((_req, res, seen) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      json(res, 201, { got: seen.body });
    });
    const response = await client().fetch({
      method: 'post',
      url: `${server.url}/items?x=1`,
      headers: { 'Content-Type': 'text/plain', 'X-Trace': 'abc' },
      body: 'hello',
    });
    expect(response.status).toBe(201);
    expect(JSON.parse(new TextDecoder().decode(response.body))).toEqual({ got: 'hello' });
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
    expect(response.url).toBe(`${server.url}/items?x=1`);
    expect(response.redirects).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/items?x=1' });
    expect(server.requests[0]?.headers['x-trace']).toBe('abc');
  });

  it('resolves a name once per connection and connects to the address it checked (no rebinding window)', async () => {
    const server = await serve((_req, res) => res.end('public'));
    // First answer is allowed; every later answer points at cloud metadata.
    const dns = scriptedDns(['127.0.0.1'], ['169.254.169.254']);
    const fetch = client({ resolve: dns }).fetch;
    const response = await fetch({ method: 'GET', url: `http://rebind.test:${server.port}/` });
    expect(new TextDecoder().decode(response.body)).toBe('public');
    expect(dns.calls).toEqual(['rebind.test']);
    expect(server.requests[0]?.headers.host).toBe(`rebind.test:${server.port}`);
    // A new connection (another origin) looks the name up again, and this time refuses it.
    const other = await serve((_req, res) => res.end('never'));
    const error = await failure(fetch({ method: 'GET', url: `http://rebind.test:${other.port}/` }));
    expect(error.code).toBe('SY_OUTBOUND_BLOCKED');
    expect(error.message).toContain('169.254.169.254 is link-local');
    expect(other.connections()).toBe(0);
  });

  it('opens a host name on the allow-list whatever it resolves to', async () => {
    const server = await serve((_req, res) => res.end('vault'));
    const dns = scriptedDns(['127.0.0.1']);
    const response = await client({ allow: ['vault.internal'], resolve: dns }).fetch({
      method: 'GET',
      url: `http://vault.internal:${server.port}/`,
    });
    expect(response.status).toBe(200);
  });

  it('aborts with the caller signal, rejecting with its reason', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const pending = client().fetch({ method: 'GET', url: server.url }, controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled by test')), 50);
    await expect(pending).rejects.toThrow('cancelled by test');
  });
});

describe('redirects', () => {
  it('follows a redirect on the same origin, keeping Authorization', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/start') res.writeHead(301, { location: '/final' }).end();
      else res.end('done');
    });
    const response = await client().fetch({
      method: 'GET',
      url: `${server.url}/start`,
      headers: { authorization: 'Bearer t0k' },
    });
    expect(response).toMatchObject({ status: 200, url: `${server.url}/final`, redirects: 1 });
    expect(server.requests[1]?.headers.authorization).toBe('Bearer t0k');
  });

  it('refuses a redirect to a blocked address; the target never hears of it', async () => {
    const target = await serve((_req, res) => res.end('internal'), '127.0.0.2');
    const targets = [
      `${target.url}/`,
      `http://[::1]:${target.port}/`,
      'http://169.254.169.254/latest/meta-data',
    ];
    const server = await serve((req, res) => {
      res.writeHead(302, { location: targets[Number(req.url?.slice(1))] }).end();
    });
    const fetch = client().fetch;
    for (const [i] of targets.entries()) {
      const error = await failure(fetch({ method: 'GET', url: `${server.url}/${i}` }));
      expect(error.code).toBe('SY_OUTBOUND_BLOCKED');
      expect(error.message).toMatch(/redirected to a refused URL/);
    }
    expect(target.connections()).toBe(0);
  });

  it('refuses a redirect to another scheme', async () => {
    const server = await serve((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
    const error = await failure(client().fetch({ method: 'GET', url: server.url }));
    expect(error.code).toBe('SY_OUTBOUND_URL_INVALID');
  });

  it('drops Authorization, Cookie and custom headers when the origin changes', async () => {
    const other = await serve((_req, res) => res.end('other'));
    const server = await serve((_req, res) =>
      res.writeHead(307, { location: `http://partner.test:${other.port}/landing` }).end(),
    );
    const response = await client({ resolve: scriptedDns(['127.0.0.1']) }).fetch({
      method: 'PUT',
      url: server.url,
      headers: {
        Authorization: 'Bearer t0k',
        Cookie: 'sid=1',
        'X-Api-Key': 'k3y',
        Accept: 'text/plain',
        'Content-Type': 'text/plain',
      },
      body: 'payload',
    });
    expect(response.url).toBe(`http://partner.test:${other.port}/landing`);
    const seen = other.requests[0];
    expect(seen).toMatchObject({ method: 'PUT', body: 'payload' });
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers['x-api-key']).toBeUndefined();
    expect(seen?.headers.accept).toBe('text/plain');
  });

  it('turns a POST into a GET without body on 303 and 302, and keeps it on 307', async () => {
    const server = await serve((req, res) => {
      const status = Number(req.url?.slice(1));
      if (status) res.writeHead(status, { location: '/landed' }).end();
      else res.end();
    });
    const fetch = client().fetch;
    for (const [status, method, body] of [
      [303, 'GET', ''],
      [302, 'GET', ''],
      [307, 'POST', '{"a":1}'],
      [308, 'POST', '{"a":1}'],
    ] as const) {
      server.requests.length = 0;
      await fetch({
        method: 'POST',
        url: `${server.url}/${status}`,
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      });
      expect(server.requests[1]).toMatchObject({ method, body, url: '/landed' });
      expect(server.requests[1]?.headers['content-type']).toBe(
        method === 'GET' ? undefined : 'application/json',
      );
    }
  });

  it('stops after too many redirects', async () => {
    const server = await serve((req, res) => res.writeHead(302, { location: `${req.url}x` }).end());
    const error = await failure(client().fetch({ method: 'GET', url: `${server.url}/`, maxRedirects: 2 }));
    expect(error.code).toBe('SY_OUTBOUND_REDIRECTS');
    expect(server.requests).toHaveLength(3);
  });

  it('hands back the redirect itself when asked not to follow', async () => {
    const server = await serve((_req, res) => res.writeHead(302, { location: 'http://10.0.0.1/' }).end());
    const response = await client().fetch({ method: 'GET', url: server.url, followRedirects: false });
    expect(response).toMatchObject({ status: 302, redirects: 0 });
    expect(response.headers.location).toBe('http://10.0.0.1/');
  });
});

describe('limits and failures', () => {
  it('times out the whole request', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    const error = await failure(client().fetch({ method: 'GET', url: server.url, timeoutMs: 150 }));
    expect(error.code).toBe('SY_OUTBOUND_TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('aborts a body that streams past the size cap', async () => {
    let sent = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const server = await serve((_req, res) => {
      res.on('close', () => {
        closed = true;
      });
      const pump = () => {
        while (!closed && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const error = await failure(
      client().fetch({ method: 'GET', url: server.url, maxResponseBytes: 200_000 }),
    );
    expect(error.code).toBe('SY_OUTBOUND_TOO_LARGE');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a body whose Content-Length is over the cap without reading it', async () => {
    const server = await serve((_req, res) =>
      res.writeHead(200, { 'content-length': '5000' }).end('y'.repeat(5000)),
    );
    const error = await failure(client({ maxResponseBytes: 1000 }).fetch({ method: 'GET', url: server.url }));
    expect(error.code).toBe('SY_OUTBOUND_TOO_LARGE');
    expect(error.message).toContain('5000 bytes');
  });

  it('reports a refused connection as a retryable failure', async () => {
    const server = await serve(() => undefined);
    await servers.pop()?.();
    const error = await failure(client().fetch({ method: 'GET', url: server.url }));
    expect(error).toMatchObject({ code: 'SY_OUTBOUND_FAILED', retryable: true });
  });

  it('reports a name that does not resolve as a DNS error', async () => {
    const resolve: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    const error = await failure(client({ resolve }).fetch({ method: 'GET', url: 'http://nowhere.test/' }));
    expect(error).toMatchObject({ code: 'SY_OUTBOUND_DNS', retryable: true });
  });
});

describe('one client per allow-list', () => {
  it('shares a client between equal allow-lists', async () => {
    const pool = createOutboundClients();
    expect(pool.forAllowList(['10.0.0.0/8', 'a.example'])).toBe(
      pool.forAllowList(['a.example.', '10.0.0.0/8']),
    );
    expect(pool.forAllowList(['a.example'])).not.toBe(pool.forAllowList([]));
    await pool.close();
  });

  it('reads SWITCHYARD_OUTBOUND_ALLOW and names a bad entry', () => {
    expect(outboundAllowFromEnv({ SWITCHYARD_OUTBOUND_ALLOW: ' 10.0.0.0/8, *.corp.example ,,' })).toEqual([
      '10.0.0.0/8',
      '*.corp.example',
    ]);
    expect(outboundAllowFromEnv({})).toEqual([]);
    expect(() => outboundAllowFromEnv({ SWITCHYARD_OUTBOUND_ALLOW: '10.0.0.0/8,10.0.0.0/99' })).toThrow(
      expect.objectContaining({
        code: 'SY_CONFIG_INVALID',
        message: expect.stringMatching(/^SWITCHYARD_OUTBOUND_ALLOW: "10\.0\.0\.0\/99"/),
      }),
    );
  });
});
