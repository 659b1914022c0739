import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { maxLogMessageChars, maxLogMessages } from './console-forwarder.ts';
import { createQuickJsSandbox } from './quickjs-sandbox.ts';
import type { CodeLogLevel, CodeRunRequest, CodeSandbox } from './types.ts';

let sandbox: CodeSandbox;
beforeAll(async () => {
  sandbox = await createQuickJsSandbox();
});
afterAll(() => sandbox.dispose());

const run = (source: string, request: Partial<CodeRunRequest> = {}): Promise<unknown> =>
  sandbox.run({ source, input: null, ...request });

/** The SwitchyardError a run rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<SwitchyardError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(SwitchyardError);
  return outcome.error as SwitchyardError;
}

describe('results', () => {
  it('returns what the code returns, computed from its input', async () => {
    expect(await run('return input.items.length * 2', { input: { items: [1, 2, 3] } })).toBe(6);
  });

  it.each([
    ['a number', 'return 1.5', 1.5],
    [
      'an object',
      'return { a: 1, b: [true, null], c: { d: "e" } }',
      { a: 1, b: [true, null], c: { d: 'e' } },
    ],
    ['an array', 'return [1, "two", [3]]', [1, 'two', [3]]],
    ['a unicode string', 'return "héllo 😀 " + input', 'héllo 😀 日本'],
    ['null', 'return null', null],
    ['false', 'return false', false],
    ['undefined, as null', 'return undefined', null],
    ['nothing, as null', 'const x = 1', null],
    ['a date, as JSON does', 'return new Date(0)', '1970-01-01T00:00:00.000Z'],
    ['non-finite numbers, as JSON does', 'return [NaN, Infinity]', [null, null]],
  ])('returns %s', async (_name, source, expected) => {
    expect(await run(source, { input: '日本' })).toEqual(expected);
  });

  it('gets a copy of the input: changing it inside leaves the host value alone', async () => {
    const input = { items: [1, 2] };
    expect(await run('input.items.push(3); return input.items.length', { input })).toBe(3);
    expect(input.items).toEqual([1, 2]);
  });

  it('lets the code await, including its own async functions', async () => {
    const source = `
      const double = async (n) => (await Promise.resolve(n)) * 2;
      const all = await Promise.all(input.map(double));
      return all.reduce((a, b) => a + b, 0);`;
    expect(await run(source, { input: [1, 2, 3] })).toBe(12);
  });

  it('binds globals read-only beside input', async () => {
    const globals = { nodes: { fetch: { total: 40 } }, trigger: { extra: 2 } };
    expect(await run('return nodes.fetch.total + trigger.extra', { globals })).toBe(42);
    const error = await failure(run('nodes = 1; return nodes', { globals }));
    expect(error.code).toBe('SY_CODE_ERROR');
    expect(error.message).toMatch(/read-only/);
  });

  it.each([['not-an-identifier'], ['input'], ['JSON'], ['console']])(
    'refuses %s as a global name',
    async (name) => {
      const error = await failure(run('return 1', { globals: { [name]: 1 } }));
      expect(error.code).toBe('SY_INTERNAL');
    },
  );

  it('refuses input that is not JSON before running anything', async () => {
    const error = await failure(run('return 1', { input: { n: 1n } }));
    expect(error.code).toBe('SY_INTERNAL');
  });
});

describe('console', () => {
  it('forwards each level in order, objects as JSON', async () => {
    const logs: [CodeLogLevel, string][] = [];
    const onLog = (level: CodeLogLevel, message: string): void => void logs.push([level, message]);
    const source = `
      console.log('hello', 42, { a: [1] });
      console.info('info'); console.warn('warn'); console.error(new TypeError('bad')); console.debug('debug');
      return 1`;
    await run(source, { onLog });
    expect(logs).toEqual([
      ['log', 'hello 42 {"a":[1]}'],
      ['info', 'info'],
      ['warn', 'warn'],
      ['error', 'TypeError: bad'],
      ['log', 'debug'],
    ]);
  });

  it('truncates long messages and stops a flood with one notice', async () => {
    const logs: string[] = [];
    const onLog = (_level: CodeLogLevel, message: string): void => void logs.push(message);
    await run(`console.log('x'.repeat(1e6)); for (let i = 0; i < 5000; i++) console.log(i);`, { onLog });
    expect(logs[0]?.length).toBeLessThan(maxLogMessageChars + 20);
    expect(logs[0]).toMatch(/truncated/);
    expect(logs).toHaveLength(maxLogMessages + 1);
    expect(logs.at(-1)).toMatch(/console output stopped/);
  });

  it('survives a log sink that throws', async () => {
    const onLog = (): void => {
      throw new Error('sink broke');
    };
    expect(await run('console.log(1); return 2', { onLog })).toBe(2);
  });
});

describe('errors', () => {
  it('reports a syntax error at the line and column of the user source', async () => {
    const error = await failure(run('const a = 1;\nlet x = ;\nreturn a'));
    expect(error.code).toBe('SY_CODE_SYNTAX');
    expect(error.details).toMatchObject({ line: 2, column: 9 });
    expect(error.message).toMatch(/line 2, column 9/);
  });

  it('says the code ends too early instead of naming a token of the wrapper', async () => {
    const error = await failure(run('if (input) {\n  return 1'));
    expect(error.code).toBe('SY_CODE_SYNTAX');
    expect(error.message).toMatch(/ends too early/);
    expect(error.details).toMatchObject({ line: 2 });
  });

  it('reports a thrown error with its name, message and a stack of user frames only', async () => {
    const source =
      'function inner() {\n  throw new RangeError("too far");\n}\nreturn [1].map(() => inner());';
    const error = await failure(run(source));
    expect(error.code).toBe('SY_CODE_ERROR');
    // QuickJS places the column at the call's opening parenthesis.
    expect(error.message).toBe('RangeError: too far (line 2, column 23)');
    expect(error.details).toMatchObject({ name: 'RangeError', message: 'too far', line: 2, column: 23 });
    const stack = String(error.details?.stack);
    expect(stack.split('\n')).toEqual([
      '    at inner (code.js:2:23)',
      '    at <anonymous> (code.js:4:27)',
      '    at map (native)',
      '    at <anonymous> (code.js:4:15)',
    ]);
  });

  it('reports a thrown non-error value by its contents', async () => {
    expect((await failure(run('throw "boom"'))).message).toBe('boom');
    expect((await failure(run('throw { code: 42 }'))).message).toBe('{"code":42}');
  });

  it('reports a rejected await like a throw', async () => {
    const error = await failure(run('await Promise.reject(new Error("nope"))'));
    expect(error.code).toBe('SY_CODE_ERROR');
    expect(error.message).toMatch(/^Error: nope/);
  });

  it('survives a thrown value whose properties never stop running', async () => {
    const error = await failure(run('throw new Proxy({}, { get() { for (;;) {} } })'));
    expect(error.code).toBe('SY_CODE_ERROR');
    expect(error.message).toMatch(/could not be read/);
  });
});

describe('output', () => {
  it.each([
    ['a function', 'return () => 1', /it is a function/],
    ['a nested function', 'return { f() {} }', /key "f" holds a function/],
    ['a cyclic object', 'const a = {}; a.self = a; return a', /circular/],
    ['a Map, which JSON would silently empty', 'return { m: new Map([[1, 2]]) }', /key "m" holds a Map/],
    ['a BigInt', 'return 1n', /bigint/],
    ['a symbol', 'return Symbol("s")', /symbol/],
  ])('refuses %s', async (_name, source, message) => {
    const error = await failure(run(source));
    expect(error.code).toBe('SY_CODE_OUTPUT');
    expect(error.message).toMatch(message);
  });

  it('refuses a result over maxOutputBytes, counted as UTF-8', async () => {
    const limits = { maxOutputBytes: 1000 };
    expect(await run('return "é".repeat(400)', { limits })).toHaveLength(400);
    const error = await failure(run('return "é".repeat(600)', { limits }));
    expect(error.code).toBe('SY_CODE_OUTPUT');
    expect(error.details).toEqual({ maxOutputBytes: 1000 });
    expect((await failure(run('return "x".repeat(5e6)'))).code).toBe('SY_CODE_OUTPUT');
  });
});

describe('isolation between runs', () => {
  it('starts every run from pristine globals and prototypes', async () => {
    await run(
      'globalThis.x = 1; Array.prototype.evil = 2; Object.prototype.bad = 3; JSON.stringify = () => "[]"; console.log = null',
    );
    const logs: string[] = [];
    const seen = await run(
      'console.log("still here"); return [typeof x, [].evil, ({}).bad, JSON.stringify({ a: 1 })]',
      {
        onLog: (_level, message) => void logs.push(message),
      },
    );
    expect(seen).toEqual(['undefined', null, null, '{"a":1}']);
    expect(logs).toEqual(['still here']);
  });

  it('keeps concurrent runs apart and gives each its own result', async () => {
    const runs = Array.from({ length: 20 }, (_, i) =>
      run(
        'const before = globalThis.mine; globalThis.mine = input; await null; return [before ?? null, input * 2]',
        {
          input: i,
        },
      ),
    );
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 20 }, (_, i) => [null, i * 2]));
  });

  it('cannot spoil its own result by replacing JSON or Array helpers', async () => {
    const source =
      'JSON.stringify = () => "1e9"; Array.prototype[Symbol.iterator] = null; return { ok: [1, 2] }';
    expect(await run(source)).toEqual({ ok: [1, 2] });
  });
});

describe('the host', () => {
  it('keeps its event loop turning while code spins', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await failure(run('while (true) {}', { limits: { timeoutMs: 300 } }));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(10);
  });
});

describe('dispose', () => {
  it('rejects the run in flight and every later one', async () => {
    const own = await createQuickJsSandbox();
    const pending = own.run({ source: 'while (true) {}', input: null, limits: { timeoutMs: 10_000 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    own.dispose();
    const error = await failure(pending);
    expect(error.code).toBe('SY_CODE_TIMEOUT');
    expect(error.details).toMatchObject({ reason: 'disposed' });
    expect(error.retryable).toBe(true);
    expect((await failure(own.run({ source: 'return 1', input: null }))).code).toBe('SY_INTERNAL');
  });
});
