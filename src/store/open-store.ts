/**
 * @module Opens the store a configuration names: PostgreSQL for a postgres:// URL, otherwise the
 * embedded SQLite file in the data directory. Migrations are applied on open.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { StoreConnection } from './backend.ts';
import type { MigrationReport } from './migrations.ts';
import type { Store } from './ports.ts';
import type { SqliteOptions } from './sqlite/open-sqlite.ts';
import { openThreadStore } from './thread/thread-store.ts';

// The query builder, the drivers and the migrations load when a connection is made in this thread
// (PostgreSQL, migrations, tests): `serve` on the embedded store needs none of them here, and its
// thread starts sooner without them.

export interface StoreConfig {
  /** postgres://… or postgresql://… selects PostgreSQL; absent selects SQLite in `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /**
   * SQLite only. full (default): a commit survives power loss. normal: it survives a crash of the
   * process (the kill -9 the crash test does) but the last commits may be lost to power loss; in
   * exchange each commit skips an fsync.
   */
  readonly sqliteSync?: 'full' | 'normal';
}

export const SQLITE_FILE_NAME = 'switchyard.db';

export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const url = env.SWITCHYARD_DATABASE_URL?.trim();
  const dir = env.SWITCHYARD_DATA_DIR?.trim();
  const sync = env.SWITCHYARD_SQLITE_SYNC?.trim().toLowerCase();
  if (sync !== undefined && sync !== '' && sync !== 'full' && sync !== 'normal') {
    throw new SwitchyardError(
      'SY_CONFIG_INVALID',
      `SWITCHYARD_SQLITE_SYNC must be "full" or "normal", not "${sync}"`,
    );
  }
  return {
    ...(url ? { databaseUrl: url } : {}),
    ...(sync === 'full' || sync === 'normal' ? { sqliteSync: sync } : {}),
    // `~` is expanded here too: .env files and service managers pass it through unexpanded.
    dataDir: dir ? dir.replace(/^~(?=$|\/)/, homedir()) : join(homedir(), '.switchyard'),
  };
}

export interface OpenStoreOptions {
  /**
   * The embedded store's thread stopped without being closed (it should not: every call is
   * caught): every call fails from then on, so a server should stop and be restarted.
   */
  readonly onStopped?: (error: Error) => void;
}

export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  // The embedded database runs on a thread of its own: its writes and fsyncs never hold up requests.
  if (!hasDatabaseUrl(config)) return openThreadStore(sqliteOptions(config), options.onStopped);
  const connection = await openStoreConnection(config);
  const [{ migrate }, { createSqlStore }] = await Promise.all([
    import('./migrations.ts'),
    import('./sql-store.ts'),
  ]);
  try {
    await migrate(connection);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return createSqlStore(connection);
}

/** Applies pending migrations (all, or up to `target`) and lets go of the database again. */
export async function migrateStore(config: StoreConfig, target?: string): Promise<MigrationReport> {
  const connection = await openStoreConnection(config);
  const { migrate } = await import('./migrations.ts');
  try {
    return await migrate(connection, target);
  } finally {
    await connection.close();
  }
}

/** An open, unmigrated connection: for migrations and for tests that build old schemas. */
export async function openStoreConnection(config: StoreConfig): Promise<StoreConnection> {
  const url = config.databaseUrl;
  if (url !== undefined && url !== '') {
    if (/^postgres(ql)?:\/\//i.test(url)) {
      const { openPostgresConnection } = await import('./postgres/open-postgres.ts');
      return openPostgresConnection({ url });
    }
    const { redactUrl } = await import('./postgres/postgres-errors.ts');
    throw new SwitchyardError(
      'SY_STORE_UNAVAILABLE',
      `The database URL ${redactUrl(url)} names no backend Switchyard has.`,
      {
        hint: 'Use postgres://USER:PASSWORD@HOST:PORT/DATABASE, or unset SWITCHYARD_DATABASE_URL for the embedded SQLite database.',
      },
    );
  }
  const { openSqliteConnection } = await import('./sqlite/open-sqlite.ts');
  return openSqliteConnection(sqliteOptions(config));
}

function hasDatabaseUrl(config: StoreConfig): boolean {
  return config.databaseUrl !== undefined && config.databaseUrl !== '';
}

/** The data directory made if need be, and where the database file goes in it. */
function sqliteOptions(config: StoreConfig): SqliteOptions {
  try {
    mkdirSync(config.dataDir, { recursive: true });
  } catch (error) {
    throw new SwitchyardError(
      'SY_STORE_UNAVAILABLE',
      `The data directory ${config.dataDir} cannot be created.`,
      {
        hint: 'Set SWITCHYARD_DATA_DIR to a directory this user can write.',
        details: { dataDir: config.dataDir },
        cause: error,
      },
    );
  }
  return {
    file: join(config.dataDir, SQLITE_FILE_NAME),
    ...(config.sqliteSync ? { synchronous: config.sqliteSync } : {}),
  };
}
