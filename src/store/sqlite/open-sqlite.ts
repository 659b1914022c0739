/**
 * @module Opens the embedded SQLite database (one file, WAL) for this process alone. Exclusive
 * locking mode makes SQLite hold its file lock until the connection closes, so a second process gets
 * SY_STORE_LOCKED instead of a share of the file; the lock is an OS file lock, which dies with the
 * process, so a killed process leaves nothing stale behind.
 */

import { resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, sql } from 'kysely';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { Backend, StoreConnection } from '../backend.ts';
import type { Database } from '../schema.ts';
import { ImmediateSqliteDialect } from './immediate-dialect.ts';
import { sqliteMigrations } from './migrations/index.ts';
import { nodeSqliteDatabase } from './node-sqlite-database.ts';
import { isSqliteBusy, lockedError, translateSqliteError } from './sqlite-errors.ts';
import { sqliteJournal } from './sqlite-journal.ts';

export interface SqliteOptions {
  readonly file: string;
  /** How long to wait for another process to let go of the file before SY_STORE_LOCKED. */
  readonly lockTimeoutMs?: number;
  /** `full` (default): a commit survives power loss. `normal`: it survives a process crash only. */
  readonly synchronous?: 'full' | 'normal';
}

/** SQLITE_MAX_VARIABLE_NUMBER has been 32766 since SQLite 3.32; Node bundles a newer one. */
const MAX_PARAMETERS = 32_766;

export function openSqliteConnection(options: SqliteOptions): StoreConnection {
  const file = resolve(options.file);
  const database = lockDatabaseFile(file, options);
  const backend: Backend = {
    name: 'sqlite',
    rowLocks: false,
    maxParameters: MAX_PARAMETERS,
    migrations: sqliteMigrations,
    migrationSchema: undefined,
    hasTable: async (db, table) => {
      const found = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table' and name = ${table}`.execute(db);
      return found.rows.length > 0;
    },
    translateError: (error) => translateSqliteError(error, file),
  };
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: nodeSqliteDatabase(database) }),
  });
  return { db, backend, location: file, journal: sqliteJournal(database, db), close: () => db.destroy() };
}

function lockDatabaseFile(file: string, options: SqliteOptions): DatabaseSync {
  let database: DatabaseSync | undefined;
  try {
    database = new DatabaseSync(file, {
      enableForeignKeyConstraints: true,
      timeout: options.lockTimeoutMs ?? 2_000,
    });
    // Exclusive mode must be set before WAL is first used: then the WAL index lives in this
    // process's memory (no -shm file), and no other process can ever read a half-written state.
    database.exec('PRAGMA locking_mode = EXCLUSIVE');
    const mode = database.prepare('PRAGMA journal_mode = WAL').get();
    if (mode?.journal_mode !== 'wal') {
      throw new SwitchyardError(
        'SY_STORE_UNAVAILABLE',
        `The database ${file} cannot be switched to WAL mode.`,
        {
          details: { file, journalMode: mode?.journal_mode },
        },
      );
    }
    database.exec(`PRAGMA synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // A write takes the exclusive lock now, at open, rather than at the first real write.
    database.exec('BEGIN IMMEDIATE; COMMIT');
    return database;
  } catch (error) {
    database?.close();
    if (error instanceof SwitchyardError) throw error;
    if (isSqliteBusy(error)) throw lockedError(file, error);
    const translated = translateSqliteError(error, file);
    if (translated instanceof SwitchyardError) throw translated;
    throw new SwitchyardError('SY_STORE_UNAVAILABLE', `The database ${file} cannot be opened.`, {
      hint: 'Check the path and its permissions.',
      details: { file },
      cause: error,
    });
  }
}
