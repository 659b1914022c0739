import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { secretForms } from './secret-forms.ts';
import { REDACTED, SecretRedactor } from './secret-redactor.ts';

function redactorWith(...secrets: string[]): SecretRedactor {
  const redactor = new SecretRedactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

describe('SecretRedactor.redactString', () => {
  it('replaces every occurrence of the secret and of each encoded form', () => {
    const secret = 'pa"ss/wo+rd ü€ 1234 &=???~';
    const redactor = redactorWith(secret);
    const forms = {
      plain: secret,
      json: JSON.stringify(secret).slice(1, -1),
      uri: encodeURIComponent(secret),
      form: new URLSearchParams({ s: secret }).toString().slice(2),
      base64: Buffer.from(secret).toString('base64'),
      base64url: Buffer.from(secret).toString('base64url'),
      unpadded: Buffer.from(secret).toString('base64').replace(/=+$/, ''),
    };
    // Each form differs from the others, so each one is really tested.
    expect(new Set(Object.values(forms)).size).toBe(7);
    for (const [name, form] of Object.entries(forms)) {
      expect(redactor.redactString(`before ${form} middle ${form}after`), name).toBe(
        `before ${REDACTED} middle ${REDACTED}after`,
      );
    }
    expect(redactor.redactString(JSON.stringify({ token: secret }))).toBe(`{"token":"${REDACTED}"}`);
    expect(redactor.redactString(`Authorization: Basic ${Buffer.from(secret).toString('base64')}`)).toBe(
      `Authorization: Basic ${REDACTED}`,
    );
  });

  it('redacts the longest secret whole when one contains another, and leaves nothing of overlapping ones', () => {
    const redactor = redactorWith('secret', 'secret-extended', 'abcdef', 'defghi');
    expect(redactor.redactString('x secret-extended y')).toBe(`x ${REDACTED} y`);
    expect(redactor.redactString('x secret y')).toBe(`x ${REDACTED} y`);
    expect(redactor.redactString('abcdefghi!')).toBe(`${REDACTED}!`);
    expect(redactor.redactString('defghiabcdef')).toBe(REDACTED);
    expect(redactor.redactString('abcdef defghi')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('treats regular expression metacharacters in secrets literally', () => {
    const secret = '^a.b*c+d?(e)[f]{2}|g\\h$/-';
    const redactor = redactorWith(secret);
    expect(redactor.redactString(`<${secret}>`)).toBe(`<${REDACTED}>`);
    expect(redactor.redactString('aXbbbcd')).toBe('aXbbbcd');
    expect(redactorWith('.*.*').redactString('anything at all')).toBe('anything at all');
  });

  it('ignores secrets shorter than four characters', () => {
    const redactor = redactorWith('', 'a', 'ab', 'abc');
    expect(redactor.size).toBe(0);
    expect(redactor.redactString('abc abc')).toBe('abc abc');
    redactor.add('abcd');
    expect(redactor.size).toBe(1);
    expect(redactor.redactString('abc abcd')).toBe(`abc ${REDACTED}`);
  });

  it('returns the very same string when nothing matches', () => {
    const text = 'nothing secret here';
    expect(new SecretRedactor().redactString(text)).toBe(text);
    expect(redactorWith('hunter2!').redactString(text)).toBe(text);
  });

  it('keeps at most 10,000 secrets, dropping the oldest, and refreshes one added again', () => {
    const redactor = new SecretRedactor();
    for (let index = 0; index < 10_000; index++) redactor.add(`secret-${index}`);
    redactor.add('secret-0');
    redactor.add('one more secret');
    expect(redactor.size).toBe(10_000);
    expect(redactor.redactString('secret-1;')).toBe('secret-1;');
    expect(redactor.redactString('secret-0;')).toBe(`${REDACTED};`);
    expect(redactor.redactString('one more secret')).toBe(REDACTED);
  });

  it('never lets a registered secret through (property)', () => {
    const secret = fc.string({ minLength: 4, maxLength: 12, unit: 'grapheme' });
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 5 }),
        fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.nat({ max: 4 })), { maxLength: 12 }),
        (secrets, pieces) => {
          const redactor = redactorWith(...secrets);
          const text = pieces
            .map((piece) => (typeof piece === 'number' ? (secrets[piece] ?? '') : piece))
            .join('');
          // What survives between markers must hold no secret; the marker itself may, harmlessly, spell one.
          for (const survivor of redactor.redactString(text).split(REDACTED)) {
            for (const form of secrets.flatMap(secretForms)) expect(survivor).not.toContain(form);
          }
        },
      ),
    );
  });

  it('stays fast with many strings and secrets (loose benchmark)', () => {
    const secrets = Array.from(
      { length: 100 },
      (_, index) => `sk-${index}-${(index * 7919).toString(36)}-token`,
    );
    const redactor = redactorWith(...secrets);
    const filler = 'lorem ipsum dolor sit amet, {"key": "value", "n": 12345} '.repeat(18).slice(0, 1000);
    const texts = Array.from({ length: 10_000 }, (_, index) =>
      index % 100 === 0
        ? `${filler.slice(0, 500)}${secrets[index % 100]}${filler.slice(500)}`
        : `${index}${filler}`,
    );
    const started = performance.now();
    let redacted = 0;
    for (const text of texts) if (redactor.redactString(text) !== text) redacted++;
    const elapsed = performance.now() - started;
    expect(redacted).toBe(100);
    // Typically tens of milliseconds; the bound only catches a quadratic regression, not a slow machine.
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe('SecretRedactor.redactValue', () => {
  const secret = 'sk-live-0123456789';

  it('redacts strings deeply, object keys included, copying only what changed', () => {
    const redactor = redactorWith(secret);
    const untouched = { a: [1, 2, { b: 'c' }] };
    const value = {
      headers: { authorization: `Bearer ${secret}` },
      [secret]: 'used as a key',
      list: [1, 'plain', [`deep ${secret}`]],
      untouched,
      flag: true,
      nothing: null,
    };
    const result = redactor.redactValue(value);
    expect(result).toEqual({
      headers: { authorization: `Bearer ${REDACTED}` },
      [REDACTED]: 'used as a key',
      list: [1, 'plain', [`deep ${REDACTED}`]],
      untouched,
      flag: true,
      nothing: null,
    });
    expect(result.untouched).toBe(untouched);
    expect(JSON.stringify(value)).toContain(secret);
  });

  it('returns the same reference when nothing changes', () => {
    const redactor = redactorWith(secret);
    const value = { a: { b: ['x', { c: 'y' }] }, d: 1 };
    expect(redactor.redactValue(value)).toBe(value);
    expect(new SecretRedactor().redactValue(value)).toBe(value);
    expect(redactor.redactValue('plain')).toBe('plain');
    expect(redactor.redactValue(42)).toBe(42);
    expect(redactor.redactValue(undefined)).toBeUndefined();
  });

  it('keeps a "__proto__" key a plain key', () => {
    const redactor = redactorWith(secret);
    const value = JSON.parse(`{"__proto__": {"polluted": "${secret}"}}`) as Record<string, unknown>;
    const result = redactor.redactValue(value);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__']);
    expect(JSON.stringify(result)).toBe(`{"__proto__":{"polluted":"${REDACTED}"}}`);
  });

  it('redacts errors into errors of the same class, message and stack included', () => {
    const redactor = redactorWith(secret);
    const error = new TypeError(`request failed with ${secret}`, { cause: new Error(`inner ${secret}`) });
    const result = redactor.redactValue(error);
    expect(result).toBeInstanceOf(TypeError);
    expect(result.message).toBe(`request failed with ${REDACTED}`);
    expect(result.stack).not.toContain(secret);
    expect((result.cause as Error).message).toBe(`inner ${REDACTED}`);
    expect(Object.keys(result)).toEqual([]);
    expect(error.message).toContain(secret);
  });

  it('cuts cycles instead of recursing forever', () => {
    const redactor = redactorWith(secret);
    const value: Record<string, unknown> = { token: secret };
    value.self = value;
    expect(redactor.redactValue(value)).toEqual({ token: REDACTED, self: '[Circular]' });
  });

  it('leaves other objects alone', () => {
    const redactor = redactorWith(secret);
    const date = new Date();
    const map = new Map([[secret, secret]]);
    expect(redactor.redactValue(date)).toBe(date);
    expect(redactor.redactValue(map)).toBe(map);
  });
});
