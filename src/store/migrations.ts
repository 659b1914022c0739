/**
 * @module Applies a backend's versioned migrations (Kysely's Migrator) and reports where a database
 * stands. A database that holds a migration this code does not know was migrated by a newer
 * release: we refuse it rather than guess at its schema.
 */
import { type MigrationResult, Migrator, sql } from 'kysely';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { StoreConnection } from './backend.ts';

const MIGRATION_TABLE = 'kysely_migration';

export interface MigrationState {
  /** Applied, oldest first. */
  readonly applied: readonly string[];
  readonly pending: readonly string[];
  /** Applied, but unknown to this code: a newer release migrated the database. */
  readonly unknown: readonly string[];
}

export interface MigrationReport {
  readonly backend: 'sqlite' | 'postgres';
  readonly location: string;
  /** Applied by this call, in order. */
  readonly applied: readonly string[];
  /** The latest migration the database now holds. */
  readonly current: string | null;
}

export async function migrationState(connection: StoreConnection): Promise<MigrationState> {
  const { db, backend } = connection;
  const known = Object.keys(backend.migrations).sort();
  let applied: string[] = [];
  if (await backend.hasTable(db, MIGRATION_TABLE)) {
    const table =
      backend.migrationSchema === undefined
        ? MIGRATION_TABLE
        : `${backend.migrationSchema}.${MIGRATION_TABLE}`;
    const rows = await sql<{ name: string }>`select name from ${sql.table(table)} order by name`.execute(db);
    applied = rows.rows.map((row) => row.name);
  }
  return {
    applied,
    pending: known.filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.includes(name)),
  };
}

/** Migrates to `target` (a migration name), or to the latest; returns what it applied. */
export async function migrate(connection: StoreConnection, target?: string): Promise<MigrationReport> {
  const { db, backend, location } = connection;
  const state = await migrationState(connection);
  if (state.unknown.length > 0) {
    throw new SwitchyardError(
      'SY_STORE_MIGRATION',
      `The database ${location} holds migration ${state.unknown.join(', ')}, which this Switchyard does not know: a newer release migrated it.`,
      {
        hint: 'Run the newer Switchyard release against it, or restore a backup taken before that release migrated it.',
        details: { location, unknown: state.unknown, known: Object.keys(backend.migrations).sort() },
      },
    );
  }
  if (target !== undefined && !(target in backend.migrations)) {
    throw new SwitchyardError('SY_STORE_MIGRATION', `There is no migration named ${target}.`, {
      details: { known: Object.keys(backend.migrations).sort() },
    });
  }
  const latestApplied = state.applied.at(-1) ?? null;
  if (state.pending.length === 0 || (target !== undefined && state.applied.includes(target))) {
    return { backend: backend.name, location, applied: [], current: latestApplied };
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...backend.migrations }) },
    ...(backend.migrationSchema === undefined ? {} : { migrationTableSchema: backend.migrationSchema }),
  });
  const { error, results = [] } =
    target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error !== undefined) throw migrationFailed(location, results, error);
  const applied = results
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
  return { backend: backend.name, location, applied, current: applied.at(-1) ?? latestApplied };
}

function migrationFailed(
  location: string,
  results: readonly MigrationResult[],
  cause: unknown,
): SwitchyardError {
  const failed = results.find((result) => result.status === 'Error')?.migrationName;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SwitchyardError(
    'SY_STORE_MIGRATION',
    `Migrating the database ${location} failed${failed === undefined ? '' : ` at ${failed}`}: ${reason}`,
    { details: { location, ...(failed === undefined ? {} : { migration: failed }) }, cause },
  );
}
