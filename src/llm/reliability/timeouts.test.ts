import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { withStreamTimeouts } from './timeouts.ts';

/** A source yielding `chunks`, each after its own delay; records whether it was closed early. */
function source(script: readonly (readonly [ms: number, chunk: string])[]) {
  const state = { closed: false, finished: false };
  async function* generate() {
    try {
      for (const [ms, chunk] of script) {
        await delay(ms);
        yield chunk;
      }
      state.finished = true;
    } finally {
      state.closed = true;
    }
  }
  return { iterable: generate(), state };
}

async function collect(iterable: AsyncIterable<string>): Promise<{ chunks: string[]; error?: unknown }> {
  const chunks: string[] = [];
  try {
    for await (const chunk of iterable) chunks.push(chunk);
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}

function options(
  overrides: Partial<{ firstChunkMs: number; idleMs: number; totalMs: number; signal: AbortSignal }> = {},
) {
  const aborts: SwitchyardError[] = [];
  return {
    aborts,
    options: {
      firstChunkMs: 200,
      idleMs: 200,
      totalMs: 2_000,
      signal: new AbortController().signal,
      onAbort: (reason: SwitchyardError) => aborts.push(reason),
      ...overrides,
    },
  };
}

describe('withStreamTimeouts', () => {
  it('passes a healthy stream through untouched', async () => {
    const s = source([
      [5, 'a'],
      [5, 'b'],
      [5, 'c'],
    ]);
    const o = options();
    expect(await collect(withStreamTimeouts(s.iterable, o.options))).toEqual({ chunks: ['a', 'b', 'c'] });
    expect(s.state.finished).toBe(true);
    expect(o.aborts).toEqual([]);
  });

  it('times out when no first chunk arrives in time', async () => {
    const s = source([[500, 'late']]);
    const o = options({ firstChunkMs: 40 });
    const started = performance.now();
    const { chunks, error } = await collect(withStreamTimeouts(s.iterable, o.options));
    expect(performance.now() - started).toBeLessThan(300);
    expect(chunks).toEqual([]);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({
      code: 'SY_LLM_TIMEOUT',
      retryable: true,
      details: { timeout: 'first-chunk' },
    });
    expect(o.aborts).toEqual([error]);
  });

  it('reports a stall mid-way as a broken stream, never as a finished answer', async () => {
    const s = source([
      [5, 'a'],
      [5, 'b'],
      [200, 'never'],
    ]);
    const o = options({ firstChunkMs: 100, idleMs: 40 });
    const { chunks, error } = await collect(withStreamTimeouts(s.iterable, o.options));
    expect(chunks).toEqual(['a', 'b']);
    expect(error).toMatchObject({
      code: 'SY_LLM_STREAM_BROKEN',
      retryable: true,
      details: { timeout: 'idle' },
    });
    expect(o.aborts).toHaveLength(1);
    await delay(250);
    expect(s.state.closed).toBe(true);
  });

  it('times out the whole stream even while chunks keep coming', async () => {
    const s = source(Array.from({ length: 50 }, (_, i) => [20, `c${i}`] as const));
    const o = options({ firstChunkMs: 100, idleMs: 100, totalMs: 80 });
    const { chunks, error } = await collect(withStreamTimeouts(s.iterable, o.options));
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.length).toBeLessThan(10);
    expect(error).toMatchObject({ code: 'SY_LLM_TIMEOUT', details: { timeout: 'total' } });
    expect(o.aborts).toHaveLength(1);
  });

  it('does not count time the consumer spends as a stall', async () => {
    const s = source([
      [1, 'a'],
      [1, 'b'],
    ]);
    const o = options({ idleMs: 30 });
    const chunks: string[] = [];
    for await (const chunk of withStreamTimeouts(s.iterable, o.options)) {
      chunks.push(chunk);
      await delay(60);
    }
    expect(chunks).toEqual(['a', 'b']);
    expect(o.aborts).toEqual([]);
  });

  it('swallows the late rejection of the read a timeout abandoned', async () => {
    const http = new AbortController();
    async function* slow() {
      await delay(1_000, undefined, { signal: http.signal });
      yield 'never';
    }
    const o = options({ firstChunkMs: 30 });
    const { error } = await collect(
      withStreamTimeouts(slow(), { ...o.options, onAbort: () => http.abort() }),
    );
    expect(error).toMatchObject({ code: 'SY_LLM_TIMEOUT' });
    // The abandoned read rejects now; an unhandled rejection would fail the run.
    await delay(20);
  });

  it("throws the caller's abort reason when cancelled, without calling onAbort", async () => {
    const controller = new AbortController();
    const s = source([
      [5, 'a'],
      [500, 'b'],
    ]);
    const o = options({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled')), 40);
    const { chunks, error } = await collect(withStreamTimeouts(s.iterable, o.options));
    expect(chunks).toEqual(['a']);
    expect(error).toEqual(new Error('cancelled'));
    expect(o.aborts).toEqual([]);
  });

  it('passes the source error through and closes the source when the consumer leaves early', async () => {
    async function* failing() {
      yield 'a';
      throw new Error('boom');
    }
    expect(await collect(withStreamTimeouts(failing(), options().options))).toMatchObject({
      chunks: ['a'],
      error: new Error('boom'),
    });
    const s = source([
      [1, 'a'],
      [1, 'b'],
    ]);
    for await (const chunk of withStreamTimeouts(s.iterable, options().options)) {
      expect(chunk).toBe('a');
      break;
    }
    await delay(5);
    expect(s.state.closed).toBe(true);
    expect(s.state.finished).toBe(false);
  });
});
