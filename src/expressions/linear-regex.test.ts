import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldCase } from './case-fold.ts';
import { ExpressionFault } from './fault.ts';
import { LinearRegExp } from './linear-regex.ts';

/** Every match of a global regex, as [index, text], stepping over empty matches as String#matchAll does. */
function allMatches(regex: RegExp, text: string): [number, string][] {
  const found: [number, string][] = [];
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    found.push([match.index, match[0]]);
    if (match[0] === '') regex.lastIndex++;
  }
  return found;
}

const letters = ['a', 'B', 'k', 'K', 's', 'S', 'é', 'É', 'ß', 'ſ', '\u212a', 'σ', 'Σ', 'ς', 'ǆ', 'ǅ', 'Ǆ'];
const atoms = fc.oneof(
  fc.constantFrom(...letters),
  fc.constantFrom('\\x41', '\\x6b', '\\u00e9', '\\u00C9', '\\d', '\\w', '\\s', '\\.', '.', '\\-'),
  fc.constantFrom(
    '[abc]',
    '[a-f]',
    '[^a-c]',
    '[A-Z0-9]',
    '[\\u00c0-\\u00ff]',
    '[k-m]',
    '[\\w-]',
    '[^\\d]',
    '[σ-ω]',
  ),
);
const pieces = fc.oneof(
  fc.tuple(atoms, fc.constantFrom('', '*', '+', '?', '{1,2}')).map(([atom, quantifier]) => atom + quantifier),
  // Assertions take no quantifier.
  fc.constantFrom('\\b', '\\B', '^', '$'),
);
const patterns = fc.oneof(
  fc.array(pieces, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('')),
  fc
    .tuple(fc.array(pieces, { minLength: 1, maxLength: 3 }), fc.array(pieces, { minLength: 1, maxLength: 3 }))
    .map(([left, right]) => `(?:${left.join('')}|${right.join('')})+`),
);
const texts = fc
  .array(fc.constantFrom(...letters, 'A', 'b', 'c', 'F', 'm', 'M', '1', ' ', '-', 'é', 'ÿ', 'Ÿ', 'ω', 'Ω'), {
    maxLength: 20,
  })
  .map((chars) => chars.join(''));

describe('LinearRegExp', () => {
  it('matches exactly what the backtracking engine matches with the i flag', () => {
    fc.assert(
      fc.property(patterns, texts, (pattern, text) => {
        const native = new RegExp(pattern, 'gi');
        const linear = new LinearRegExp(native);
        expect(allMatches(linear, text)).toEqual(allMatches(native, text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('matches exactly what the backtracking engine matches without the i flag', () => {
    fc.assert(
      fc.property(patterns, texts, (pattern, text) => {
        const native = new RegExp(pattern, 'gm');
        expect(allMatches(new LinearRegExp(native), text)).toEqual(allMatches(native, text));
      }),
      { numRuns: 500 },
    );
  });

  it('runs a catastrophic pattern in linear time', () => {
    const regex = new LinearRegExp(/(a+)+$/g);
    const started = performance.now();
    expect(regex.exec(`${'a'.repeat(200_000)}!`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses patterns the linear engine cannot run', () => {
    for (const pattern of [/(a)\1/g, /a(?=b)/g, /a(?!b)/g]) {
      expect(() => new LinearRegExp(pattern)).toThrow(ExpressionFault);
    }
  });
});

describe('foldCase', () => {
  it('turns letters into classes of their case variants and leaves the rest alone', () => {
    expect(foldCase('a.1')).toBe('[\\u0041\\u0061].1');
    expect(foldCase('\\d+\\.\\b')).toBe('\\d+\\.\\b');
    expect(foldCase('(?<year>y)')).toBe('(?<year>[\\u0059\\u0079])');
    expect(foldCase('[^a-b]')).toBe('[^\\u0061-\\u0062\\u0041-\\u0042]');
  });

  it('follows non-unicode canonicalisation: no non-ASCII letter matches an ASCII one', () => {
    expect(foldCase('\u017f')).toBe('\u017f');
    expect(new RegExp(foldCase('s')).test('\u017f')).toBe(/s/i.test('\u017f'));
    expect(new RegExp(foldCase('k')).test('\u212a')).toBe(/k/i.test('\u212a'));
  });
});
