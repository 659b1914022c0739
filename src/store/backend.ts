/**
 * @module What differs between the backends, and only that: the repositories are written once
 * against Kysely and ask the backend for row locks, limits, migrations and error meanings.
 */
import type { Kysely, Migration } from 'kysely';
import type { JournalRepository } from './ports.ts';
import type { Database } from './schema.ts';

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /**
   * PostgreSQL runs writers concurrently, so claims and checkpoints take row locks (FOR UPDATE SKIP
   * LOCKED, FOR SHARE). SQLite runs one write transaction at a time (one connection, BEGIN
   * IMMEDIATE), needs none and has no syntax for them.
   */
  readonly rowLocks: boolean;
  /** Bound parameters per statement: multi-row inserts are cut to stay below it. */
  readonly maxParameters: number;
  /** Versioned migrations, applied in name order. */
  readonly migrations: Readonly<Record<string, Migration>>;
  /** Where Kysely keeps its migration table (PostgreSQL: the connection's current schema). */
  readonly migrationSchema: string | undefined;
  hasTable(db: Kysely<Database>, table: string): Promise<boolean>;
  /** A SwitchyardError for a driver error whose meaning we know; the error itself otherwise. */
  translateError(error: unknown): unknown;
}

/** An open database: the query builder, what kind it is, and how to let go of it. */
export interface StoreConnection {
  readonly db: Kysely<Database>;
  readonly backend: Backend;
  /** Where it is, for messages (a file, or a URL without its password). */
  readonly location: string;
  /** The backend's own journal, when it has a faster one than the shared repository's. */
  readonly journal?: JournalRepository;
  close(): Promise<void>;
}
