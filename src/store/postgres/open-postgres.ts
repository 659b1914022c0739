/**
 * @module Opens a PostgreSQL pool for the store: numbers come back as numbers (BIGINT millisecond
 * times) and JSON as text (one codec for both backends), in the schema the URL's search_path names
 * or the one given.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { Backend, StoreConnection } from '../backend.ts';
import type { Database } from '../schema.ts';
import { postgresMigrations } from './migrations/index.ts';
import { redactUrl, translatePostgresError, unavailableError } from './postgres-errors.ts';

export interface PostgresOptions {
  readonly url: string;
  /** Use this schema (it must exist) instead of the server's default search_path. */
  readonly schema?: string;
  readonly poolSize?: number;
}

/** Protocol limit: a bind message counts its parameters in 16 bits. */
const MAX_PARAMETERS = 65_535;
const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    // BIGINT holds millisecond times and counts, all far below 2^53.
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    if (oid === pg.types.builtins.JSON || oid === pg.types.builtins.JSONB) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export async function openPostgresConnection(options: PostgresOptions): Promise<StoreConnection> {
  const location = redactUrl(options.url);
  if (options.schema !== undefined && !PLAIN_IDENTIFIER.test(options.schema)) {
    throw new SwitchyardError(
      'SY_STORE_UNAVAILABLE',
      `The schema name "${options.schema}" is not a plain identifier.`,
      {
        hint: 'Use letters, digits and underscores.',
      },
    );
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: 'switchyard',
    types: typeParsers,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client that loses its server emits here; without a listener that would crash the
  // process. The next query reports the problem as SY_STORE_UNAVAILABLE instead.
  pool.on('error', () => {});
  const schema = await currentSchema(pool, location);
  const backend: Backend = {
    name: 'postgres',
    rowLocks: true,
    maxParameters: MAX_PARAMETERS,
    migrations: postgresMigrations,
    migrationSchema: schema,
    hasTable: async (db, table) => {
      const found = await sql<{
        found: string | null;
      }>`select to_regclass(quote_ident(${schema}) || '.' || quote_ident(${table}))::text as found`.execute(
        db,
      );
      return found.rows[0]?.found != null;
    },
    translateError: (error) => translatePostgresError(error, location),
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, backend, location, close: () => db.destroy() };
}

async function currentSchema(pool: pg.Pool, location: string): Promise<string> {
  let schema: string | null | undefined;
  try {
    const result = await pool.query<{ schema: string | null }>('select current_schema() as schema');
    schema = result.rows[0]?.schema;
  } catch (error) {
    await pool.end();
    throw unavailableError(location, error);
  }
  if (schema === null || schema === undefined) {
    await pool.end();
    throw new SwitchyardError('SY_STORE_UNAVAILABLE', `No schema on the search_path of ${location} exists.`, {
      hint: 'Create the schema first, or fix the search_path in the URL (options=-c search_path=NAME).',
      details: { url: location },
    });
  }
  return schema;
}
