import { describe, expect, it } from 'vitest';
import { BreakerRegistry, type BreakerState, CircuitBreaker } from './circuit-breaker.ts';

function setup(overrides: { failureThreshold?: number } = {}) {
  let time = 1_000;
  const clock = { advance: (ms: number) => (time += ms) };
  const breaker = new CircuitBreaker({
    failureThreshold: overrides.failureThreshold ?? 3,
    windowMs: 10_000,
    cooldownMs: 5_000,
    now: () => time,
  });
  const changes: [BreakerState, BreakerState][] = [];
  breaker.onChange((from, to) => changes.push([from, to]));
  return { breaker, clock, changes };
}

function trip(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i++) breaker.failure();
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of failures within the window, and refuses calls', () => {
    const { breaker, clock, changes } = setup();
    trip(breaker, 2);
    expect(breaker.state()).toBe('closed');
    clock.advance(9_000);
    breaker.failure();
    expect(breaker.state()).toBe('open');
    expect(changes).toEqual([['closed', 'open']]);
    clock.advance(1_000);
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryInMs: 4_000 });
  });

  it('does not count failures that have left the window', () => {
    const { breaker, clock } = setup();
    trip(breaker, 2);
    clock.advance(10_001);
    breaker.failure();
    breaker.failure();
    expect(breaker.state()).toBe('closed');
    breaker.failure();
    expect(breaker.state()).toBe('open');
  });

  it('does not let successes wipe failures while closed', () => {
    const { breaker } = setup();
    for (let i = 0; i < 3; i++) {
      breaker.failure();
      breaker.success();
    }
    expect(breaker.state()).toBe('open');
  });

  it('turns half-open after the cooldown and admits exactly one probe', () => {
    const { breaker, clock, changes } = setup();
    trip(breaker, 3);
    clock.advance(4_999);
    expect(breaker.state()).toBe('open');
    clock.advance(1);
    expect(breaker.state()).toBe('half-open');
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryInMs: 0 });
    expect(breaker.tryAcquire().allowed).toBe(false);
    expect(changes).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
    ]);
  });

  it("closes and clears on the probe's success", () => {
    const { breaker, clock, changes } = setup();
    trip(breaker, 3);
    clock.advance(5_000);
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
    breaker.success();
    expect(breaker.state()).toBe('closed');
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: false });
    // The old failures are gone: it takes a full threshold again to open.
    trip(breaker, 2);
    expect(breaker.state()).toBe('closed');
    expect(changes.at(-1)).toEqual(['half-open', 'closed']);
  });

  it("re-opens for a fresh cooldown on the probe's failure", () => {
    const { breaker, clock } = setup();
    trip(breaker, 3);
    clock.advance(6_000);
    expect(breaker.tryAcquire().allowed).toBe(true);
    breaker.failure();
    expect(breaker.state()).toBe('open');
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryInMs: 5_000 });
    clock.advance(5_000);
    expect(breaker.state()).toBe('half-open');
  });

  it('does not extend the cooldown for failures reported while open', () => {
    const { breaker, clock } = setup();
    trip(breaker, 3);
    clock.advance(3_000);
    breaker.failure();
    clock.advance(2_000);
    expect(breaker.state()).toBe('half-open');
  });

  it('admits a new probe after a release, or once a lost probe is written off', () => {
    const { breaker, clock } = setup();
    trip(breaker, 3);
    clock.advance(5_000);
    expect(breaker.tryAcquire().allowed).toBe(true);
    breaker.release();
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
    clock.advance(4_999);
    expect(breaker.tryAcquire().allowed).toBe(false);
    clock.advance(1);
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
  });

  it('stops calling a listener once it unsubscribes', () => {
    const { breaker } = setup();
    const seen: BreakerState[] = [];
    const stop = breaker.onChange((_from, to) => seen.push(to));
    stop();
    trip(breaker, 3);
    expect(seen).toEqual([]);
  });
});

describe('BreakerRegistry', () => {
  it('keeps one breaker per key', () => {
    let time = 0;
    const registry = new BreakerRegistry({
      failureThreshold: 1,
      windowMs: 1_000,
      cooldownMs: 1_000,
      now: () => time,
    });
    expect(registry.get('openai/gpt-4o')).toBe(registry.get('openai/gpt-4o'));
    registry.get('openai/gpt-4o').failure();
    registry.get('anthropic/claude');
    expect(registry.states()).toEqual({ 'openai/gpt-4o': 'open', 'anthropic/claude': 'closed' });
    time = 1_000;
    expect(registry.states()).toEqual({ 'openai/gpt-4o': 'half-open', 'anthropic/claude': 'closed' });
  });
});
