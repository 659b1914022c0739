/**
 * @module `$distinct` in linear time. JSONata's version compares every item with every kept item
 * (quadratic: 100,000 items took seconds in one uninterruptible call); this one keys each item by
 * a canonical encoding of its deep value, with the same notion of equality as JSONata's
 * `isDeepEqual`: object keys in any order, functions equal only to themselves.
 */
import type { Focus } from './natives.ts';

export function distinct(this: Focus, values: unknown): unknown {
  if (!Array.isArray(values) || values.length <= 1) return values;
  const kept: unknown[] = isSequence(values) ? (this as unknown as FocusWithSequence).createSequence() : [];
  const seen = new Set<string>();
  const identities = new Map<unknown, number>();
  for (const value of values) {
    const key = canonicalKey(value, identities);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(value);
  }
  return kept;
}

/** JSONata's focus also carries `createSequence`, which its d.ts leaves out. */
interface FocusWithSequence {
  createSequence(): unknown[];
}

function isSequence(values: unknown[]): boolean {
  return (values as { sequence?: unknown }).sequence === true;
}

function canonicalKey(value: unknown, identities: Map<unknown, number>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // String(-0) is "0", as -0 === 0 in JSONata's comparison.
      return `n${String(value)}`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return 'u';
    case 'object':
      if (value === null) return 'z';
      if (isFunctionValue(value)) return identityKey(value, identities);
      if (Array.isArray(value)) return `[${value.map((item) => canonicalKey(item, identities)).join(',')}]`;
      return `{${Object.getOwnPropertyNames(value)
        .sort()
        .map(
          (key) =>
            `${JSON.stringify(key)}:${canonicalKey((value as Record<string, unknown>)[key], identities)}`,
        )
        .join(',')}}`;
    default:
      return identityKey(value, identities);
  }
}

function isFunctionValue(value: object): boolean {
  const marks = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return marks._jsonata_function === true || marks._jsonata_lambda === true;
}

function identityKey(value: unknown, identities: Map<unknown, number>): string {
  let id = identities.get(value);
  if (id === undefined) {
    id = identities.size;
    identities.set(value, id);
  }
  return `#${id}`;
}
