/**
 * @module The fallback chain: try each candidate model in order, retrying transient failures with
 * backoff while its circuit breaker allows, then fall back to the next model, then to a cached
 * answer, and otherwise fail with one clear error listing every attempt. Every decision is both
 * streamed to `onDecision` (to become run events) and returned (to be stored on the node run).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { type BreakerRegistry, type BreakerState, breakerKey } from './circuit-breaker.ts';
import { classify, type RetryPolicy, retryDelayMs, waitsOut } from './retry-policy.ts';

export interface Candidate {
  readonly provider: string;
  readonly model: string;
}

export type Decision =
  | { readonly type: 'attempt'; readonly candidate: Candidate; readonly attempt: number }
  /** `attempt` is the attempt about to be made after the delay; `reason` the failure's error code. */
  | {
      readonly type: 'retry';
      readonly candidate: Candidate;
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly type: 'breaker-open'; readonly candidate: Candidate; readonly retryInMs: number }
  | {
      readonly type: 'breaker-changed';
      readonly candidate: Candidate;
      readonly from: BreakerState;
      readonly to: BreakerState;
    }
  /** `reason`: the last failure's error code, or `breaker-open`. */
  | { readonly type: 'fallback'; readonly from: Candidate; readonly to: Candidate; readonly reason: string }
  | { readonly type: 'fallback-cache'; readonly reason: string }
  /** A deterministic request answered from the cache before any model was called. */
  | { readonly type: 'cache-hit' }
  | { readonly type: 'succeeded'; readonly candidate: Candidate; readonly attempt: number }
  | {
      readonly type: 'failed';
      readonly candidate: Candidate;
      readonly attempt: number;
      readonly code: string;
      readonly message: string;
    };

export interface ChainOptions<T> {
  readonly candidates: readonly Candidate[];
  readonly breakers: BreakerRegistry;
  readonly retry: RetryPolicy;
  readonly call: (candidate: Candidate, attempt: number, signal: AbortSignal) => Promise<T>;
  /** Last resort when every candidate failed: a cached answer, if any (then decision 'fallback-cache'). */
  readonly lastResort?: () => Promise<T | undefined>;
  readonly onDecision?: (decision: Decision) => void;
  /** Waits `ms`; should reject promptly when `signal` aborts (see `sleep`). */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly signal: AbortSignal;
  /** The clock HTTP-date Retry-After values are measured against; defaults to Date.now. */
  readonly now?: () => number;
}

export interface ChainResult<T> {
  readonly value: T;
  readonly candidate: Candidate | 'cache';
  readonly decisions: Decision[];
}

/** The real `sleep` for `ChainOptions`: a timer that rejects as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal });
}

interface AttemptRecord {
  readonly provider: string;
  readonly model: string;
  readonly attempt: number;
  readonly code: string;
  readonly message: string;
}

type CandidateOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/**
 * Runs the chain. Throws the signal's reason when cancelled (no breaker is blamed for that),
 * SY_LLM_REQUEST_INVALID at once when the request itself is refused (the next model would refuse it
 * too), and SY_LLM_UNAVAILABLE when every candidate failed and no cached answer exists.
 */
export async function runChain<T>(options: ChainOptions<T>): Promise<ChainResult<T>> {
  const decisions: Decision[] = [];
  const decide = (decision: Decision): void => {
    decisions.push(decision);
    options.onDecision?.(decision);
  };
  const attempts: AttemptRecord[] = [];
  const skipped: { provider: string; model: string; retryInMs: number }[] = [];
  let lastReason = 'no candidates';

  for (const [index, candidate] of options.candidates.entries()) {
    const outcome = await runCandidate(options, candidate, decide, attempts, skipped);
    if (outcome.ok) return { value: outcome.value, candidate, decisions };
    lastReason = outcome.reason;
    const next = options.candidates[index + 1];
    if (next !== undefined) decide({ type: 'fallback', from: candidate, to: next, reason: outcome.reason });
  }

  let cacheError: string | undefined;
  if (options.lastResort !== undefined) {
    try {
      const cached = await options.lastResort();
      if (cached !== undefined) {
        decide({ type: 'fallback-cache', reason: lastReason });
        return { value: cached, candidate: 'cache', decisions };
      }
    } catch (error) {
      // A broken cache must not hide why the models failed; it is reported beside them.
      cacheError = error instanceof Error ? error.message : String(error);
    }
  }
  options.signal.throwIfAborted();
  throw unavailable(options.candidates, attempts, skipped, cacheError);
}

