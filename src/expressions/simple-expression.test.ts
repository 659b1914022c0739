/**
 * The simple evaluator against JSONata itself: for random expressions of its forms (and of forms
 * next to them) over random data, it either gives JSONata's answer or says UNSURE — never another
 * answer, and never an answer where JSONata throws.
 */
import fc from 'fast-check';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { toJsonResult } from './json-result.ts';
import { simpleEvaluator, UNSURE } from './simple-expression.ts';
import { WeightMeter } from './value-weight.ts';

const NAMES = ['a', 'b', 'total', 'x1'] as const;

const data = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -5, max: 200 }),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    fc.constantFrom('', 'a', 'b', 'Total', '100'),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...NAMES), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const path = fc
  .array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 })
  .map((names) => names.join('.'));
const literal = fc.oneof(
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.constantFrom('"a"', '"b"', '""', '"100"', 'true', 'false', 'null', '2.5'),
);
const operand = fc.oneof(path, literal);
const comparison = fc
  .tuple(operand, fc.constantFrom('=', '!=', '<', '<=', '>', '>='), operand)
  .map(([lhs, op, rhs]) => `${lhs} ${op} ${rhs}`);
const pairValue = fc.oneof(operand, comparison);
const object = fc
  .array(fc.tuple(fc.constantFrom(...NAMES, '_jsonata_lambda', '1'), pairValue), {
    minLength: 1,
    maxLength: 3,
  })
  .map((pairs) => `{ ${pairs.map(([key, value]) => `"${key}": ${value}`).join(', ')} }`);
/** Forms just outside the subset, which it must refuse or leave to JSONata. */
const neighbour = fc.oneof(
  path.map((p) => `${p}[0]`),
  path.map((p) => `${p}[]`),
  path.map((p) => `$.${p}`),
  fc.tuple(operand, operand).map(([l, r]) => `${l} and ${r}`),
  fc.tuple(operand, operand).map(([l, r]) => `${l} + ${r}`),
  path.map((p) => `(${p})`),
);
const expression = fc.oneof(path, literal, comparison, object, neighbour);

const normalised = (value: unknown) => toJsonResult(value, 1_000_000).value;

describe('the simple evaluator', () => {
  it('gives JSONata’s answer or says UNSURE, for any expression of its forms over any data', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(expression, data, async (source, context) => {
        const compiled = jsonata(source);
        const simple = simpleEvaluator(compiled.ast());
        if (!simple) return;
        const fast = simple(context, () => {});
        if (fast === UNSURE) return;
        answered++;
        const slow = await compiled.evaluate(context);
        expect(normalised(fast)).toEqual(normalised(slow));
      }),
      { numRuns: 3000 },
    );
    // The subset is used, not refused: most expressions of its forms are answered.
    expect(answered).toBeGreaterThan(1000);
  });

  it('refuses forms outside the subset', () => {
    for (const source of [
      'a[0]',
      'a[]',
      '$.a',
      '$x',
      'a and b',
      'a + 1',
      '(a)',
      'a.*',
      '$sum(a)',
      '{ "a": 1, "a": 2 }',
    ]) {
      expect(simpleEvaluator(jsonata(source).ast()), source).toBeUndefined();
    }
  });

  it('measures what a path finds and what an object builds, as the guard does for JSONata', () => {
    const meter = new WeightMeter(20);
    const measure = (value: unknown) => {
      meter.measure(value);
    };
    const evaluate = (source: string, context: unknown) =>
      simpleEvaluator(jsonata(source).ast())!(context, measure);
    expect(evaluate('a', { a: 'short' })).toBe('short');
    expect(() => evaluate('a', { a: 'x'.repeat(40) })).toThrow(/larger|limit|bytes/i);
    expect(() => evaluate('{ "k": a, "l": a }', { a: 'x'.repeat(9) })).toThrow(/larger|limit|bytes/i);
  });
});
