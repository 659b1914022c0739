/** @module Cuts a list into runs of at most `size`: multi-row statements must stay under the parameter limit. */

export function* chunked<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  const step = Math.max(1, size);
  for (let start = 0; start < items.length; start += step) yield items.slice(start, start + step);
}
