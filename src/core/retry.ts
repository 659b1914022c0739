/**
 * @module Retry timing: exponential backoff with full jitter (each delay uniform in [0, cap]),
 * which spreads retries of many executions apart instead of letting them stampede together.
 */
import type { RetryPolicy } from './definition/schema.ts';

export const NO_RETRY: RetryPolicy = { attempts: 1, backoffMs: 0, factor: 1, maxBackoffMs: 0 };

/**
 * Delay before attempt `nextAttempt` (2 for the first retry). `random` is a number in [0, 1): the
 * caller hands it in, so the core stays deterministic.
 */
export function retryDelay(policy: RetryPolicy, nextAttempt: number, random: number): number {
  const exponent = Math.max(0, nextAttempt - 2);
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * policy.factor ** exponent);
  return Math.floor(random * ceiling);
}
