/** Where the crash test's nodes count runs and record effects: a SQLite file or a PostgreSQL schema. */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { EffectLedger } from './crash-workflow.ts';

export interface Ledger extends EffectLedger {
  effects(): Promise<Map<string, number>>;
  runs(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

export function sqliteLedger(file: string): Ledger {
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;
    CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, times INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, times INTEGER NOT NULL);`);
  const bump = (table: string) =>
    db.prepare(
      `INSERT INTO ${table} (key, times) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET times = times + 1`,
    );
  const countRun = bump('runs');
  const addEffect = db.prepare('INSERT INTO effects (key, times) VALUES (?, 1) ON CONFLICT (key) DO NOTHING');
  const read = (table: string) =>
    new Map(
      (db.prepare(`SELECT key, times FROM ${table}`).all() as { key: string; times: number }[]).map((r) => [
        r.key,
        r.times,
      ]),
    );
  return {
    countRun: async (key) => void countRun.run(key),
    recordEffect: async (key) => void addEffect.run(key),
    effects: async () => read('effects'),
    runs: async () => read('runs'),
    close: async () => db.close(),
  };
}

export async function postgresLedger(url: string, schema: string): Promise<Ledger> {
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
  await pool.query(`CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, times INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, times INTEGER NOT NULL);`);
  const read = async (table: string) =>
    new Map(
      (await pool.query<{ key: string; times: number }>(`SELECT key, times FROM ${table}`)).rows.map((r) => [
        r.key,
        r.times,
      ]),
    );
  return {
    countRun: async (key) =>
      void (await pool.query(
        'INSERT INTO runs (key, times) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET times = runs.times + 1',
        [key],
      )),
    recordEffect: async (key) =>
      void (await pool.query('INSERT INTO effects (key, times) VALUES ($1, 1) ON CONFLICT (key) DO NOTHING', [
        key,
      ])),
    effects: () => read('effects'),
    runs: () => read('runs'),
    close: () => pool.end(),
  };
}
