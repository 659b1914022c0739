/**
 * @module The column types that differ between the backends. From the fifth schema on, each
 * migration is written once over these; the backends' index files apply it with their own.
 */
export interface ColumnTypes {
  /** Times, counts and money: SQLite's integer is 64-bit already. */
  readonly int: 'integer' | 'bigint';
  /** JSON documents: text in SQLite; `json` in PostgreSQL (jsonb refuses \\u0000 and lone surrogates). */
  readonly json: 'text' | 'json';
}

export const SQLITE_TYPES: ColumnTypes = { int: 'integer', json: 'text' };
export const POSTGRES_TYPES: ColumnTypes = { int: 'bigint', json: 'json' };
