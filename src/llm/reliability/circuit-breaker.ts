/**
 * @module Circuit breakers, one per provider and model: after `failureThreshold` failures within
 * `windowMs` the breaker opens and refuses calls, so a model that is down costs nothing but a
 * lookup; after `cooldownMs` it turns half-open and admits one probe, whose outcome closes it again
 * or re-opens it for a fresh cooldown. Time comes from `now`, so tests drive it with a fake clock.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Failures within the window that open the breaker (e.g. 5). */
  readonly failureThreshold: number;
  /** Length of the sliding failure window (e.g. 30 000 ms). */
  readonly windowMs: number;
  /** How long an open breaker refuses calls before admitting a probe (e.g. 15 000 ms). */
  readonly cooldownMs: number;
  readonly now: () => number;
}

export type Admission =
  | { readonly allowed: true; readonly probe: boolean }
  | { readonly allowed: false; readonly retryInMs: number };

type Listener = (from: BreakerState, to: BreakerState) => void;

export class CircuitBreaker {
  readonly #options: BreakerOptions;
  readonly #listeners = new Set<Listener>();
  #state: BreakerState = 'closed';
  /** Times of the recent failures while closed, oldest first. */
  #failures: number[] = [];
  #openedAt = 0;
  /** When the half-open probe was admitted, or undefined while none is out. */
  #probeSince: number | undefined;

  constructor(options: BreakerOptions) {
    this.#options = options;
  }

  /** The current state; an open breaker whose cooldown has passed reads (and becomes) half-open. */
  state(): BreakerState {
    if (this.#state === 'open' && this.#options.now() - this.#openedAt >= this.#options.cooldownMs) {
      this.#probeSince = undefined;
      this.#move('half-open');
    }
    return this.#state;
  }

  /**
   * Whether a call may go now. Half-open admits exactly one probe until it reports; while it is out,
   * others are refused with `retryInMs: 0` (meaning: as soon as the probe reports). A probe that
   * never reports (its caller crashed) is written off after one cooldown, so the breaker cannot
   * stay shut for good.
   */
  tryAcquire(): Admission {
    const now = this.#options.now();
    switch (this.state()) {
      case 'closed':
        return { allowed: true, probe: false };
      case 'open':
        return { allowed: false, retryInMs: this.#openedAt + this.#options.cooldownMs - now };
      case 'half-open':
        if (this.#probeSince !== undefined && now - this.#probeSince < this.#options.cooldownMs) {
          return { allowed: false, retryInMs: 0 };
        }
        this.#probeSince = now;
        return { allowed: true, probe: true };
    }
  }

  /**
   * A call succeeded. In half-open that is the probe's verdict: close and forget old failures.
   * While closed a success does not erase failures: they age out of the window, so a model that
   * fails every other call still trips the breaker.
   */
  success(): void {
    if (this.state() !== 'half-open') return;
    this.#failures = [];
    this.#probeSince = undefined;
    this.#move('closed');
  }

  /**
   * A call failed. In half-open that re-opens the breaker for a fresh cooldown. A failure reported
   * while open (a call admitted before it opened) changes nothing: the cooldown is not extended.
   */
  failure(): void {
    const now = this.#options.now();
    const state = this.state();
    if (state === 'open') return;
    if (state === 'half-open') {
      this.#open(now);
      return;
    }
    const windowStart = now - this.#options.windowMs;
    this.#failures = this.#failures.filter((at) => at > windowStart);
    this.#failures.push(now);
    if (this.#failures.length >= this.#options.failureThreshold) this.#open(now);
  }

  /**
   * An admitted call ended without a verdict (it was cancelled): a half-open breaker may admit a
   * new probe at once instead of waiting for the lost one to be written off.
   */
  release(): void {
    if (this.state() === 'half-open') this.#probeSince = undefined;
  }

  /** Calls `listener` on every state change; returns the function that unsubscribes it. */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #open(now: number): void {
    this.#openedAt = now;
    this.#failures = [];
    this.#probeSince = undefined;
    this.#move('open');
  }

  #move(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    for (const listener of this.#listeners) listener(from, to);
  }
}

/** The key a candidate's breaker is filed under. */
export function breakerKey(candidate: { readonly provider: string; readonly model: string }): string {
  return `${candidate.provider}/${candidate.model}`;
}

/** One breaker per key (`provider/model`), created on first use with the shared options. */
export class BreakerRegistry {
  readonly #options: BreakerOptions;
  readonly #breakers = new Map<string, CircuitBreaker>();

  constructor(options: BreakerOptions) {
    this.#options = options;
  }

  get(key: string): CircuitBreaker {
    let breaker = this.#breakers.get(key);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(this.#options);
      this.#breakers.set(key, breaker);
    }
    return breaker;
  }

  /** Every known breaker's state, e.g. for a health endpoint. */
  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.#breakers].map(([key, breaker]) => [key, breaker.state()]));
  }
}
