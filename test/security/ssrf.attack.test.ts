/**
 * SSRF over real HTTP: a workflow's http node aimed at a local canary server in every spelling of a
 * loopback or internal address, at cloud metadata, at other schemes, through a DNS name that
 * resolves inward, and through a redirect from an allowed host. Every execution fails with
 * SY_OUTBOUND_BLOCKED (or SY_OUTBOUND_URL_INVALID for other schemes) and the canary hears nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundClients } from '../../src/net/outbound-clients.ts';
import {
  type Canary,
  call,
  canary,
  expectRefused,
  failureCode,
  linear,
  memberToken,
  runToEnd,
  startServer,
  type TestServer,
} from './attack-support.ts';

let server: TestServer;
let target: Canary;
let redirector: Canary;
let redirectTo = '';

/** Names that resolve to the canary (a rebinding DNS server, played by the resolver). */
const INWARD_NAMES: Record<string, string> = {
  'metadata.attacker.example': '169.254.169.254',
  'loop.attacker.example': '127.0.0.1',
  'mixed.attacker.example': '93.184.216.34,127.0.0.1',
  'v6.attacker.example': '::1',
};

beforeAll(async () => {
  target = await canary('127.0.0.1');
  redirector = await canary('127.0.0.2', () => ({ status: 302, headers: { location: redirectTo } }));
  const outbound = createOutboundClients({
    resolve: async (host) => {
      const inward = INWARD_NAMES[host];
      if (inward)
        return inward.split(',').map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
      throw new Error(`no DNS in tests (${host})`);
    },
  });
  server = await startServer({}, { outbound });
  const opened = await call(server, 'PATCH', '/api/v1/workspace', { outboundAllow: ['127.0.0.2'] });
  expect(opened.status).toBe(200);
});
afterAll(async () => {
  await server?.close();
  await target?.close();
  await redirector?.close();
});

const probe = (url: string) =>
  linear('ssrf', [{ id: 'fetch', type: 'http', params: { url, timeoutMs: 3000 } }]);

