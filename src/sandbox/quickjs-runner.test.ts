import { describe, expect, it } from 'vitest';
import type { RunJob } from './protocol.ts';
import { createQuickJsRunner } from './quickjs-runner.ts';
import { defaultCodeLimits } from './types.ts';

const hooks = { log: () => {}, stopRequested: () => false };
const job = (source: string, limits: Partial<RunJob['limits']> = {}): RunJob => ({
  source,
  inputJson: '2',
  globalsJson: '{}',
  limits: { ...defaultCodeLimits, ...limits },
});

describe('createQuickJsRunner', () => {
  it('runs on this thread too, one fresh runtime per job', async () => {
    const runner = await createQuickJsRunner();
    expect(await runner.run(job('globalThis.x = input; return x'), hooks)).toEqual({ ok: true, json: '2' });
    expect(await runner.run(job('return typeof x'), hooks)).toEqual({ ok: true, json: '"undefined"' });
  });

  it('replaces its WebAssembly module after a failure in the host, and keeps working', async () => {
    const runner = await createQuickJsRunner();
    // Unclamped, a 4 MiB QuickJS stack outgrows this thread's native stack: a RangeError in the host.
    const outcome = await runner.run(
      job('const f = () => f() + 1; return f()', { maxStackBytes: 4 * 1024 * 1024 }),
      hooks,
    );
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'stack' } });
    expect(runner.modulesDiscarded).toBe(1);
    expect(await runner.run(job('return input + 1'), hooks)).toEqual({ ok: true, json: '3' });
  });

  it('fails a run that finished past its deadline inside a builtin that never polls the interrupt handler', async () => {
    const runner = await createQuickJsRunner();
    // Few enough instructions that QuickJS never polls: only the final deadline check can see the overrun.
    const sortMillion = 'const a = new Array(1e6).fill(7); a.sort(); return a.length';
    expect(
      await runner.run(job(sortMillion, { timeoutMs: 20, memoryBytes: 256 * 1024 * 1024 }), hooks),
    ).toMatchObject({
      ok: false,
      failure: { kind: 'timeout' },
    });
  });

  it('stops when the host asks, through the interrupt handler', async () => {
    const runner = await createQuickJsRunner();
    let polls = 0;
    const stopping = { log: () => {}, stopRequested: () => ++polls > 3 };
    expect(await runner.run(job('while (true) {}', { timeoutMs: 10_000 }), stopping)).toMatchObject({
      ok: false,
      failure: { kind: 'aborted' },
    });
  });
});
