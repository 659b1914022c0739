/**
 * @module Approximate JSON size of the values an evaluation builds or reads, memoised per object so
 * that a value made of shared sub-values is measured as what it expands to (its JSON), in time
 * proportional to its distinct objects.
 *
 * The memo assumes values are not changed once measured: JSONata never changes a value it has
 * returned, and the variables an engine is given (node outputs, inputs) are immutable records.
 * A value changed later would keep its old weight, which only loosens the bound.
 */
import { ExpressionFault } from './fault.ts';

/** Deeper data is refused rather than walked: it would only ever come from a runaway expression. */
export const MAX_NESTING = 512;

/**
 * Smaller values are walked again when met again instead of being remembered: most values an
 * expression makes are small and short-lived, and a WeakMap entry for each slows the collector.
 * Walking a value then costs at most this much per child that is not remembered.
 */
const REMEMBER_FROM = 256;

export class WeightMeter {
  readonly #limit: number;
  readonly #memo = new WeakMap<object, number>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The approximate JSON size of `value`; throws SY_EXPR_LIMIT once it is over the limit. */
  measure(value: unknown): number {
    const weight = this.#weigh(value, 0);
    if (weight > this.#limit) throw this.#tooLarge();
    return weight;
  }

  #weigh(value: unknown, depth: number): number {
    switch (typeof value) {
      case 'string':
        return value.length + 2;
      case 'number':
        return 8;
      case 'boolean':
        return 5;
      case 'object':
        return value === null ? 4 : this.#weighObject(value, depth);
      default:
        // undefined is dropped from JSON and functions serialise as nothing.
        return 0;
    }
  }

  #weighObject(value: object, depth: number): number {
    const known = this.#memo.get(value);
    if (known !== undefined) return known;
    // JSONata functions hold their whole environment: never walk into one.
    if (isJsonataFunction(value)) return 0;
    if (depth > MAX_NESTING) {
      throw new ExpressionFault('SY_EXPR_LIMIT', `a value is nested deeper than ${MAX_NESTING} levels`);
    }
    let total = 2;
    if (Array.isArray(value)) {
      for (const item of value) {
        total += this.#weigh(item, depth + 1) + 1;
        if (total > this.#limit) throw this.#tooLarge();
      }
    } else {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        total += key.length + 4 + this.#weigh(record[key], depth + 1);
        if (total > this.#limit) throw this.#tooLarge();
      }
    }
    if (total >= REMEMBER_FROM) this.#memo.set(value, total);
    return total;
  }

  #tooLarge(): ExpressionFault {
    return new ExpressionFault(
      'SY_EXPR_LIMIT',
      `a value grew past ${this.#limit} bytes (maxValueBytes) while the expression ran`,
    );
  }
}

/** JSONata's marks for its own function values (built-ins and lambdas). */
export function isJsonataFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  const marks = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return marks._jsonata_function === true || marks._jsonata_lambda === true;
}
