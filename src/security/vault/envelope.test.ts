import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { open, rewrap, seal, sealedKeyId } from './envelope.ts';
import { KeyRing, type MasterKey } from './key-ring.ts';

const AAD = 'credential:ws_1:cred_1';
const k1: MasterKey = { id: 'k1', key: randomBytes(32) };
const k2: MasterKey = { id: 'k2', key: randomBytes(32) };
const ring = new KeyRing([k1]);

function failure(action: () => unknown): SwitchyardError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return error as SwitchyardError;
  }
  throw new Error('expected a SwitchyardError, but nothing was thrown');
}

const codeOf = (action: () => unknown): string => failure(action).code;

describe('seal and open', () => {
  it('round-trips strings and bytes, including the empty value', () => {
    expect(open(ring, seal(ring, 'sk-live-123', AAD), AAD).toString()).toBe('sk-live-123');
    const bytes = randomBytes(1000);
    expect(open(ring, seal(ring, bytes, AAD), AAD).equals(bytes)).toBe(true);
    expect(open(ring, seal(ring, '', AAD), AAD).length).toBe(0);
  });

  it('round-trips any value for any record (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string(), (plaintext, aad) => {
        expect(open(ring, seal(ring, plaintext, aad), aad).equals(Buffer.from(plaintext))).toBe(true);
      }),
    );
  });

  it('produces a different sealed string every time, with fresh keys and IVs in every part', () => {
    const sealed = Array.from({ length: 50 }, () => seal(ring, 'same secret', AAD));
    expect(new Set(sealed).size).toBe(50);
    for (const index of [2, 3, 4]) {
      expect(new Set(sealed.map((value) => value.split('.')[index])).size).toBe(50);
    }
  });

  it('is self-describing: version, key id and three base64url parts', () => {
    const sealed = seal(ring, 'x', AAD);
    expect(sealed).toMatch(/^sy1\.k1\.[A-Za-z0-9_-]{80}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealedKeyId(sealed)).toBe('k1');
    expect(sealed).not.toContain(Buffer.from('x').toString('base64url'));
  });

  it('does not open for another record', () => {
    const sealed = seal(ring, 'secret', AAD);
    expect(codeOf(() => open(ring, sealed, 'credential:ws_1:cred_2'))).toBe('SY_VAULT_TAMPERED');
    expect(codeOf(() => open(ring, sealed, ''))).toBe('SY_VAULT_TAMPERED');
  });

  it('does not open under a different key that has the same id', () => {
    const sealed = seal(ring, 'secret', AAD);
    const impostor = new KeyRing([{ id: 'k1', key: randomBytes(32) }]);
    expect(codeOf(() => open(impostor, sealed, AAD))).toBe('SY_VAULT_TAMPERED');
  });

  it('fails closed when any byte of any binary part is flipped', () => {
    const sealed = seal(ring, 'a secret worth protecting', AAD);
    const parts = sealed.split('.');
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      for (let position = 0; position < bytes.length; position++) {
        for (const bit of [0x01, 0x80]) {
          const altered = Buffer.from(bytes);
          altered[position]! ^= bit;
          const forged = parts.with(index, altered.toString('base64url')).join('.');
          expect(
            codeOf(() => open(ring, forged, AAD)),
            `part ${index} byte ${position}`,
          ).toBe('SY_VAULT_TAMPERED');
        }
      }
    }
  });

  it('fails closed when any character of the sealed string is changed', () => {
    const twoKeys = new KeyRing([k1, k2]);
    const sealed = seal(twoKeys, 'a secret worth protecting', AAD);
    const keyIdEnd = 'sy1.k1'.length;
    for (let position = 0; position < sealed.length; position++) {
      for (const replacement of ['A', 'B', '2', '-', '.', '=', '!']) {
        if (sealed[position] === replacement) continue;
        const forged = sealed.slice(0, position) + replacement + sealed.slice(position + 1);
        const code = codeOf(() => open(twoKeys, forged, AAD));
        // Only a key id that names no configured key can say so; everything else is plain tampering.
        const allowed =
          position < keyIdEnd && !twoKeys.ids.includes(forged.split('.')[1] ?? '')
            ? ['SY_VAULT_TAMPERED', 'SY_VAULT_KEY_MISSING']
            : ['SY_VAULT_TAMPERED'];
        expect(allowed, `position ${position} → ${replacement}`).toContain(code);
      }
    }
  });

  it('fails closed when the key id is swapped for another configured key', () => {
    const twoKeys = new KeyRing([k1, k2]);
    const sealed = seal(twoKeys, 'secret', AAD);
    expect(codeOf(() => open(twoKeys, sealed.replace('.k1.', '.k2.'), AAD))).toBe('SY_VAULT_TAMPERED');
  });

  it('fails closed on truncation, extension and foreign formats', () => {
    const sealed = seal(ring, 'secret', AAD);
    for (let length = 0; length < sealed.length; length++) {
      expect(
        codeOf(() => open(ring, sealed.slice(0, length), AAD)),
        `length ${length}`,
      ).toBe('SY_VAULT_TAMPERED');
    }
    for (const forged of [
      `${sealed}A`,
      `${sealed}.`,
      `${sealed}.AAAA`,
      sealed.replace('sy1.', 'sy2.'),
      sealed.replace(/^sy1\./, ''),
      `${sealed.slice(0, -1)}+`,
      `${sealed.slice(0, -1)}=`,
      `${sealed}==`,
      ` ${sealed}`,
      'not sealed at all',
    ]) {
      expect(
        codeOf(() => open(ring, forged, AAD)),
        forged,
      ).toBe('SY_VAULT_TAMPERED');
    }
  });

  it('keeps plaintext and key bytes out of its error messages', () => {
    const sealed = seal(ring, 'hunter2-plaintext', AAD);
    const error = failure(() => open(ring, sealed, `${AAD}:elsewhere`));
    const text = JSON.stringify(error.toData());
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(k1.key.toString('base64'));
    expect(text).not.toContain(k1.key.toString('hex'));
  });
});

