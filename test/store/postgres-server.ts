/**
 * The PostgreSQL server the tests run against, and fresh schemas on it. An unreachable server is a
 * test failure that names the reason, never a skip.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_TEST_URL =
  process.env.SWITCHYARD_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

let admin: pg.Pool | undefined;

function adminPool(): pg.Pool {
  if (!admin) {
    admin = new pg.Pool({ connectionString: POSTGRES_TEST_URL, max: 2, connectionTimeoutMillis: 5_000 });
    admin.on('error', () => {});
  }
  return admin;
}

/** Throws, naming the server and the reason, unless PostgreSQL answers. */
export async function requirePostgres(): Promise<void> {
  try {
    await adminPool().query('select 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${POSTGRES_TEST_URL} is not reachable (${error instanceof Error ? error.message : String(error)}). ` +
        'The PostgreSQL store tests need it: start the server (see the machine notes) or set SWITCHYARD_TEST_POSTGRES_URL.',
    );
  }
}

/** The test URL with `schema` as its search_path (pg passes `options` to the server). */
export function urlWithSchema(schema: string): string {
  const url = new URL(POSTGRES_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export async function createSchema(): Promise<string> {
  await requirePostgres();
  const schema = `sy_test_${randomBytes(6).toString('hex')}`;
  await adminPool().query(`create schema ${schema}`);
  return schema;
}

export async function dropSchema(schema: string): Promise<void> {
  await adminPool().query(`drop schema if exists ${schema} cascade`);
}

export async function closeAdmin(): Promise<void> {
  const pool = admin;
  admin = undefined;
  await pool?.end();
}
