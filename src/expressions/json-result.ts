/**
 * @module Turns what JSONata returned into plain JSON data, within the output size limit.
 *
 * JSONata hands back its internal shapes: sequences (arrays with extra flags), objects with a null
 * prototype, function values, and references into the caller's data. The result is copied into
 * fresh arrays and ordinary objects, so it shares nothing with the variables and survives a JSON
 * round trip unchanged, which is what a checkpoint needs.
 */
import { Buffer } from 'node:buffer';
import { ExpressionFault } from './fault.ts';
import { isJsonataFunction, MAX_NESTING } from './value-weight.ts';

export interface JsonResult {
  /** `undefined` when the expression produced nothing. */
  readonly value: unknown;
  readonly bytes: number;
}

export function toJsonResult(value: unknown, maxBytes: number): JsonResult {
  const budget = { used: 0, maxBytes };
  const copy = copyValue(value, 0, budget);
  return { value: copy, bytes: budget.used };
}

/**
 * How a value reads inside a mixed string: the same text JSONata's `&` produces (strings as they
 * are, numbers to 15 significant digits, data as JSON); nothing becomes the empty string.
 */
export function interpolationText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, roundNumbers) ?? '';
}

function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(15)) : value;
}

interface Budget {
  used: number;
  readonly maxBytes: number;
}

function copyValue(value: unknown, depth: number, budget: Budget): unknown {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
      charge(budget, Buffer.byteLength(value) + 2);
      return value;
    case 'number':
      if (!Number.isFinite(value))
        throw new ExpressionFault('SY_EXPR_EVAL', `the result ${value} is not a JSON number`);
      charge(budget, String(value).length);
      return value;
    case 'boolean':
      charge(budget, value ? 4 : 5);
      return value;
    case 'object':
      if (value === null) {
        charge(budget, 4);
        return null;
      }
      return copyContainer(value, depth, budget);
    default:
      throw returnedFunction();
  }
}

function copyContainer(value: object, depth: number, budget: Budget): unknown {
  if (isJsonataFunction(value)) throw returnedFunction();
  if (depth >= MAX_NESTING) {
    throw new ExpressionFault('SY_EXPR_LIMIT', `the result is nested deeper than ${MAX_NESTING} levels`);
  }
  charge(budget, 2);
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      charge(budget, 1);
      // As in JSON, a hole in an array is null.
      items.push(copyValue(item, depth + 1, budget) ?? null);
    }
    return items;
  }
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const item = copyValue(record[key], depth + 1, budget);
    if (item === undefined) continue;
    charge(budget, Buffer.byteLength(key) + 4);
    if (key === '__proto__') {
      // Assignment would set the prototype; defineProperty keeps the key as data.
      Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    } else {
      copy[key] = item;
    }
  }
  return copy;
}

function charge(budget: Budget, bytes: number): void {
  budget.used += bytes;
  if (budget.used > budget.maxBytes) {
    throw new ExpressionFault(
      'SY_EXPR_LIMIT',
      `the result is larger than ${budget.maxBytes} bytes (maxOutputBytes)`,
      'Return less data, e.g. pick the fields you need or slice the list.',
    );
  }
}

function returnedFunction(): ExpressionFault {
  return new ExpressionFault(
    'SY_EXPR_EVAL',
    'the expression returned a function, which is not data',
    'Call the function, e.g. `$f(x)` instead of `$f`.',
  );
}
