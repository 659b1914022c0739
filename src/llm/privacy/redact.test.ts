import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { luhnValid } from './checksums.ts';
import { compilePiiRedactor, redactMessages } from './redact.ts';

const redact = compilePiiRedactor({ kinds: ['email', 'phone', 'card', 'iban'] });

/** [text, expected redaction] */
const POSITIVES: readonly (readonly [string, string])[] = [
  ['mail jane.doe@example.com today', 'mail [EMAIL] today'],
  ['JOHN.SMITH@EXAMPLE.ORG', '[EMAIL]'],
  ['plus addressing: jane+newsletter@example.co.uk.', 'plus addressing: [EMAIL].'],
  ['sub.domain: ops@eu-west.mail.example.io', 'sub.domain: [EMAIL]'],
  ['digits a1b2_c3@x9.example.net', 'digits [EMAIL]'],
  ['<mailto:support@example.com>', '<mailto:[EMAIL]>'],
  ['two: a@example.com, b@example.de', 'two: [EMAIL], [EMAIL]'],
  ['"o\'brien"? no: obrien%test@example.travel', '"o\'brien"? no: [EMAIL]'],
  ['call +1 (555) 123-4567 now', 'call [PHONE] now'],
  ['+44 20 7946 0958', '[PHONE]'],
  ['+44 (0)20 7946 0958', '[PHONE]'],
  ['+49 30 12345678', '[PHONE]'],
  ['+33 1 23 45 67 89', '[PHONE]'],
  ['+61.2.9876.5432', '[PHONE]'],
  ['+4930123456789', '[PHONE]'],
  ['+34 912 345 678', '[PHONE]'],
  ['(555) 123-4567', '[PHONE]'],
  ['555-123-4567', '[PHONE]'],
  ['555.123.4567', '[PHONE]'],
  ['Tel: 020 7946 0958', 'Tel: [PHONE]'],
  ['ring 06 12 34 56 78 later', 'ring [PHONE] later'],
  ['Büro: 030 1234567', 'Büro: [PHONE]'],
  ['(0 30) not; (030) 1234 5678', '(0 30) not; [PHONE]'],
  ['card 4111 1111 1111 1111 exp', 'card [CARD] exp'],
  ['4111-1111-1111-1111', '[CARD]'],
  ['5500000000000004', '[CARD]'],
  ['amex 3782 822463 10005.', 'amex [CARD].'],
  ['visa 4222222222222', 'visa [CARD]'],
  ['paid with 6011 1111 1111 1117, thanks', 'paid with [CARD], thanks'],
  ['order 12 4111 1111 1111 1111', 'order 12 [CARD]'],
  ['flight LH400 4111111111111111', 'flight LH400 [CARD]'],
  ['IBAN DE89 3704 0044 0532 0130 00 EUR', 'IBAN [IBAN] EUR'],
  ['GB29NWBK60161331926819', '[IBAN]'],
  ['GB29 NWBK 6016 1331 9268 19', '[IBAN]'],
  ['to FR14 2004 1010 0505 0001 3M02 606.', 'to [IBAN].'],
  ['NL91ABNA0417164300', '[IBAN]'],
];

