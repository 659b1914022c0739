/**
 * @module The sign-in throttle: counts failed sign-ins per account and per client address in a sliding
 * window and locks either for a while when its count reaches the maximum. Per account stops guessing
 * one password from many addresses; per address stops trying one password on many accounts. Locks
 * are temporary so an attacker can delay, not disable, a victim's account. Pure policy, in memory,
 * with time injected: the caller asks `check` before verifying a password and reports the outcome.
 */
import { SwitchyardError } from '../../errors/switchyard-error.ts';

export interface ThrottleOptions {
  readonly maxFailuresPerAccount: number;
  readonly maxFailuresPerIp: number;
  readonly windowMs: number;
  readonly lockMs: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Bounds memory under a flood of distinct accounts or addresses; the least recently failed go first. */
  readonly maxTracked?: number;
}

export type ThrottleVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number; readonly reason: 'account' | 'ip' };

export type FailureOutcome =
  | { readonly locked: false }
  | { readonly locked: true; readonly reason: 'account' | 'ip'; readonly untilMs: number };

const MINUTE = 60_000;
const DEFAULTS: Required<ThrottleOptions> = {
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 20,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
  now: Date.now,
  maxTracked: 100_000,
};

interface Entry {
  /** Times of the failures still inside the window, oldest first. */
  failures: number[];
  lockedUntil: number;
}

type Subject = 'account' | 'ip';

export class LoginThrottle {
  readonly #options: Required<ThrottleOptions>;
  /** Keyed `account:…` or `ip:…`; insertion order is recency order, which eviction relies on. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: Partial<ThrottleOptions> = {}) {
    const merged = { ...DEFAULTS, ...options };
    for (const name of [
      'maxFailuresPerAccount',
      'maxFailuresPerIp',
      'windowMs',
      'lockMs',
      'maxTracked',
    ] as const) {
      if (!Number.isSafeInteger(merged[name]) || merged[name] < 1) {
        throw new SwitchyardError(
          'SY_CONFIG_INVALID',
          `the login throttle's ${name} must be a whole number ≥ 1`,
        );
      }
    }
    this.#options = merged;
  }

  /** Whether a sign-in may be attempted now; when both are locked, names the one that unlocks later. */
  check(account: string, ip: string): ThrottleVerdict {
    const now = this.#options.now();
    const accountUntil = this.#entries.get(accountKey(account))?.lockedUntil ?? 0;
    const ipUntil = this.#entries.get(ipKey(ip))?.lockedUntil ?? 0;
    const [reason, until]: [Subject, number] =
      ipUntil > accountUntil ? ['ip', ipUntil] : ['account', accountUntil];
    return until > now ? { allowed: false, retryAfterMs: until - now, reason } : { allowed: true };
  }

  recordFailure(account: string, ip: string): FailureOutcome {
    const now = this.#options.now();
    const accountUntil = this.#fail(accountKey(account), this.#options.maxFailuresPerAccount, now);
    const ipUntil = this.#fail(ipKey(ip), this.#options.maxFailuresPerIp, now);
    if (accountUntil > now) return { locked: true, reason: 'account', untilMs: accountUntil };
    if (ipUntil > now) return { locked: true, reason: 'ip', untilMs: ipUntil };
    return { locked: false };
  }

  /** Clears the account's failures. The address keeps its count: one right password says nothing about the others it tried. */
  recordSuccess(account: string, _ip: string): void {
    const key = accountKey(account);
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    if (entry.lockedUntil > this.#options.now()) entry.failures = [];
    else this.#entries.delete(key);
  }

  /** Counts one failure against the key and returns when it is locked until (in the past if it is not). */
  #fail(key: string, max: number, now: number): number {
    const entry = this.#entries.get(key) ?? { failures: [], lockedUntil: 0 };
    // Re-inserted so the map's order stays least recently failed first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#evictOverflow();
    // A failure while locked (the caller skipped `check`) neither counts nor extends the lock.
    if (entry.lockedUntil > now) return entry.lockedUntil;
    const windowStart = now - this.#options.windowMs;
    entry.failures = entry.failures.filter((at) => at > windowStart);
    entry.failures.push(now);
    // Failures stay counted through the lock, so once it ends one more failure inside the window
    // locks again. Only the newest `max` matter for that, which bounds the array.
    if (entry.failures.length > max) entry.failures.splice(0, entry.failures.length - max);
    if (entry.failures.length >= max) entry.lockedUntil = now + this.#options.lockMs;
    return entry.lockedUntil;
  }

  #evictOverflow(): void {
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#options.maxTracked) return;
      this.#entries.delete(key);
    }
  }
}

function accountKey(account: string): string {
  return `account:${account.trim().toLowerCase()}`;
}

function ipKey(ip: string): string {
  return `ip:${ip}`;
}
