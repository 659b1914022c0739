/**
 * Hostile and runaway code: every attempt must end in a clear SwitchyardError, leave the host
 * untouched, and leave the sandbox able to run the next snippet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { createQuickJsSandbox } from './quickjs-sandbox.ts';
import type { CodeRunRequest, CodeSandbox } from './types.ts';

let sandbox: CodeSandbox;
beforeAll(async () => {
  sandbox = await createQuickJsSandbox({ killGraceMs: 300 });
});
afterAll(() => sandbox.dispose());

const run = (source: string, request: Partial<CodeRunRequest> = {}): Promise<unknown> =>
  sandbox.run({ source, input: null, ...request });

async function failure(promise: Promise<unknown>): Promise<SwitchyardError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(SwitchyardError);
  return outcome.error as SwitchyardError;
}

async function timed<T>(promise: Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await promise;
  return { result, ms: performance.now() - start };
}

/** Names a sandbox global must never have: each would be a way out to the host. */
const hostNames = [
  'process',
  'require',
  'module',
  'fetch',
  'setTimeout',
  'setInterval',
  'Buffer',
  'WebAssembly',
  'Atomics',
];

describe('escape attempts', () => {
  it('this.constructor.constructor: `this` is undefined in the strict-mode body', async () => {
    const error = await failure(run("return this.constructor.constructor('return process')()"));
    expect(error.code).toBe('SY_CODE_ERROR');
    expect(error.message).toMatch(/TypeError/);
  });

  it('a constructor chain from any object reaches only the sandbox Function', async () => {
    const error = await failure(run("return ({}).constructor.constructor('return process')()"));
    expect(error.code).toBe('SY_CODE_ERROR');
    expect(error.message).toMatch(/ReferenceError: 'process' is not defined/);
    const fromConsole = "return console.log.constructor('return typeof process + typeof require')()";
    expect(await run(fromConsole)).toBe('undefinedundefined');
  });

  it('Function("return globalThis")() yields the sandbox global, which holds no host objects', async () => {
    const names = await run(
      'const g = Function("return globalThis")(); return [g === globalThis, Object.getOwnPropertyNames(g)]',
    );
    const [same, globals] = names as [boolean, string[]];
    expect(same).toBe(true);
    for (const name of hostNames) expect(globals).not.toContain(name);
    expect(await run(`return [${hostNames.map((name) => `typeof globalThis.${name}`).join(', ')}]`)).toEqual(
      hostNames.map(() => 'undefined'),
    );
  });

  it('eval evaluates inside the sandbox', async () => {
    expect(await run("return eval('typeof process') + ' ' + (0, eval)('typeof globalThis.require')")).toBe(
      'undefined undefined',
    );
  });

  it('globalThis.process is simply absent', async () => {
    expect(await run('return globalThis.process')).toBeNull();
  });

  it.each([
    ["import('fs')", "return await import('fs')", /could not load module 'fs'/],
    [
      "import('node:child_process')",
      "return (await import('node:child_process')).execSync('id')",
      /could not load module/,
    ],
    ["require('fs')", "return require('fs')", /'require' is not defined/],
  ])('%s fails as an ordinary error', async (_name, source, message) => {
    const error = await failure(run(source));
    expect(error.code).toBe('SY_CODE_ERROR');
    expect(error.message).toMatch(message);
  });

  it('a static import does not even parse in a function body', async () => {
    expect((await failure(run("import fs from 'fs'; return 1"))).code).toBe('SY_CODE_SYNTAX');
  });

  it('__proto__ in the input or result cannot pollute the host', async () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}, "items": []}') as unknown;
    const source = `
      input.__proto__.polluted = 'inside';
      Object.prototype.polluted = 'inside';
      Object.prototype.toString = () => 'hacked';
      return JSON.parse('{"__proto__": {"polluted": "result"}}');`;
    const result = (await run(source, { input })) as Record<string, unknown>;
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.toString.call([])).toBe('[object Array]');
  });
});

