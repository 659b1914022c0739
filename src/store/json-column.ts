/**
 * @module JSON values in and out of text columns. Both backends hand the column back as text (the
 * PostgreSQL pool's type parser leaves `json` unparsed), so one codec serves both.
 */

/** A value that must be present: `undefined` (not JSON) is stored as `null`. */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** A value that may be absent: null and undefined both become SQL NULL. */
export function toNullableJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function fromJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}
