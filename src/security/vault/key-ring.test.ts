import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { KeyRing } from './key-ring.ts';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return (error as SwitchyardError).code;
  }
  return undefined;
}

describe('KeyRing', () => {
  it('encrypts with the first key and knows every key', () => {
    const a = { id: 'a', key: randomBytes(32) };
    const b = { id: 'b-2_x', key: randomBytes(32) };
    const ring = new KeyRing([a, b]);
    expect(ring.current.id).toBe('a');
    expect(ring.current.key.equals(a.key)).toBe(true);
    expect(ring.get('b-2_x')?.key.equals(b.key)).toBe(true);
    expect(ring.get('c')).toBeUndefined();
    expect(ring.ids).toEqual(['a', 'b-2_x']);
  });

  it('keeps its own copy of the key bytes', () => {
    const key = randomBytes(32);
    const copy = Buffer.from(key);
    const ring = new KeyRing([{ id: 'a', key }]);
    key.fill(0);
    expect(ring.current.key.equals(copy)).toBe(true);
  });

  it('refuses an empty ring, duplicate ids, bad ids and keys of the wrong length', () => {
    expect(codeOf(() => new KeyRing([]))).toBe('SY_VAULT_MASTER_KEY_INVALID');
    expect(
      codeOf(
        () =>
          new KeyRing([
            { id: 'a', key: randomBytes(32) },
            { id: 'a', key: randomBytes(32) },
          ]),
      ),
    ).toBe('SY_VAULT_MASTER_KEY_INVALID');
    expect(codeOf(() => new KeyRing([{ id: 'a.b', key: randomBytes(32) }]))).toBe(
      'SY_VAULT_MASTER_KEY_INVALID',
    );
    expect(codeOf(() => new KeyRing([{ id: 'x'.repeat(33), key: randomBytes(32) }]))).toBe(
      'SY_VAULT_MASTER_KEY_INVALID',
    );
    for (const length of [0, 16, 31, 33, 64]) {
      expect(codeOf(() => new KeyRing([{ id: 'a', key: randomBytes(length) }]))).toBe(
        'SY_VAULT_MASTER_KEY_INVALID',
      );
    }
  });

  it('does not print key bytes when serialised or inspected', () => {
    const key = Buffer.alloc(32, 0xab);
    const ring = new KeyRing([{ id: 'a', key }]);
    for (const text of [JSON.stringify(ring), inspect(ring, { depth: 5 })]) {
      expect(text).not.toContain(key.toString('hex'));
      expect(text).not.toContain(key.toString('base64'));
      expect(text).not.toMatch(/ab ab ab/);
    }
  });
});