/** Ordinary text that must come back unchanged. */
const NEGATIVES: readonly string[] = [
  'The meeting is on 2024-05-12 at 10:30.',
  'Logged at 2024-05-12 10:30:45.123Z',
  'Released 12.05.2024 and 31/12/2023',
  'Run from 09:00 to 17:30, timeout 00:05:00',
  'Upgrade to version 1.2.3 or 10.0.19041.1234',
  'node v24.11.1, TypeScript 7.0.0-beta',
  'Server at 192.168.100.200 and 10.0.0.1',
  'IPv6 fe80::1ff:fe23:4567:890a',
  'Total: $1,234.56 or 1.234,56 € or 1 234 567,89 €',
  'Population 8 100 000 000 people',
  'Revenue grew to 123 456 789 units',
  'Order #12345 and order #555-123-4567',
  'In 1999, 2004 and 2024 we grew.',
  'ISBN 978-3-16-148410-0 and ISBN 0-306-40615-2',
  'ZIP 90210-1234, postcode SW1A 1AA, PLZ 10115',
  'Tracking 4111 1111 1111 1112 (fails Luhn)',
  'Tracking 1234 5678 9012',
  'UPS 1Z 999 AA1 0123 4567 84',
  'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'commit 91490b6 and 85ef39f',
  'id 123e4567-e89b-12d3-a456-426614174000',
  'uuid 12345678-1234-1234-1234-123456789012',
  'token abc5551234567xyz and ID_555-123-4567',
  'compute 3 * 4 + 12 = 24, or 1000 - 250 = 750',
  '123 + 456 - 789 = -210',
  'pi is 3.14159265358979 and e is 2.718281828',
  'coordinates 48.858844, 2.294351',
  'timestamp 1715520000000 ms',
  'epoch 1715520000',
  '@Component({ selector: "app" }) class A {}',
  'ping @alice and @bob-smith on Slack',
  'user@localhost is the default',
  'git clone git@github.com:org/repo.git',
  'npm i lodash@4.17.21 react@latest @types/node@24.0.1',
  'const x = a@b; // decorator-ish',
  'matrix [[1, 2], [3, 4]]',
  'port 8080, pid 4521, exit code 137',
  'Call me at 555-1234',
  'numbers 12345 67890 11111 22222 33333',
  'serial 123 456 789 012 345 678',
  'A random product code AB12CDEFGHIJKLMN',
  'Chapter 12, verse 3-4, pages 100-250',
  'Sizes: 1920x1080, 2560x1440',
  'US SSN format 123-45-6789 is not handled here',
  'float 0.30000000000000004',
  'DE00 0000 0000 0000 0000 00 is not a valid IBAN',
];

