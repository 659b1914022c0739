/**
 * @module How an LLM call failure is judged: which error code it gets, whether retrying the same
 * model can help, how long to wait first (full-jitter backoff, never sooner than the provider's
 * Retry-After), and whether the failure is the request's own fault so no other model can help either.
 */
import { retryDelay } from '../../core/retry.ts';
import { SwitchyardError } from '../../errors/switchyard-error.ts';

export interface RetryPolicy {
  /** Attempts per candidate, the first one included. */
  readonly maxAttempts: number;
  /** Ceiling of the first retry's delay; it doubles per retry. */
  readonly baseMs: number;
  /** Cap on any backoff delay. */
  readonly maxMs: number;
  /**
   * The longest Retry-After we wait out on one candidate (default 60 s). A provider asking for more
   * is not retried: the chain moves to the fallback model at once instead of stalling the run.
   */
  readonly maxRetryAfterMs?: number;
}

export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * Delay before retrying after attempt `attempt` (1-based) failed: uniform in
 * [0, min(maxMs, baseMs × 2^(attempt-1))], but never less than `retryAfterMs` when the provider
 * gave one. Whether a Retry-After is short enough to wait out at all is `waitsOut`'s call.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  // The node-retry helper has the same full-jitter math; it counts the attempt about to be made.
  const jitter = retryDelay(
    { attempts: policy.maxAttempts, backoffMs: policy.baseMs, factor: 2, maxBackoffMs: policy.maxMs },
    attempt + 1,
    random(),
  );
  return Math.max(jitter, retryAfterMs ?? 0);
}