async function runCandidate<T>(
  options: ChainOptions<T>,
  candidate: Candidate,
  decide: (decision: Decision) => void,
  attempts: AttemptRecord[],
  skipped: { provider: string; model: string; retryInMs: number }[],
): Promise<CandidateOutcome<T>> {
  const { signal, retry } = options;
  const breaker = options.breakers.get(breakerKey(candidate));
  // Only transitions our own calls cause become decisions; other runs share the breaker.
  const observed = <R>(action: () => R): R => {
    const stop = breaker.onChange((from, to) => decide({ type: 'breaker-changed', candidate, from, to }));
    try {
      return action();
    } finally {
      stop();
    }
  };

  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    const admission = observed(() => breaker.tryAcquire());
    if (!admission.allowed) {
      decide({ type: 'breaker-open', candidate, retryInMs: admission.retryInMs });
      skipped.push({ ...candidate, retryInMs: admission.retryInMs });
      return { ok: false, reason: 'breaker-open' };
    }
    decide({ type: 'attempt', candidate, attempt });
    let value: T;
    try {
      value = await options.call(candidate, attempt, signal);
    } catch (error) {
      if (signal.aborted) {
        breaker.release();
        throw signal.reason;
      }
      const failure = classify(error, options.now);
      if (failure.scope === 'request') {
        // The request's fault, not the model's health: no breaker failure.
        breaker.release();
        decide({ type: 'failed', candidate, attempt, code: failure.code, message: failure.message });
        throw new SwitchyardError(
          'SY_LLM_REQUEST_INVALID',
          `${breakerKey(candidate)} refused the request: ${failure.message}`,
          {
            cause: error,
            details: {
              ...candidate,
              attempt,
              ...(failure.status === undefined ? {} : { status: failure.status }),
            },
          },
        );
      }
      observed(() => breaker.failure());
      decide({ type: 'failed', candidate, attempt, code: failure.code, message: failure.message });
      attempts.push({ ...candidate, attempt, code: failure.code, message: failure.message });
      if (!failure.retryable || attempt >= retry.maxAttempts || !waitsOut(retry, failure.retryAfterMs)) {
        return { ok: false, reason: failure.code };
      }
      const delayMs = retryDelayMs(retry, attempt, options.random, failure.retryAfterMs);
      decide({ type: 'retry', candidate, attempt: attempt + 1, delayMs, reason: failure.code });
      await pause(options, delayMs);
      continue;
    }
    observed(() => breaker.success());
    decide({ type: 'succeeded', candidate, attempt });
    return { ok: true, value };
  }
}

/** Sleeps, turning an abort during the sleep into the signal's own reason. */
async function pause<T>(options: ChainOptions<T>, ms: number): Promise<void> {
  try {
    await options.sleep(ms, options.signal);
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    throw error;
  }
  options.signal.throwIfAborted();
}

function unavailable(
  candidates: readonly Candidate[],
  attempts: readonly AttemptRecord[],
  skipped: readonly { provider: string; model: string; retryInMs: number }[],
  cacheError: string | undefined,
): SwitchyardError {
  const parts = candidates.map((candidate) => {
    const key = breakerKey(candidate);
    const mine = attempts.filter((a) => a.provider === candidate.provider && a.model === candidate.model);
    const last = mine.at(-1);
    if (last !== undefined) {
      return `${key} (${mine.length} attempt${mine.length === 1 ? '' : 's'}, last ${last.code}: ${last.message})`;
    }
    const skip = skipped.find((s) => s.provider === candidate.provider && s.model === candidate.model);
    return `${key} (circuit open${skip === undefined ? '' : `, retry in ${Math.ceil(skip.retryInMs / 1000)} s`})`;
  });
  const message =
    candidates.length === 0
      ? 'No model is configured for this call'
      : `Every model failed: ${parts.join('; ')}`;
  return new SwitchyardError('SY_LLM_UNAVAILABLE', message, {
    details: {
      attempts: [...attempts],
      skipped: [...skipped],
      ...(cacheError === undefined ? {} : { cacheError }),
    },
  });
}