describe('key rotation', () => {
  it('opens old records while the old key stays in the ring, and names the key once it is gone', () => {
    const sealedUnderK1 = seal(new KeyRing([k1]), 'secret', AAD);
    const rotated = new KeyRing([k2, k1]);
    expect(open(rotated, sealedUnderK1, AAD).toString()).toBe('secret');
    expect(sealedKeyId(seal(rotated, 'new', AAD))).toBe('k2');

    const error = failure(() => open(new KeyRing([k2]), sealedUnderK1, AAD));
    expect(error.code).toBe('SY_VAULT_KEY_MISSING');
    expect(error.message).toContain('"k1"');
    expect(error.details).toEqual({ keyId: 'k1' });
  });

  it('rewrap moves the data key under the current key without touching the data ciphertext', () => {
    const sealedUnderK1 = seal(new KeyRing([k1]), 'secret', AAD);
    const rotated = new KeyRing([k2, k1]);
    const rewrapped = rewrap(rotated, sealedUnderK1, AAD);
    expect(sealedKeyId(rewrapped)).toBe('k2');
    expect(rewrapped.split('.').slice(3)).toEqual(sealedUnderK1.split('.').slice(3));
    expect(rewrapped.split('.')[2]).not.toBe(sealedUnderK1.split('.')[2]);
    // The old key can be dropped now.
    expect(open(new KeyRing([k2]), rewrapped, AAD).toString()).toBe('secret');
    expect(codeOf(() => open(new KeyRing([k2]), rewrapped, 'credential:other'))).toBe('SY_VAULT_TAMPERED');
  });

  it('rewrap leaves a value already under the current key as it is', () => {
    const sealed = seal(ring, 'secret', AAD);
    expect(rewrap(ring, sealed, AAD)).toBe(sealed);
  });

  it('rewrap refuses tampered data, a wrong record and a missing key', () => {
    const rotated = new KeyRing([k2, k1]);
    const sealed = seal(new KeyRing([k1]), 'secret', AAD);
    const data = Buffer.from(sealed.split('.')[4]!, 'base64url');
    data[0]! ^= 1;
    const forged = sealed.split('.').with(4, data.toString('base64url')).join('.');
    expect(codeOf(() => rewrap(rotated, forged, AAD))).toBe('SY_VAULT_TAMPERED');
    expect(codeOf(() => rewrap(rotated, sealed, 'credential:other'))).toBe('SY_VAULT_TAMPERED');
    expect(codeOf(() => rewrap(new KeyRing([k2]), sealed, AAD))).toBe('SY_VAULT_KEY_MISSING');
  });

  it('sealedKeyId refuses what is not a sealed value', () => {
    expect(codeOf(() => sealedKeyId('sy1.k1.x'))).toBe('SY_VAULT_TAMPERED');
  });
});