/** Whether the provider's Retry-After (if any) is short enough to wait for on this candidate. */
export function waitsOut(policy: RetryPolicy, retryAfterMs: number | undefined): boolean {
  return retryAfterMs === undefined || retryAfterMs <= (policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
}

export type FailureKind = 'timeout' | 'stream-broken' | 'transport' | 'status';

export interface ProviderFailureInit {
  readonly kind: FailureKind;
  readonly message: string;
  /** The HTTP status, for kind `status`. */
  readonly status?: number;
  /** The provider's Retry-After, already turned into milliseconds. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** What the provider layer throws when a call fails, so the chain can judge it without guessing. */
export class ProviderFailure extends Error {
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: ProviderFailureInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ProviderFailure';
    this.kind = init.kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export type LlmErrorCode =
  | 'SY_LLM_TIMEOUT'
  | 'SY_LLM_STREAM_BROKEN'
  | 'SY_LLM_RATE_LIMITED'
  | 'SY_LLM_PROVIDER_ERROR'
  | 'SY_LLM_OUTPUT_INVALID'
  | 'SY_LLM_REQUEST_INVALID';

export interface Classification {
  readonly code: LlmErrorCode;
  readonly message: string;
  /** Whether the same candidate may succeed if asked again. */
  readonly retryable: boolean;
  /**
   * `request`: the request itself is refused (400, 413, 422…), so every model would refuse it and
   * the chain stops. `candidate`: only this provider or model is at fault; a fallback may work.
   */
  readonly scope: 'request' | 'candidate';
  readonly retryAfterMs?: number;
  readonly status?: number;
}

/**
 * 4xx statuses that say something about the account or the model rather than the request: a
 * revoked key, an unpaid bill or an unknown model at one provider does not doom the fallback.
 */
const CANDIDATE_STATUSES = new Set([401, 402, 403, 404]);

/**
 * Judges a failure: a `ProviderFailure`, a Switchyard `SY_LLM_*` error (e.g. from the stream
 * timeouts), an error with an HTTP status like the AI SDK's `APICallError`
 * (`statusCode`, `responseHeaders`), or anything else, which is taken for a transport failure.
 */
export function classify(error: unknown, now: () => number = Date.now): Classification {
  const message = error instanceof Error ? error.message || error.name : String(error);
  if (error instanceof ProviderFailure && error.kind !== 'status') {
    const code = {
      timeout: 'SY_LLM_TIMEOUT',
      'stream-broken': 'SY_LLM_STREAM_BROKEN',
      transport: 'SY_LLM_PROVIDER_ERROR',
    } as const;
    return withRetryAfter(
      { code: code[error.kind], message, retryable: true, scope: 'candidate' },
      error.retryAfterMs,
    );
  }
  if (error instanceof SwitchyardError) {
    if (isLlmCode(error.code)) {
      const retryAfterMs = error.details?.retryAfterMs;
      return withRetryAfter(
        { code: error.code, message, retryable: error.retryable, scope: scopeOf(error) },
        typeof retryAfterMs === 'number' ? retryAfterMs : undefined,
      );
    }
    // Another subsystem's error (the outbound client's, say): trust its own retry verdict.
    return { code: 'SY_LLM_PROVIDER_ERROR', message, retryable: error.retryable, scope: 'candidate' };
  }
  const status = statusOf(error);
  if (status !== undefined) return byStatus(status, message, retryAfterOf(error, now));
  if (error instanceof Error && error.name === 'TimeoutError') {
    return { code: 'SY_LLM_TIMEOUT', message, retryable: true, scope: 'candidate' };
  }
  return { code: 'SY_LLM_PROVIDER_ERROR', message, retryable: true, scope: 'candidate' };
}

function byStatus(status: number, message: string, retryAfterMs: number | undefined): Classification {
  const base = { message, status };
  if (status === 429) {
    return withRetryAfter(
      { ...base, code: 'SY_LLM_RATE_LIMITED', retryable: true, scope: 'candidate' },
      retryAfterMs,
    );
  }
  if (status === 408) return { ...base, code: 'SY_LLM_TIMEOUT', retryable: true, scope: 'candidate' };
  if (status >= 400 && status < 500 && status !== 409) {
    const scope = CANDIDATE_STATUSES.has(status) ? 'candidate' : 'request';
    return { ...base, code: 'SY_LLM_REQUEST_INVALID', retryable: false, scope };
  }
  // 409 (a conflict the provider resolves by itself), 5xx and anything unexpected: transient.
  return withRetryAfter(
    { ...base, code: 'SY_LLM_PROVIDER_ERROR', retryable: true, scope: 'candidate' },
    retryAfterMs,
  );
}

function withRetryAfter(classification: Classification, retryAfterMs: number | undefined): Classification {
  return retryAfterMs === undefined ? classification : { ...classification, retryAfterMs };
}

function isLlmCode(code: string): code is LlmErrorCode {
  return (
    code === 'SY_LLM_TIMEOUT' ||
    code === 'SY_LLM_STREAM_BROKEN' ||
    code === 'SY_LLM_RATE_LIMITED' ||
    code === 'SY_LLM_PROVIDER_ERROR' ||
    code === 'SY_LLM_OUTPUT_INVALID' ||
    code === 'SY_LLM_REQUEST_INVALID'
  );
}

function scopeOf(error: SwitchyardError): 'request' | 'candidate' {
  const status = error.details?.status;
  if (error.code !== 'SY_LLM_REQUEST_INVALID') return 'candidate';
  return typeof status === 'number' && CANDIDATE_STATUSES.has(status) ? 'candidate' : 'request';
}

function prop(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function statusOf(error: unknown): number | undefined {
  for (const name of ['status', 'statusCode']) {
    const value = prop(error, name);
    if (typeof value === 'number' && Number.isInteger(value)) return value;
  }
  return undefined;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** Retry-After in ms from a `retryAfterMs` field or from response headers, if the error has either. */
function retryAfterOf(error: unknown, now: () => number): number | undefined {
  const direct = prop(error, 'retryAfterMs');
  if (typeof direct === 'number' && direct >= 0) return direct;
  const headers = prop(error, 'responseHeaders') ?? prop(error, 'headers');
  // OpenAI sends the finer `retry-after-ms` beside the standard header.
  const ms = header(headers, 'retry-after-ms')?.trim();
  if (ms !== undefined && DECIMAL.test(ms)) return Math.ceil(Number(ms));
  const value = header(headers, 'retry-after');
  return value === undefined ? undefined : parseRetryAfter(value, now());
}

/** A header from a `Headers` object or a plain record, whatever the case of its name. */
function header(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); a date past is 0. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const trimmed = value.trim();
  if (DECIMAL.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