describe('the http node refuses internal targets', () => {
  const forms = (port: number) => [
    `http://127.0.0.1:${port}/`,
    `http://localhost:${port}/`,
    `http://LOCALHOST.:${port}/`,
    `http://api.localhost:${port}/`,
    `http://[::1]:${port}/`,
    `http://2130706433:${port}/`,
    `http://0x7f.1:${port}/`,
    `http://0x7f000001:${port}/`,
    `http://0177.0.0.1:${port}/`,
    `http://127.1:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://[::ffff:7f00:1]:${port}/`,
    `http://[0:0:0:0:0:ffff:127.0.0.1]:${port}/`,
    `http://[::127.0.0.1]:${port}/`,
    `http://[64:ff9b::127.0.0.1]:${port}/`,
    `http://[2002:7f00:1::]:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://0:${port}/`,
    `http://127.0.0.1%2e:${port}/`,
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://100.64.0.1/',
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    `http://loop.attacker.example:${port}/`,
    'http://metadata.attacker.example/',
    `http://mixed.attacker.example:${port}/`,
    `http://v6.attacker.example:${port}/`,
  ];

  it('every spelling of loopback, private, link-local, CGNAT and unspecified → SY_OUTBOUND_BLOCKED, canary silent', async () => {
    const urls = forms(target.port);
    const results = await Promise.all(
      urls.map(async (url) => [url, await runToEnd(server, probe(url))] as const),
    );
    for (const [url, execution] of results) {
      expect(execution.status, url).toBe('failed');
      expect(failureCode(execution), `${url}: ${JSON.stringify(execution.error)}`).toBe(
        'SY_OUTBOUND_BLOCKED',
      );
      expect(JSON.stringify(execution), url).not.toContain('canary');
    }
    expect(target.hits).toEqual([]);
  });

  it.each([
    'file:///etc/passwd',
    'ftp://127.0.0.1/',
    'gopher://127.0.0.1:6379/_INFO',
    'data:text/plain,hello',
    'javascript:alert(1)',
  ])('%s → SY_OUTBOUND_URL_INVALID, nothing read', async (url) => {
    const execution = await runToEnd(server, probe(url));
    expect(execution.status).toBe('failed');
    expect(failureCode(execution)).toBe('SY_OUTBOUND_URL_INVALID');
    expect(JSON.stringify(execution)).not.toContain('root:');
    expect(target.hits).toEqual([]);
  });

  it('credentials in the URL are refused', async () => {
    const execution = await runToEnd(server, probe(`http://user:pass@127.0.0.2:${redirector.port}/`));
    expect(failureCode(execution)).toBe('SY_OUTBOUND_URL_INVALID');
    expect(redirector.hits).toEqual([]);
  });

  it('an expression cannot build its way around the guard', async () => {
    const execution = await runToEnd(
      server,
      linear('ssrf-expr', [
        {
          id: 'fetch',
          type: 'http',
          params: { url: `{{ "http://127." & "0.0.1:" & $string(port) & "/" }}`, timeoutMs: 3000 },
        },
      ]),
      { port: target.port },
    );
    expect(failureCode(execution)).toBe('SY_OUTBOUND_BLOCKED');
    expect(target.hits).toEqual([]);
  });

  it('a redirect from an allowed host to each internal form is refused at the hop; the canary hears nothing', async () => {
    for (const location of [
      `http://127.0.0.1:${target.port}/`,
      `http://localhost:${target.port}/`,
      `http://[::ffff:127.0.0.1]:${target.port}/`,
      `http://2130706433:${target.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      `http://loop.attacker.example:${target.port}/`,
      'file:///etc/passwd',
    ]) {
      redirectTo = location;
      const before = redirector.hits.length;
      const execution = await runToEnd(server, probe(`http://127.0.0.2:${redirector.port}/start`));
      expect(redirector.hits.length, location).toBe(before + 1);
      expect(execution.status, location).toBe('failed');
      expect(
        ['SY_OUTBOUND_BLOCKED', 'SY_OUTBOUND_URL_INVALID'],
        `${location}: ${JSON.stringify(execution.error)}`,
      ).toContain(failureCode(execution));
    }
    expect(target.hits).toEqual([]);
  });

  it("the control: the allowed host is reached, so the refusals above are the guard's", async () => {
    redirectTo = '/final';
    const execution = await runToEnd(server, probe(`http://127.0.0.2:${redirector.port}/start`));
    // The redirector answers /final with another redirect to itself: enough hops prove it was reached.
    expect(['SY_OUTBOUND_REDIRECTS', undefined]).toContain(failureCode(execution));
    expect(redirector.hits.length).toBeGreaterThan(0);
    expect(target.hits).toEqual([]);
  });

  it("an editor cannot open the allow-list, and one workspace's allow-list does not open another's", async () => {
    const editor = await memberToken(server, 'ed@example.com', 'editor');
    expectRefused(
      await call(
        server,
        'PATCH',
        '/api/v1/workspace',
        { outboundAllow: ['127.0.0.0/8'] },
        { token: editor.token },
      ),
      403,
      ['SY_AUTH_FORBIDDEN'],
    );
    const workspace = await call(server, 'GET', '/api/v1/workspace');
    expect(workspace.body.outboundAllow).toEqual(['127.0.0.2']);
    const other = await startServer({}, { settings: { signup: 'open' } });
    try {
      expectRefused(
        await call(other, 'PATCH', '/api/v1/workspace', { outboundAllow: ['0x7f.1', 'not a host!'] }),
        400,
        ['SY_CONFIG_INVALID', 'SY_HTTP_VALIDATION'],
      );
    } finally {
      await other.close();
    }
    const execution = await runToEnd(server, probe(`http://127.0.0.1:${target.port}/`), {}, editor.token);
    expect(failureCode(execution)).toBe('SY_OUTBOUND_BLOCKED');
    expect(target.hits).toEqual([]);
  });
});
