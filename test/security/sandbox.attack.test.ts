/**
 * Escapes over real HTTP: code nodes reaching for the host (require, process, Function, import,
 * constructor chains), runaway loops and memory, JSONata expressions reaching for the host, webhook
 * data that looks like an expression, and a sub-workflow reference reaching for the server's files.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  failureCode,
  linear,
  published,
  runToEnd,
  startServer,
  type TestServer,
  until,
} from './attack-support.ts';

let server: TestServer;
const MARKER = `SANDBOX_CANARY_${Date.now()}`;
const ESCAPE_FILE = join(tmpdir(), `switchyard-escape-${Date.now()}`);

beforeAll(async () => {
  process.env.SWITCHYARD_ATTACK_ENV = MARKER;
  server = await startServer();
});
afterAll(async () => {
  delete process.env.SWITCHYARD_ATTACK_ENV;
  await server?.close();
});

const code = (source: string, extra: Record<string, unknown> = {}) =>
  linear('escape', [{ id: 'code', type: 'code', params: { source, timeoutMs: 1000, ...extra } }]);

describe('code node escapes', () => {
  const escapes: [string, string][] = [
    [
      'require fs',
      `const fs = require('fs'); fs.writeFileSync(${JSON.stringify(ESCAPE_FILE)}, 'x'); return fs.readFileSync('/etc/passwd', 'utf8');`,
    ],
    ['process.env', 'return process.env;'],
    ['globalThis.process', 'return globalThis.process.env;'],
    ['constructor.constructor', "return globalThis.constructor.constructor('return process')().env;"],
    [
      'this.constructor.constructor',
      "return (function () { return this.constructor.constructor('return process')(); })().env;",
    ],
    [
      'Function("return this")',
      "const g = Function('return this')(); return [typeof g.process, typeof g.require, g.process && g.process.env];",
    ],
    [
      'async Function constructor',
      "const AF = (async () => {}).constructor; return await AF('return process.env')();",
    ],
    [
      'dynamic import',
      "const fs = await import('fs'); fs.writeFileSync(" +
        JSON.stringify(ESCAPE_FILE) +
        ", 'x'); return 'wrote';",
    ],
    [
      'import node:child_process',
      "const cp = await import('node:child_process'); return cp.execSync('id').toString();",
    ],
    [
      'error stack prototype walk',
      "try { null.f(); } catch (e) { return e.constructor.constructor('return process')().env; }",
    ],
    [
      'Symbol.unscopables / with',
      "with (globalThis) { return typeof process === 'undefined' ? 'no process' : process.env; }",
    ],
    [
      'eval host lookups',
      "return eval('typeof process + typeof require + typeof module + typeof Buffer + typeof fetch');",
    ],
  ];

  it.each(escapes)('%s finds no host', async (_label, source) => {
    const execution = await runToEnd(server, code(source));
    const text = JSON.stringify(execution);
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain('root:x:0:0');
    expect(text).not.toMatch(/uid=\d+/);
    expect(text).not.toContain(process.cwd());
    expect(existsSync(ESCAPE_FILE)).toBe(false);
    if (execution.status === 'succeeded') {
      // Whatever it returned, it is not the host's: at most "undefined" types and no process.
      expect(text).not.toContain('"function"');
    }
  });

  it('an endless loop is stopped by the time limit; a memory bomb by the memory limit; the server stays well', async () => {
    const started = Date.now();
    const [loop, memory] = await Promise.all([
      runToEnd(server, code('for (;;) {}', { timeoutMs: 300 })),
      runToEnd(
        server,
        code("const a = []; for (let i = 0; ; i++) a.push({ i, s: 'y' + i });", {
          memoryMb: 8,
          timeoutMs: 5000,
        }),
      ),
    ]);
    expect(loop.status).toBe('failed');
    expect(memory.status).toBe('failed');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(JSON.stringify(loop.error ?? failureCode(loop))).toMatch(/TIMEOUT|time/i);
    expect(JSON.stringify(memory.error ?? failureCode(memory))).toMatch(/MEMORY|memory/i);
    const health = await call(server, 'GET', '/healthz', undefined, { token: null });
    expect(health.status).toBe(200);
    const after = await runToEnd(server, code('return 6 * 7;'));
    expect(after.status).toBe('succeeded');
  });
});

describe('expression escapes', () => {
  it.each([
    ['$eval of host code', '{{ $eval("$$.constructor.constructor(\'return process\')()") }}'],
    ['constructor path', '{{ constructor }}'],
    ['constructor.constructor call', '{{ $.constructor.constructor("return process.env")() }}'],
    ['__proto__ path', '{{ __proto__ }}'],
    ['$string of everything', '{{ $string($) }}'],
    ['$keys of the environment', '{{ $keys($$) }}'],
    ['$lookup of process', '{{ $lookup($$, "process") }}'],
    ['a function definition that walks the prototype', '{{ (function($x){ $x.constructor })($) }}'],
  ])('%s reaches no host object', async (_label, expression) => {
    const execution = await runToEnd(
      server,
      linear('expr', [{ id: 'set', type: 'set', params: { fields: { out: expression } } }]),
      { name: 'x' },
    );
    const text = JSON.stringify(execution);
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain('[native code]');
    expect(text).not.toContain(process.cwd());
  });

  it('a webhook body holding {{ … }} stays data, never evaluated', async () => {
    const id = await published(server, {
      format: 'switchyard/v1',
      name: 'hook-literal',
      nodes: [
        { id: 'hook', type: 'webhook', params: { path: 'in' } },
        { id: 'done', type: 'end' },
      ],
      edges: [{ from: 'hook', to: 'done' }],
    });
    const payload = { note: '{{ $eval("1+1") }}', env: '{{ $$.process.env }}' };
    const sent = await call(server, 'POST', `/hooks/${id}/in`, payload, { token: null });
    expect(sent.status).toBe(202);
    const execution = await until(async () => {
      const got = await call(server, 'GET', `/api/v1/executions/${sent.body.executionId}`);
      return got.body.status === 'succeeded' || got.body.status === 'failed' ? got.body : undefined;
    });
    expect(execution.status).toBe('succeeded');
    expect(execution.output.body).toEqual(payload);
  });
});

describe('sub-workflow references', () => {
  it.each([['/etc/passwd'], ['/proc/self/environ'], ['../../../../../../etc/hostname'], ['package.json']])(
    "%s does not read the server's files",
    async (reference) => {
      const execution = await runToEnd(
        server,
        linear('sub', [{ id: 'child', type: 'subworkflow', params: { workflow: reference } }]),
      );
      expect(execution.status).toBe('failed');
      const text = JSON.stringify(execution);
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain('root:x:0:0');
      expect(text).not.toContain('"devDependencies"');
      // Not even the server's file layout: a reference must not be resolved against its disk.
      expect(text, text.slice(0, 600)).not.toContain(process.cwd());
      expect(failureCode(execution)).toBe('SY_SUBWORKFLOW_NOT_FOUND');
    },
  );
});