describe('compilePiiRedactor', () => {
  it.each(POSITIVES)('redacts %j', (text, expected) => {
    expect(redact(text).text).toBe(expected);
  });

  it.each(NEGATIVES)('leaves ordinary text alone: %j', (text) => {
    expect(redact(text)).toEqual({ text, found: {} });
  });

  it('has enough cases', () => {
    expect(POSITIVES.length).toBeGreaterThanOrEqual(30);
    expect(NEGATIVES.length).toBeGreaterThanOrEqual(40);
  });

  it('counts items per kind', () => {
    const result = redact('a@example.com, b@example.org, +1 555 123 4567, 4111111111111111');
    expect(result.found).toEqual({ email: 2, card: 1, phone: 1 });
  });

  it('redacts only the configured kinds', () => {
    const emailOnly = compilePiiRedactor({ kinds: ['email'] });
    expect(emailOnly('a@example.com 4111111111111111').text).toBe('[EMAIL] 4111111111111111');
  });

  it('uses a custom replacement with a per-kind index', () => {
    const numbered = compilePiiRedactor({ kinds: ['email'], replacement: (kind, i) => `<${kind}#${i}>` });
    expect(numbered('a@example.com b@example.com').text).toBe('<email#0> <email#1>');
  });

  it('applies custom patterns after the built-in kinds', () => {
    const custom = compilePiiRedactor({
      kinds: ['email'],
      patterns: [{ name: 'employee_id', regex: 'emp-\\d{6}', flags: 'i' }],
    });
    expect(custom('EMP-123456 wrote to x@example.com')).toEqual({
      text: '[EMPLOYEE_ID] wrote to [EMAIL]',
      found: { email: 1, employee_id: 1 },
    });
  });

  it.each([
    [{ name: 'bad', regex: '(unclosed' }, /bad.*not usable/],
    [{ name: 'lookahead', regex: 'a(?=b)' }, /lookahead.*not usable/],
    [{ name: 'backref', regex: '(a)\\1' }, /backref.*not usable/],
    [{ name: 'empty', regex: 'x*' }, /empty.*matches empty/],
    [{ name: 'flags', regex: 'x', flags: 'y' }, /flags.*unsupported flags/],
    [{ name: '9lives', regex: 'x' }, /9lives.*not valid/],
    [{ name: 'email', regex: 'x' }, /email.*used twice/],
  ])('refuses the pattern %j', (pattern, message) => {
    let thrown: unknown;
    try {
      compilePiiRedactor({ kinds: [], patterns: [pattern] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SwitchyardError);
    expect((thrown as SwitchyardError).code).toBe('SY_CONFIG_INVALID');
    expect((thrown as SwitchyardError).message).toMatch(message);
  });

  it('runs custom patterns in linear time, so a nested quantifier cannot hang the process', () => {
    const nested = compilePiiRedactor({ kinds: [], patterns: [{ name: 'nested', regex: '(a+)+$' }] });
    const started = performance.now();
    expect(nested(`${'a'.repeat(100_000)}!`).found).toEqual({});
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses an unknown kind', () => {
    expect(() => compilePiiRedactor({ kinds: ['ssn' as 'email'] })).toThrow(/Unknown PII kind "ssn"/);
  });

  it('redacts texts longer than one slice without cutting an item', () => {
    const filler = 'lorem ipsum '.repeat(87_381); // 1,048,572 chars: the e-mail straddles 1 MiB
    const result = redact(`${filler}jane.doe@example.com and more`);
    expect(result.found).toEqual({ email: 1 });
    expect(result.text.endsWith('[EMAIL] and more')).toBe(true);
  });

  const piece = fc.oneof(
    fc.constantFrom(
      'jane@example.com',
      '+44 20 7946 0958',
      '(555) 123-4567',
      '4111 1111 1111 1111',
      '5500-0000-0000-0004',
      'DE89 3704 0044 0532 0130 00',
      '2024-05-12',
      '10:30',
      '1.2.3',
      '192.168.0.1',
      '@dev',
      '#123',
      '[EMAIL]',
    ),
    fc.string({ unit: fc.constantFrom(...'0123456789 -.+()@:/[]#,aZ_'.split('')), maxLength: 24 }),
  );
  const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

  it('is idempotent: redacting twice is redacting once', () => {
    fc.assert(
      fc.property(text, (input) => {
        const once = redact(input);
        const twice = redact(once.text);
        expect(twice.text).toBe(once.text);
        expect(twice.found).toEqual({});
      }),
      { numRuns: 3000 },
    );
  });

  const card16 = fc
    .array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 })
    .chain((body) =>
      fc.integer({ min: 2, max: 6 }).map((first) => withLuhnDigit(`${first}${body.join('')}`)),
    );
  const spacer = fc.constantFrom(' ', ', ', '\n', ' (', ') ', ': ', '. ');

  it('never leaves a Luhn-valid 16-digit card standing on its own', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(text, card16), spacer), { maxLength: 8 }), (parts) => {
        const out = redact(parts.map(([p, s]) => p + s).join('')).text;
        // Printed as a card: one block of 16, or four groups of four with one separator.
        for (const card of out.match(/(?<![\w.])(?:\d{16}|\d{4}([ -])\d{4}\1\d{4}\1\d{4})(?!\w)/g) ?? []) {
          const digits = card.replace(/\D/g, '');
          expect(/^[2-6]/.test(digits) && luhnValid(digits)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

function withLuhnDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${partial}${d}`)) return `${partial}${d}`;
  throw new Error('unreachable');
}

describe('redactMessages', () => {
  it('redacts string content and text parts, leaves other parts, and sums the counts', () => {
    const image = { type: 'image', image: 'https://example.com/a@b.com.png' };
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'I am jane@example.com' },
      { role: 'user', content: [{ type: 'text', text: 'call +1 555 123 4567 or x@example.org' }, image] },
      { role: 'tool', content: { result: 'a@example.com' } },
    ];
    const result = redactMessages(messages, redact);
    expect(result.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'I am [EMAIL]' },
      { role: 'user', content: [{ type: 'text', text: 'call [PHONE] or [EMAIL]' }, image] },
      { role: 'tool', content: { result: 'a@example.com' } },
    ]);
    expect(result.found).toEqual({ email: 2, phone: 1 });
    expect(messages[1]!.content).toBe('I am jane@example.com');
  });
});
