import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hashToken,
  looksLikeApiKey,
  newApiKey,
  newRefreshToken,
  parseApiKey,
  safeEqualHex,
} from './opaque-tokens.ts';

const API_KEY_FORMAT = /^sy_key_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/;

describe('hashToken', () => {
  it('is SHA-256 in lower-case hex', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('syr_é')).toBe(createHash('sha256').update('syr_é', 'utf8').digest('hex'));
  });
});

describe('newRefreshToken', () => {
  it('makes unique syr_ tokens of 32 random bytes, with their hash', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { token, hash } = newRefreshToken();
      expect(token).toMatch(/^syr_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
      expect(hash).toBe(hashToken(token));
      seen.add(token);
    }
    expect(seen.size).toBe(1000);
  });

  it('is not mistaken for an API key', () => {
    expect(looksLikeApiKey(newRefreshToken().token)).toBe(false);
  });
});

describe('newApiKey', () => {
  it('makes unique keys whose token names the id, with hash and display prefix', () => {
    const ids = new Set<string>();
    const tokens = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const key = newApiKey();
      expect(key.id).toMatch(/^key_[a-z2-7]{16}$/);
      expect(key.token).toMatch(API_KEY_FORMAT);
      expect(key.token.startsWith(`sy_${key.id}_`)).toBe(true);
      expect(key.hash).toBe(hashToken(key.token));
      expect(key.prefix).toBe(key.token.slice(0, 12));
      expect(parseApiKey(key.token)).toEqual({ id: key.id });
      expect(looksLikeApiKey(key.token)).toBe(true);
      ids.add(key.id);
      tokens.add(key.token);
    }
    expect(ids.size).toBe(1000);
    expect(tokens.size).toBe(1000);
  });

  it('draws id characters from the whole alphabet', () => {
    const used = new Set(Array.from({ length: 200 }, () => newApiKey().id.slice(4)).join(''));
    expect(used.size).toBe(32);
  });
});

describe('parseApiKey', () => {
  const { id, token } = newApiKey();
  const secret = token.slice(`sy_${id}_`.length);

  it.each([
    ['empty', ''],
    ['the prefix only', 'sy_'],
    ['a wrong prefix', `sx_${id}_${secret}`],
    ['an upper-case prefix', `SY_${id}_${secret}`],
    ['the refresh prefix', `syr_${id}_${secret}`],
    ['no id marker', `sy_${id.slice(4)}_${secret}`],
    ['a doubled underscore', `sy_${id}__${secret}`],
    ['an extra underscore in the id', `sy_key__${id.slice(5)}_${secret}`],
    ['a trailing underscore', `${token}_`],
    ['a leading space', ` ${token}`],
    ['a trailing newline', `${token}\n`],
    ['a short id', `sy_${id.slice(0, -1)}_${secret}`],
    ['a long id', `sy_${id}a_${secret}`],
    ['an upper-case id', `sy_${id.toUpperCase()}_${secret}`],
    ['a non-base32 id character', `sy_${id.slice(0, -1)}1_${secret}`],
    ['a short secret', `sy_${id}_${secret.slice(1)}`],
    ['a long secret', `sy_${id}_${secret}A`],
    ['padding', `sy_${id}_${secret}=`],
    ['a base64 (not url) character', `sy_${id}_+${secret.slice(1)}`],
    ['a non-canonical last character', `sy_${id}_${secret.slice(0, -1)}B`],
    ['a non-ASCII character', `sy_${id}_é${secret.slice(1)}`],
  ])('rejects %s', (_name, candidate) => {
    expect(parseApiKey(candidate)).toBeUndefined();
  });
});

describe('safeEqualHex', () => {
  it('compares hex digests', () => {
    const a = hashToken('a');
    expect(safeEqualHex(a, a)).toBe(true);
    expect(safeEqualHex(a, a.toUpperCase())).toBe(true);
    expect(safeEqualHex(a, hashToken('b'))).toBe(false);
    expect(safeEqualHex(a, `${a.slice(0, -1)}${a.endsWith('0') ? '1' : '0'}`)).toBe(false);
    expect(safeEqualHex(a, a.slice(0, -2))).toBe(false);
    expect(safeEqualHex('', '')).toBe(true);
  });

  it('is false rather than lenient for anything not hex', () => {
    // Buffer.from(…, 'hex') silently stops at the first bad character; these must not compare equal.
    expect(safeEqualHex('zz', 'yy')).toBe(false);
    expect(safeEqualHex('abz', 'abz')).toBe(false);
    expect(safeEqualHex('ab0', 'ab1')).toBe(false);
  });
});
