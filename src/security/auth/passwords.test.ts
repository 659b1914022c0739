import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from './common-passwords.ts';
import {
  DECOY_HASH,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  passwordProblem,
  verifyNothing,
  verifyPassword,
} from './passwords.ts';

const GOOD = 'correct horse battery';

describe('hashPassword', () => {
  it('makes an argon2id PHC string with the OWASP parameters and a fresh salt', async () => {
    const hash = await hashPassword(GOOD);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(parseOptions(hash)).toMatchObject({
      algorithm: 2,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(await hashPassword(GOOD)).not.toBe(hash);
  });

  it('has a decoy hash with the same parameters as real ones, so verifying against it costs the same', () => {
    const { algorithm, memoryCost, timeCost, parallelism, outputLen, saltLen } = parseOptions(DECOY_HASH);
    expect({ algorithm, memoryCost, timeCost, parallelism, outputLen, saltLen }).toEqual({
      algorithm: 2,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
      outputLen: 32,
      saltLen: 16,
    });
  });
});

describe('verifyPassword', () => {
  it('is true for the password and false for any other', async () => {
    const hash = await hashPassword(GOOD);
    expect(await verifyPassword(hash, GOOD)).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery ')).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it('is false, without throwing, for malformed hashes', async () => {
    const hash = await hashPassword(GOOD);
    for (const bad of [
      '',
      'not a hash',
      '$argon2id$',
      hash.slice(0, -10),
      hash.replace('argon2id', 'argon9'),
    ]) {
      await expect(verifyPassword(bad, GOOD)).resolves.toBe(false);
    }
  });

  it('is false for an overlong password without hashing it', async () => {
    const long = 'a'.repeat(MAX_PASSWORD_LENGTH + 1);
    const hash = await hashPassword(long);
    expect(await verifyPassword(hash, long)).toBe(false);
  });
});

describe('verifyNothing', () => {
  it('is false and takes about as long as a real verification', async () => {
    const hash = await hashPassword(GOOD);
    const real: number[] = [];
    const decoy: number[] = [];
    for (let i = 0; i < 5; i++) {
      real.push(await timed(() => verifyPassword(hash, 'wrong password here')));
      decoy.push(await timed(() => verifyNothing('wrong password here')));
    }
    expect(await verifyNothing(GOOD)).toBe(false);
    const [r, d] = [median(real), median(decoy)];
    expect(r).toBeGreaterThan(5);
    expect(d).toBeGreaterThan(5);
    expect(Math.max(r, d) / Math.min(r, d)).toBeLessThan(3);
  });
});

describe('passwordProblem', () => {
  it('accepts a long, uncommon password', () => {
    expect(passwordProblem(GOOD, { email: 'ada@example.com' })).toBeUndefined();
    expect(passwordProblem(`${'x'.repeat(11)}y`, {})).toBeUndefined();
  });

  it('wants at least 12 characters, counted as characters rather than UTF-16 units', () => {
    expect(passwordProblem('abcdefghijk', {})).toMatch(/at least 12/);
    expect(passwordProblem('🔑🔒🗝️🚪🔑🔒', {})).toMatch(/at least 12/);
    expect(passwordProblem('abcdefghijkm', {})).toBeUndefined();
  });

  it('refuses more than 1024 characters', () => {
    expect(passwordProblem('ab'.repeat(512), {})).toBeUndefined();
    expect(passwordProblem(`${'ab'.repeat(512)}c`, {})).toMatch(/at most 1024/);
  });

  it('refuses the e-mail address and its local part, in any case', () => {
    const email = 'Ada.Lovelace1815@Example.com';
    expect(passwordProblem('ada.lovelace1815@example.com', { email })).toMatch(/e-mail/);
    expect(passwordProblem('ADA.LOVELACE1815', { email })).toMatch(/e-mail/);
    expect(passwordProblem('ada.lovelace1815x', { email })).toBeUndefined();
    expect(passwordProblem('ada.lovelace1815', {})).toBeUndefined();
  });

  it('refuses one character repeated', () => {
    expect(passwordProblem('zzzzzzzzzzzzzzzz', {})).toMatch(/single character/);
  });

  it('refuses the most common passwords, in any case', () => {
    expect(passwordProblem('Password1234', {})).toMatch(/commonly used/);
    expect(passwordProblem('QWERTY123456', {})).toMatch(/commonly used/);
    for (const common of COMMON_PASSWORDS) {
      expect(common.length).toBeGreaterThanOrEqual(12);
      expect(common).toBe(common.toLowerCase());
    }
    expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(50);
  });
});

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
