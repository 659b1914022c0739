/**
 * @module Kysely's SqliteDatabase over Node's built-in `node:sqlite`. Statements are prepared once
 * per SQL text and reused: the hot paths (checkpoint, append, claim) repeat the same few texts.
 */

import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Multi-row inserts vary in row count, so the cache is bounded (least recently used goes first). */
const STATEMENT_CACHE_SIZE = 200;

export function nodeSqliteDatabase(database: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = kyselyStatement(database.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      } else {
        cache.delete(sql);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

function kyselyStatement(statement: StatementSync): SqliteStatement {
  // Kysely hands parameters as an array; node:sqlite wants them spread. Kysely only ever binds
  // what we give it, and we give it strings, numbers and nulls.
  const bind = (parameters: readonly unknown[]) => parameters as SQLInputValue[];
  return {
    // A statement that yields columns is a reader, including INSERT/UPDATE … RETURNING.
    reader: statement.columns().length > 0,
    all: (parameters) => statement.all(...bind(parameters)),
    run: (parameters) => statement.run(...bind(parameters)),
    iterate: (parameters) => statement.iterate(...bind(parameters)),
  };
}
