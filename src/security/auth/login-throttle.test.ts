import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoginThrottle, type ThrottleOptions } from './login-throttle.ts';

const MINUTE = 60_000;

function setup(options: Partial<ThrottleOptions> = {}) {
  const clock = { now: 1_750_000_000_000 };
  const throttle = new LoginThrottle({ now: () => clock.now, ...options });
  return { clock, throttle };
}

function failTimes(throttle: LoginThrottle, times: number, account: string, ip: string) {
  return Array.from({ length: times }, () => throttle.recordFailure(account, ip));
}

describe('LoginThrottle', () => {
  it('allows by default and locks an account on its 5th failure inside 15 minutes, for 15 minutes', () => {
    const { clock, throttle } = setup();
    expect(throttle.check('ada@example.com', '10.0.0.1')).toEqual({ allowed: true });
    for (const outcome of failTimes(throttle, 4, 'ada@example.com', '10.0.0.1')) {
      expect(outcome).toEqual({ locked: false });
      clock.now += MINUTE;
    }
    expect(throttle.check('ada@example.com', '10.0.0.1')).toEqual({ allowed: true });
    expect(throttle.recordFailure('ada@example.com', '10.0.0.1')).toEqual({
      locked: true,
      reason: 'account',
      untilMs: clock.now + 15 * MINUTE,
    });
    // From any address: the lock is the account's.
    expect(throttle.check('ada@example.com', '192.0.2.9')).toEqual({
      allowed: false,
      retryAfterMs: 15 * MINUTE,
      reason: 'account',
    });
    expect(throttle.check('bob@example.com', '10.0.0.1')).toEqual({ allowed: true });
  });

  it('does not lock when the failures are spread beyond the window', () => {
    const { clock, throttle } = setup();
    for (let i = 0; i < 20; i++) {
      expect(throttle.recordFailure('ada@example.com', `10.0.0.${i}`)).toEqual({ locked: false });
      clock.now += (15 * MINUTE) / 4;
    }
    expect(throttle.check('ada@example.com', '10.0.0.1')).toEqual({ allowed: true });
  });

  it('counts a failure exactly one window old as outside it', () => {
    const { clock, throttle } = setup({ maxFailuresPerAccount: 2, windowMs: 1000 });
    throttle.recordFailure('ada', 'ip');
    clock.now += 1000;
    expect(throttle.recordFailure('ada', 'ip')).toEqual({ locked: false });
    clock.now += 999;
    expect(throttle.recordFailure('ada', 'ip')).toMatchObject({ locked: true });
  });

  it('unlocks after lockMs, counting retryAfterMs down', () => {
    const { clock, throttle } = setup({
      maxFailuresPerAccount: 3,
      lockMs: 10 * MINUTE,
      windowMs: 10 * MINUTE,
    });
    failTimes(throttle, 3, 'ada', 'ip');
    expect(throttle.check('ada', 'ip')).toEqual({
      allowed: false,
      retryAfterMs: 10 * MINUTE,
      reason: 'account',
    });
    clock.now += 4 * MINUTE;
    expect(throttle.check('ada', 'ip')).toEqual({
      allowed: false,
      retryAfterMs: 6 * MINUTE,
      reason: 'account',
    });
    clock.now += 6 * MINUTE - 1;
    expect(throttle.check('ada', 'ip')).toEqual({ allowed: false, retryAfterMs: 1, reason: 'account' });
    clock.now += 1;
    expect(throttle.check('ada', 'ip')).toEqual({ allowed: true });
    // The old failures have left the window: a full allowance again.
    expect(failTimes(throttle, 2, 'ada', 'ip')).toEqual([{ locked: false }, { locked: false }]);
  });

  it('locks again on the next failure when the lock ends before the failures leave the window', () => {
    const { clock, throttle } = setup({ maxFailuresPerAccount: 3, lockMs: MINUTE, windowMs: 15 * MINUTE });
    failTimes(throttle, 3, 'ada', 'ip');
    clock.now += MINUTE;
    expect(throttle.check('ada', 'ip')).toEqual({ allowed: true });
    expect(throttle.recordFailure('ada', 'ip')).toEqual({
      locked: true,
      reason: 'account',
      untilMs: clock.now + MINUTE,
    });
  });

  it('neither counts nor extends on failures reported while locked', () => {
    const { clock, throttle } = setup({ maxFailuresPerAccount: 2, lockMs: MINUTE, windowMs: MINUTE });
    failTimes(throttle, 2, 'ada', 'ip');
    const until = clock.now + MINUTE;
    clock.now += 30_000;
    expect(throttle.recordFailure('ada', 'ip2')).toEqual({ locked: true, reason: 'account', untilMs: until });
    clock.now = until;
    expect(throttle.check('ada', 'ip')).toEqual({ allowed: true });
  });

  it('locks an address trying many accounts, independently of the accounts', () => {
    const { throttle } = setup();
    for (let i = 1; i < 20; i++) {
      expect(throttle.recordFailure(`user${i}@example.com`, '203.0.113.7')).toEqual({ locked: false });
    }
    expect(throttle.recordFailure('user20@example.com', '203.0.113.7')).toMatchObject({
      locked: true,
      reason: 'ip',
    });
    expect(throttle.check('someone-new@example.com', '203.0.113.7')).toMatchObject({
      allowed: false,
      reason: 'ip',
    });
    expect(throttle.check('user1@example.com', '198.51.100.1')).toEqual({ allowed: true });
  });

  it('names the lock that ends later when both the account and the address are locked', () => {
    const { clock, throttle } = setup({ maxFailuresPerAccount: 2, maxFailuresPerIp: 3, lockMs: MINUTE });
    failTimes(throttle, 2, 'ada', 'ip');
    clock.now += 1000;
    expect(throttle.recordFailure('bob', 'ip')).toMatchObject({ locked: true, reason: 'ip' });
    expect(throttle.check('ada', 'ip')).toEqual({ allowed: false, retryAfterMs: MINUTE, reason: 'ip' });
    clock.now += MINUTE - 1000;
    expect(throttle.check('ada', 'other')).toEqual({ allowed: true });
  });

  it("clears the account's failures on success, but not the address's", () => {
    const { throttle } = setup({ maxFailuresPerAccount: 3, maxFailuresPerIp: 5 });
    failTimes(throttle, 2, 'ada', 'ip');
    throttle.recordSuccess('ada', 'ip');
    expect(failTimes(throttle, 2, 'ada', 'ip')).toEqual([{ locked: false }, { locked: false }]);
    expect(throttle.recordFailure('ada', 'ip2')).toMatchObject({ locked: true, reason: 'account' });
    expect(throttle.recordFailure('bob', 'ip')).toMatchObject({ locked: true, reason: 'ip' });
  });

  it('treats accounts case-insensitively', () => {
    const { throttle } = setup({ maxFailuresPerAccount: 3 });
    throttle.recordFailure('Ada@Example.com', 'ip1');
    throttle.recordFailure('ADA@EXAMPLE.COM', 'ip2');
    expect(throttle.recordFailure(' ada@example.com', 'ip3')).toMatchObject({
      locked: true,
      reason: 'account',
    });
    expect(throttle.check('aDa@exAmple.com', 'ip4')).toMatchObject({ allowed: false, reason: 'account' });
  });

  it('bounds its memory, forgetting the least recently failed first', () => {
    const { throttle } = setup({ maxFailuresPerAccount: 1, maxFailuresPerIp: 100, maxTracked: 4 });
    throttle.recordFailure('a', 'ip1');
    throttle.recordFailure('b', 'ip2');
    throttle.recordFailure('a', 'ip1'); // a and ip1 are now the most recent
    throttle.recordFailure('c', 'ip3');
    expect(throttle.check('b', 'ip9')).toEqual({ allowed: true });
    expect(throttle.check('a', 'ip9')).toMatchObject({ allowed: false });
    expect(throttle.check('c', 'ip9')).toMatchObject({ allowed: false });
    for (let i = 0; i < 1000; i++) throttle.recordFailure(`user${i}`, `ip-${i}`);
    expect(throttle.check('a', 'ip9')).toEqual({ allowed: true });
    expect(throttle.check('user999', 'ip9')).toMatchObject({ allowed: false });
  });

  it('refuses nonsensical options', () => {
    for (const bad of [
      { maxFailuresPerAccount: 0 },
      { windowMs: -1 },
      { lockMs: 1.5 },
      { maxTracked: Number.NaN },
    ]) {
      expect(() => new LoginThrottle(bad)).toThrow(expect.objectContaining({ code: 'SY_CONFIG_INVALID' }));
    }
  });

  it('never lets an account fail more than the maximum inside a window without locking it', () => {
    const step = fc.record({
      advanceMs: fc.integer({ min: 0, max: 60 }),
      account: fc.constantFrom('ada', 'ADA', 'bob', 'cy'),
      ip: fc.constantFrom('ip1', 'ip2', 'ip3'),
      succeeds: fc.boolean(),
    });
    const config = fc.record({
      maxFailuresPerAccount: fc.integer({ min: 1, max: 6 }),
      maxFailuresPerIp: fc.integer({ min: 1, max: 30 }),
      windowMs: fc.integer({ min: 1, max: 200 }),
      lockMs: fc.integer({ min: 1, max: 300 }),
    });
    fc.assert(
      fc.property(config, fc.array(step, { maxLength: 200 }), (options, steps) => {
        const { clock, throttle } = setup(options);
        const { maxFailuresPerAccount: max, windowMs, lockMs } = options;
        /** Failures each account was allowed to make since its last success. */
        const failures = new Map<string, number[]>();
        for (const { advanceMs, account, ip, succeeds } of steps) {
          clock.now += advanceMs;
          const verdict = throttle.check(account, ip);
          if (!verdict.allowed) {
            expect(verdict.retryAfterMs).toBeGreaterThan(0);
            expect(verdict.retryAfterMs).toBeLessThanOrEqual(lockMs);
            continue;
          }
          const key = account.toLowerCase();
          if (succeeds) {
            throttle.recordSuccess(account, ip);
            failures.set(key, []);
            continue;
          }
          const outcome = throttle.recordFailure(account, ip);
          const times = [...(failures.get(key) ?? []), clock.now];
          failures.set(key, times);
          const inWindow = times.filter((at) => at > clock.now - windowMs).length;
          if (inWindow >= max) {
            expect(outcome.locked).toBe(true);
            expect(throttle.check(account, 'never-failed-ip')).toMatchObject({
              allowed: false,
              reason: 'account',
            });
          }
          // With the lock at least as long as the window, the maximum is never even exceeded.
          if (lockMs >= windowMs) expect(inWindow).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });
});