describe('time', () => {
  it('stops an infinite loop near its time limit', async () => {
    const { result: error, ms } = await timed(
      failure(run('while (true) {}', { limits: { timeoutMs: 300 } })),
    );
    expect(error.code).toBe('SY_CODE_TIMEOUT');
    expect(error.details).toMatchObject({ reason: 'timeout', timeoutMs: 300 });
    expect(ms).toBeGreaterThanOrEqual(295);
    expect(ms).toBeLessThan(800);
  });

  it('cannot catch its own interruption', async () => {
    const source = 'for (;;) { try { while (true) {} } catch { } finally { continue } }';
    const { result: error, ms } = await timed(failure(run(source, { limits: { timeoutMs: 200 } })));
    expect(error.code).toBe('SY_CODE_TIMEOUT');
    expect(ms).toBeLessThan(700);
  });

  it('stops an infinite async loop', async () => {
    const error = await failure(run('for (;;) await null', { limits: { timeoutMs: 200 } }));
    expect(error.details).toMatchObject({ reason: 'timeout' });
  });

  it('ends a promise that can never settle at once, without waiting for the limit', async () => {
    const { result: error, ms } = await timed(failure(run('await new Promise(() => {})')));
    expect(error.code).toBe('SY_CODE_TIMEOUT');
    expect(error.details).toMatchObject({ reason: 'never-settles' });
    expect(ms).toBeLessThan(500);
  });

  it('stops catastrophic regular-expression backtracking', async () => {
    const error = await failure(
      run('return /(a+)+$/.test("a".repeat(40) + "b")', { limits: { timeoutMs: 200 } }),
    );
    expect(error.details).toMatchObject({ reason: 'timeout' });
  });

  it('kills the worker when a builtin ignores the interrupt handler, then runs the next snippet', async () => {
    // Array.prototype.sort never polls the interrupt handler, and building the array natively runs
    // too few instructions for QuickJS to poll either: sorting 6e6 elements takes ~1.5 s here.
    const source = 'const a = new Array(6e6).fill(7); a.sort(); return a.length';
    const limits = { timeoutMs: 100, memoryBytes: 512 * 1024 * 1024 };
    const { result: error, ms } = await timed(failure(run(source, { limits })));
    expect(error.code).toBe('SY_CODE_TIMEOUT');
    expect(error.details).toMatchObject({ reason: 'timeout', terminated: true });
    expect(ms).toBeLessThan(1000);
    expect(await run('return 1')).toBe(1);
  });
});

describe('cancellation', () => {
  it('stops a running loop when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const request = { signal: controller.signal, limits: { timeoutMs: 10_000 } };
    const { result: error, ms } = await timed(failure(run('while (true) {}', request)));
    expect(error.code).toBe('SY_CODE_TIMEOUT');
    expect(error.details).toMatchObject({ reason: 'aborted' });
    expect(ms).toBeLessThan(600);
  });

  it('refuses a run whose signal has already aborted', async () => {
    const error = await failure(run('return 1', { signal: AbortSignal.abort() }));
    expect(error.details).toMatchObject({ reason: 'aborted' });
  });

  it('drops a queued run at once when its signal aborts', async () => {
    const busy = run('while (true) {}', { limits: { timeoutMs: 500 } });
    const controller = new AbortController();
    const queued = run('return 1', { signal: controller.signal });
    controller.abort();
    const { result: error, ms } = await timed(failure(queued));
    expect(error.details).toMatchObject({ reason: 'aborted' });
    expect(ms).toBeLessThan(100);
    await failure(busy);
  });
});

describe('memory', () => {
  it.each([
    ['a huge array', 'return new Array(1e9).fill(1)'],
    ['a string doubled until it breaks', 'let s = "x"; for (;;) s += s'],
    ['a string doubled and read', 'let s = "xy"; for (;;) { s = s + s; s.charCodeAt(s.length - 1) }'],
    ['objects piling up', 'const all = []; for (;;) all.push({ n: all.length })'],
  ])('stops %s with SY_CODE_MEMORY', async (_name, source) => {
    const error = await failure(run(source, { limits: { timeoutMs: 5000 } }));
    expect(error.code).toBe('SY_CODE_MEMORY');
    expect(error.details).toMatchObject({ memoryBytes: 32 * 1024 * 1024 });
  });

  it('refuses an input larger than the memory limit', async () => {
    const error = await failure(
      run('return input.length', {
        input: 'x'.repeat(2 * 1024 * 1024),
        limits: { memoryBytes: 1024 * 1024 },
      }),
    );
    expect(error.code).toBe('SY_CODE_MEMORY');
  });

  it('lets the code catch running out of memory itself', async () => {
    expect(await run('try { new Array(1e8).fill(1) } catch (e) { return e.message }')).toBe('out of memory');
  });
});

describe('stack', () => {
  it('stops deep recursion with SY_CODE_STACK and points at the recursing line', async () => {
    const error = await failure(run('const down = (n) =>\n  down(n + 1) + 1;\nreturn down(0)'));
    expect(error.code).toBe('SY_CODE_STACK');
    expect(error.details).toMatchObject({ maxStackBytes: 256 * 1024, line: 2 });
    expect(String(error.details?.stack).split('\n').length).toBeLessThanOrEqual(21);
  });

  it('caps a requested stack at what the worker thread can hold', async () => {
    const error = await failure(
      run('const f = () => f() + 1; return f()', { limits: { maxStackBytes: 64 * 1024 * 1024 } }),
    );
    expect(error.code).toBe('SY_CODE_STACK');
    expect(error.details).toMatchObject({ maxStackBytes: 1024 * 1024 });
  });

  it('stops deep async recursion too', async () => {
    expect((await failure(run('const f = async () => 1 + await f(); return await f()'))).code).toBe(
      'SY_CODE_STACK',
    );
  });
});

describe('recovery', () => {
  it.each([
    ['a timeout', 'while (true) {}'],
    ['running out of memory', 'return new Array(1e9).fill(1)'],
    ['a stack overflow', 'const f = () => f(); f()'],
    ['a never-settling promise', 'await new Promise(() => {})'],
    ['an oversized result', 'return "x".repeat(2e6)'],
  ])('runs the next snippet normally after %s', async (_name, source) => {
    await failure(run(source, { limits: { timeoutMs: 200 } }));
    expect(await run('return input * 2', { input: 21 })).toBe(42);
  });
});
