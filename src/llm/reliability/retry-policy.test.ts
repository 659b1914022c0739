import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import {
  classify,
  ProviderFailure,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
  waitsOut,
} from './retry-policy.ts';

const policy: RetryPolicy = { maxAttempts: 5, baseMs: 100, maxMs: 1_000 };

describe('retryDelayMs', () => {
  it('stays within the full-jitter bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const delay = retryDelayMs(policy, attempt, () => r);
          const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('grows exponentially up to the cap', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(policy, a, top))).toEqual([99, 199, 399, 799, 999]);
    expect(retryDelayMs(policy, 3, () => 0)).toBe(0);
  });

  it('never waits less than Retry-After', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.nat(120_000),
        (attempt, r, after) => {
          expect(retryDelayMs(policy, attempt, () => r, after)).toBeGreaterThanOrEqual(after);
        },
      ),
    );
    expect(retryDelayMs(policy, 1, () => 0.5, 5_000)).toBe(5_000);
  });

  it('waits out a Retry-After up to the cap only (60 s by default)', () => {
    expect(waitsOut(policy, undefined)).toBe(true);
    expect(waitsOut(policy, 60_000)).toBe(true);
    expect(waitsOut(policy, 60_001)).toBe(false);
    expect(waitsOut({ ...policy, maxRetryAfterMs: 2_000 }, 3_000)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('classify', () => {
  const apiError = (statusCode: number, responseHeaders?: Record<string, string>) =>
    Object.assign(new Error(`HTTP ${statusCode}`), { statusCode, responseHeaders, isRetryable: false });

  it('maps statuses like the AI SDK APICallError carries them', () => {
    expect(classify(apiError(429, { 'Retry-After': '2' }))).toMatchObject({
      code: 'SY_LLM_RATE_LIMITED',
      retryable: true,
      retryAfterMs: 2_000,
      scope: 'candidate',
    });
    expect(classify(apiError(429, { 'retry-after-ms': '250', 'retry-after': '1' })).retryAfterMs).toBe(250);
    expect(classify(apiError(503))).toMatchObject({ code: 'SY_LLM_PROVIDER_ERROR', retryable: true });
    expect(classify(apiError(408))).toMatchObject({ code: 'SY_LLM_TIMEOUT', retryable: true });
    expect(classify(apiError(409))).toMatchObject({ code: 'SY_LLM_PROVIDER_ERROR', retryable: true });
    expect(classify(apiError(400))).toMatchObject({
      code: 'SY_LLM_REQUEST_INVALID',
      retryable: false,
      scope: 'request',
    });
    expect(classify(apiError(422)).scope).toBe('request');
    expect(classify(apiError(401))).toMatchObject({
      code: 'SY_LLM_REQUEST_INVALID',
      retryable: false,
      scope: 'candidate',
    });
    expect(classify(apiError(404)).scope).toBe('candidate');
  });

  it('reads an HTTP-date Retry-After against the injected clock, and a Headers object', () => {
    const now = () => Date.parse('2026-01-01T00:00:00Z');
    const error = Object.assign(new Error('slow down'), {
      status: 429,
      headers: new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:04 GMT' }),
    });
    expect(classify(error, now).retryAfterMs).toBe(4_000);
  });

  it('judges ProviderFailure by its kind', () => {
    const kinds = {
      timeout: 'SY_LLM_TIMEOUT',
      'stream-broken': 'SY_LLM_STREAM_BROKEN',
      transport: 'SY_LLM_PROVIDER_ERROR',
    } as const;
    for (const [kind, code] of Object.entries(kinds)) {
      expect(classify(new ProviderFailure({ kind: kind as keyof typeof kinds, message: 'x' }))).toMatchObject(
        { code, retryable: true },
      );
    }
    expect(
      classify(new ProviderFailure({ kind: 'status', status: 429, retryAfterMs: 700, message: 'x' })),
    ).toMatchObject({
      code: 'SY_LLM_RATE_LIMITED',
      retryAfterMs: 700,
    });
    expect(classify(new ProviderFailure({ kind: 'status', status: 400, message: 'bad' })).scope).toBe(
      'request',
    );
  });

  it('keeps Switchyard errors, and takes anything else for a transient transport failure', () => {
    const stalled = new SwitchyardError('SY_LLM_STREAM_BROKEN', 'stalled');
    expect(classify(stalled)).toMatchObject({
      code: 'SY_LLM_STREAM_BROKEN',
      retryable: true,
      message: 'stalled',
    });
    expect(classify(new SwitchyardError('SY_OUTBOUND_BLOCKED', 'no'))).toMatchObject({
      code: 'SY_LLM_PROVIDER_ERROR',
      retryable: false,
      scope: 'candidate',
    });
    expect(classify(new TypeError('fetch failed'))).toMatchObject({
      code: 'SY_LLM_PROVIDER_ERROR',
      retryable: true,
    });
    expect(classify(new DOMException('late', 'TimeoutError'))).toMatchObject({ code: 'SY_LLM_TIMEOUT' });
  });
});
