import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { BreakerRegistry, breakerKey } from './circuit-breaker.ts';
import { type Candidate, type ChainOptions, type Decision, runChain, sleep } from './fallback-chain.ts';
import { ProviderFailure } from './retry-policy.ts';

const primary: Candidate = { provider: 'openai', model: 'gpt-4o' };
const secondary: Candidate = { provider: 'anthropic', model: 'claude' };

const status = (code: number, retryAfterMs?: number) =>
  new ProviderFailure({
    kind: 'status',
    status: code,
    message: `HTTP ${code}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

/** A scripted world: a fake clock that sleeping advances, and calls answering from a script. */
function world(
  script: Record<string, (attempt: number) => string | Error>,
  overrides: Partial<ChainOptions<string>> = {},
) {
  let time = 0;
  const breakers = new BreakerRegistry({
    failureThreshold: 3,
    windowMs: 60_000,
    cooldownMs: 10_000,
    now: () => time,
  });
  const calls: string[] = [];
  const slept: number[] = [];
  const streamed: Decision[] = [];
  const options: ChainOptions<string> = {
    candidates: [primary, secondary],
    breakers,
    retry: { maxAttempts: 3, baseMs: 100, maxMs: 1_000 },
    call: async (candidate, attempt) => {
      const key = breakerKey(candidate);
      calls.push(`${key}#${attempt}`);
      const answer = script[key]?.(attempt) ?? new Error(`unscripted ${key}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    onDecision: (decision) => streamed.push(decision),
    sleep: async (ms) => {
      slept.push(ms);
      time += ms;
    },
    random: () => 0.5,
    signal: new AbortController().signal,
    ...overrides,
  };
  return { options, breakers, calls, slept, streamed };
}

const types = (decisions: readonly Decision[]) => decisions.map((d) => d.type);

describe('runChain', () => {
  it('retries a rate-limited call, honouring Retry-After, then succeeds', async () => {
    const w = world({ 'openai/gpt-4o': (n) => (n <= 2 ? status(429, 2_000) : 'hello') });
    const result = await runChain(w.options);
    expect(result.value).toBe('hello');
    expect(result.candidate).toEqual(primary);
    expect(w.calls).toEqual(['openai/gpt-4o#1', 'openai/gpt-4o#2', 'openai/gpt-4o#3']);
    const retries = result.decisions.filter((d) => d.type === 'retry');
    expect(retries).toEqual([
      { type: 'retry', candidate: primary, attempt: 2, delayMs: 2_000, reason: 'SY_LLM_RATE_LIMITED' },
      { type: 'retry', candidate: primary, attempt: 3, delayMs: 2_000, reason: 'SY_LLM_RATE_LIMITED' },
    ]);
    expect(types(result.decisions).filter((t) => t === 'succeeded')).toHaveLength(1);
    expect(w.slept).toEqual([2_000, 2_000]);
    expect(w.streamed).toEqual(result.decisions);
  });

  it('falls back to the next model once retries of 5xx are exhausted', async () => {
    const w = world({ 'openai/gpt-4o': () => status(500), 'anthropic/claude': () => 'from claude' });
    const result = await runChain(w.options);
    expect(result).toMatchObject({ value: 'from claude', candidate: secondary });
    expect(w.calls).toEqual(['openai/gpt-4o#1', 'openai/gpt-4o#2', 'openai/gpt-4o#3', 'anthropic/claude#1']);
    expect(w.slept).toEqual([50, 100]);
    expect(result.decisions).toContainEqual({
      type: 'fallback',
      from: primary,
      to: secondary,
      reason: 'SY_LLM_PROVIDER_ERROR',
    });
    // Three failures hit the threshold: the primary's breaker opened during this run, and says so.
    expect(result.decisions).toContainEqual({
      type: 'breaker-changed',
      candidate: primary,
      from: 'closed',
      to: 'open',
    });
    expect(w.breakers.states()).toEqual({ 'openai/gpt-4o': 'open', 'anthropic/claude': 'closed' });
  });

  it('skips a candidate whose breaker is open without calling it', async () => {
    const w = world({ 'anthropic/claude': () => 'ok' });
    for (let i = 0; i < 3; i++) w.breakers.get('openai/gpt-4o').failure();
    const result = await runChain(w.options);
    expect(w.calls).toEqual(['anthropic/claude#1']);
    expect(result.decisions.slice(0, 2)).toEqual([
      { type: 'breaker-open', candidate: primary, retryInMs: 10_000 },
      { type: 'fallback', from: primary, to: secondary, reason: 'breaker-open' },
    ]);
  });

  it('moves on instead of waiting out a Retry-After beyond the cap', async () => {
    const w = world({ 'openai/gpt-4o': () => status(429, 120_000), 'anthropic/claude': () => 'ok' });
    const result = await runChain(w.options);
    expect(w.calls).toEqual(['openai/gpt-4o#1', 'anthropic/claude#1']);
    expect(w.slept).toEqual([]);
    expect(result.candidate).toEqual(secondary);
  });

  it('stops the whole chain at once on an invalid request, blaming no breaker', async () => {
    const w = world({ 'openai/gpt-4o': () => status(400), 'anthropic/claude': () => 'never' });
    const error = await runChain(w.options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({
      code: 'SY_LLM_REQUEST_INVALID',
      retryable: false,
      details: { status: 400 },
    });
    expect(w.calls).toEqual(['openai/gpt-4o#1']);
    expect(types(w.streamed)).toEqual(['attempt', 'failed']);
    expect(w.breakers.states()['openai/gpt-4o']).toBe('closed');
  });

  it('falls back without retrying on a candidate-specific refusal (401)', async () => {
    const w = world({ 'openai/gpt-4o': () => status(401), 'anthropic/claude': () => 'ok' });
    await expect(runChain(w.options)).resolves.toMatchObject({ value: 'ok' });
    expect(w.calls).toEqual(['openai/gpt-4o#1', 'anthropic/claude#1']);
  });

  it('uses the cached answer when every model failed', async () => {
    const w = world(
      {
        'openai/gpt-4o': () => status(503),
        'anthropic/claude': () => new ProviderFailure({ kind: 'transport', message: 'ECONNRESET' }),
      },
      {},
    );
    const result = await runChain({ ...w.options, lastResort: async () => 'cached' });
    expect(result).toMatchObject({ value: 'cached', candidate: 'cache' });
    expect(result.decisions.at(-1)).toEqual({ type: 'fallback-cache', reason: 'SY_LLM_PROVIDER_ERROR' });
  });

  it('fails with SY_LLM_UNAVAILABLE listing every attempt when nothing answers', async () => {
    const w = world({
      'openai/gpt-4o': (n) =>
        n === 1 ? status(500) : new ProviderFailure({ kind: 'stream-broken', message: 'cut off' }),
      'anthropic/claude': () => new ProviderFailure({ kind: 'timeout', message: 'no first token' }),
    });
    const error = await runChain({ ...w.options, lastResort: async () => undefined }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SwitchyardError);
    const sy = error as SwitchyardError;
    expect(sy.code).toBe('SY_LLM_UNAVAILABLE');
    expect(sy.details?.attempts).toEqual([
      { provider: 'openai', model: 'gpt-4o', attempt: 1, code: 'SY_LLM_PROVIDER_ERROR', message: 'HTTP 500' },
      { provider: 'openai', model: 'gpt-4o', attempt: 2, code: 'SY_LLM_STREAM_BROKEN', message: 'cut off' },
      { provider: 'openai', model: 'gpt-4o', attempt: 3, code: 'SY_LLM_STREAM_BROKEN', message: 'cut off' },
      {
        provider: 'anthropic',
        model: 'claude',
        attempt: 1,
        code: 'SY_LLM_TIMEOUT',
        message: 'no first token',
      },
      {
        provider: 'anthropic',
        model: 'claude',
        attempt: 2,
        code: 'SY_LLM_TIMEOUT',
        message: 'no first token',
      },
      {
        provider: 'anthropic',
        model: 'claude',
        attempt: 3,
        code: 'SY_LLM_TIMEOUT',
        message: 'no first token',
      },
    ]);
    expect(sy.message).toContain('openai/gpt-4o (3 attempts, last SY_LLM_STREAM_BROKEN: cut off)');
    expect(sy.message).toContain('anthropic/claude (3 attempts, last SY_LLM_TIMEOUT: no first token)');
  });

  it('names open circuits in the error when no candidate could even be tried', async () => {
    const w = world({});
    for (const c of [primary, secondary]) for (let i = 0; i < 3; i++) w.breakers.get(breakerKey(c)).failure();
    const error = (await runChain(w.options).catch((e: unknown) => e)) as SwitchyardError;
    expect(error.code).toBe('SY_LLM_UNAVAILABLE');
    expect(error.message).toContain('openai/gpt-4o (circuit open, retry in 10 s)');
    expect(error.details?.skipped).toHaveLength(2);
    expect(w.calls).toEqual([]);
  });

  it('stops promptly when cancelled mid-sleep, with the abort reason and no fallback', async () => {
    const controller = new AbortController();
    const w = world({ 'openai/gpt-4o': () => status(500), 'anthropic/claude': () => 'never' });
    const reason = new Error('user cancelled');
    const started = performance.now();
    const run = runChain({
      ...w.options,
      sleep,
      retry: { maxAttempts: 3, baseMs: 60_000, maxMs: 60_000 },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 20);
    await expect(run).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(w.calls).toEqual(['openai/gpt-4o#1']);
  });

  it('does not blame the breaker when the call is cancelled, and frees a half-open probe', async () => {
    const controller = new AbortController();
    const w = world({});
    const breaker = w.breakers.get('openai/gpt-4o');
    for (let i = 0; i < 3; i++) breaker.failure();
    const call = (_c: Candidate, _a: number, signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    // Let the cooldown pass (the world's sleep advances its clock) so the call is the half-open probe.
    await w.options.sleep(10_000, controller.signal);
    const run = runChain({ ...w.options, call, signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(run).rejects.toThrow('stop');
    expect(breaker.state()).toBe('half-open');
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
  });

  it('property: never calls a candidate whose breaker is open, never exceeds maxAttempts per candidate', async () => {
    const outcome = fc.constantFrom('ok', '429', '500', '400', '401', 'timeout', 'broken');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(4), { maxLength: 4 }),
        fc.array(outcome, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (candidateCount, maxAttempts, preFailures, outcomes, runs) => {
          let time = 0;
          const breakers = new BreakerRegistry({
            failureThreshold: 3,
            windowMs: 20_000,
            cooldownMs: 5_000,
            now: () => time,
          });
          const candidates = Array.from({ length: candidateCount }, (_, i) => ({
            provider: 'p',
            model: `m${i}`,
          }));
          candidates.forEach((c, i) => {
            for (let n = 0; n < (preFailures[i] ?? 0); n++) breakers.get(breakerKey(c)).failure();
          });
          let next = 0;
          // Collected, not thrown: a throw inside `call` would be judged as one more provider failure.
          const violations: string[] = [];
          for (let run = 0; run < runs; run++) {
            const perCandidate = new Map<string, number>();
            const call = async (candidate: Candidate, attempt: number) => {
              const key = breakerKey(candidate);
              if (breakers.get(key).state() === 'open') violations.push(`${key} called while open`);
              perCandidate.set(key, (perCandidate.get(key) ?? 0) + 1);
              if (perCandidate.get(key) !== attempt) violations.push(`${key} attempt ${attempt} miscounted`);
              if (attempt > maxAttempts) violations.push(`${key} attempt ${attempt} > ${maxAttempts}`);
              const o = outcomes[next++ % outcomes.length];
              if (o === 'ok') return 'ok';
              if (o === 'timeout') throw new ProviderFailure({ kind: 'timeout', message: 'slow' });
              if (o === 'broken') throw new ProviderFailure({ kind: 'stream-broken', message: 'cut' });
              throw status(Number(o), o === '429' ? 1_000 : undefined);
            };
            const result = await runChain({
              candidates,
              breakers,
              retry: { maxAttempts, baseMs: 1_000, maxMs: 4_000 },
              call,
              sleep: async (ms) => {
                time += ms;
              },
              random: () => 0.7,
              signal: new AbortController().signal,
            }).catch((e: unknown) => e);
            if (result instanceof SwitchyardError) {
              expect(['SY_LLM_UNAVAILABLE', 'SY_LLM_REQUEST_INVALID']).toContain(result.code);
            } else {
              expect(result).toMatchObject({ value: 'ok' });
            }
            time += 3_000;
          }
          expect(violations).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
