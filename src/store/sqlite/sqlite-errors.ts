/** @module What node:sqlite's errors mean to Switchyard: locked, unavailable, conflict, or a bug. */
import { SwitchyardError } from '../../errors/switchyard-error.ts';

// Primary result codes (https://sqlite.org/rescode.html); extended codes carry them in the low byte.
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_CONSTRAINT = 19;
const SQLITE_NOTADB = 26;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

export function sqliteResultCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('errcode' in error)) return undefined;
  return typeof error.errcode === 'number' ? error.errcode : undefined;
}

export function isSqliteBusy(error: unknown): boolean {
  const code = sqliteResultCode(error);
  return code !== undefined && ((code & 0xff) === SQLITE_BUSY || (code & 0xff) === SQLITE_LOCKED);
}

export function lockedError(file: string, cause: unknown): SwitchyardError {
  return new SwitchyardError(
    'SY_STORE_LOCKED',
    `The database ${file} is in use by another Switchyard process.`,
    {
      hint: 'Stop the other process first, or set SWITCHYARD_DATA_DIR to another directory; to run several processes against one database, use PostgreSQL (SWITCHYARD_DATABASE_URL=postgres://…).',
      details: { file },
      cause,
    },
  );
}

export function translateSqliteError(error: unknown, file: string): unknown {
  const code = sqliteResultCode(error);
  if (code === undefined) return error;
  if (code === SQLITE_CONSTRAINT_PRIMARYKEY || code === SQLITE_CONSTRAINT_UNIQUE) {
    return new SwitchyardError(
      'SY_STORE_CONFLICT',
      `A record with this key exists already (${messageOf(error)}).`,
      {
        cause: error,
      },
    );
  }
  if ((code & 0xff) === SQLITE_CONSTRAINT) return error;
  if (isSqliteBusy(error)) return lockedError(file, error);
  const primary = code & 0xff;
  if (
    [SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB].includes(
      primary,
    )
  ) {
    return new SwitchyardError(
      'SY_STORE_UNAVAILABLE',
      `The database ${file} cannot be used: ${messageOf(error)}.`,
      {
        hint: 'Check the file, its directory, its permissions and the free disk space.',
        details: { file },
        cause: error,
      },
    );
  }
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
