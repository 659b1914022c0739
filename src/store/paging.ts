/**
 * @module Keyset pagination: a page ends at a (time, id) position, and the next page starts strictly
 * after it, so rows inserted meanwhile never shift a page and each row is seen once.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { Page, PageRequest } from './ports.ts';

export interface Position {
  readonly at: number;
  readonly id: string;
}

const MAX_LIMIT = 500;

export function pageLimit(page: PageRequest): number {
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(page.limit) || 1));
}

/** Opaque to callers: base64url of `[at, id]`. */
export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    Number.isFinite(parsed[0]) &&
    typeof parsed[1] === 'string'
  ) {
    return { at: parsed[0] as number, id: parsed[1] };
  }
  throw new SwitchyardError('SY_INPUT_INVALID', 'The page cursor is not one this store issued.', {
    hint: 'Pass the `next` value of the previous page unchanged, or omit it to start from the first page.',
    details: { cursor },
  });
}

/** `rows` holds up to limit + 1 rows: the extra one only says that another page exists. */
export function toPage<R, T>(
  rows: readonly R[],
  limit: number,
  position: (row: R) => Position,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = rows[limit - 1];
  return rows.length > limit && last !== undefined
    ? { items, next: encodeCursor(position(last)) }
    : { items };
}
