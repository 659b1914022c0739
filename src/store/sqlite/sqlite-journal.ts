/**
 * @module The journal on SQLite: the same commit as the shared repository (repositories/journal.ts)
 * — starts, then checkpoints under their leases, then events, then finishes, in one transaction —
 * through a handful of statements prepared once and run row by row. Building the multi-row
 * statements with the query builder, and preparing one for each new row count, cost more than the
 * rows themselves: this is the embedded store's hottest path, one commit per moment of a busy server.
 *
 * It runs while holding Kysely's connection, so no other statement can come between its BEGIN and its COMMIT.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Kysely } from 'kysely';
import { EVENT_COLUMNS, EXECUTION_COLUMNS, NODE_RUN_COLUMNS } from '../columns.ts';
import { toNullableJson } from '../json-column.ts';
import type { JournalBatch, JournalOutcome, JournalRepository } from '../ports.ts';
import { eventRow } from '../repositories/events.ts';
import { newExecutionRow } from '../repositories/execution-rows.ts';
import { isEmpty } from '../repositories/journal.ts';
import { assertRunsMatchLeases, nodeRunRow } from '../repositories/node-runs.ts';
import type { Database } from '../schema.ts';

interface Statements {
  readonly insertExecution: Insert;
  readonly insertRun: Insert;
  readonly insertEvent: Insert;
  readonly leaseOf: StatementSync;
  readonly finish: StatementSync;
}

interface LeaseRow {
  readonly lease_owner: string | null;
  readonly lease_epoch: number;
}

/** A row inserted unless its key is taken (first write wins), by columns named once. */
interface Insert {
  run(row: object): boolean;
}

export function sqliteJournal(database: DatabaseSync, db: Kysely<Database>): JournalRepository {
  // Prepared on first use: the tables exist only once migrations have run.
  let statements: Statements | undefined;
  return {
    async commit(batch) {
      if (isEmpty(batch)) return { created: [], held: [], finished: [] };
      statements ??= prepare(database);
      const prepared = statements;
      return db.connection().execute(async () => inTransaction(database, () => write(prepared, batch)));
    },
  };
}

function write(statements: Statements, batch: JournalBatch): JournalOutcome {
  const created = batch.creates.map((execution) =>
    statements.insertExecution.run(newExecutionRow(execution)),
  );
  assertRunsMatchLeases(batch.checkpoints);
  // An execution's nodes often finish in the same moment: its lease is read once per commit.
  const leases = new Map<string, LeaseRow | undefined>();
  const held = batch.checkpoints.map(({ lease }) => {
    if (!leases.has(lease.executionId)) {
      leases.set(lease.executionId, statements.leaseOf.get(lease.executionId) as LeaseRow | undefined);
    }
    const row = leases.get(lease.executionId);
    return row !== undefined && row.lease_owner === lease.owner && row.lease_epoch === lease.epoch;
  });
  batch.checkpoints.forEach(({ runs }, index) => {
    // A run stored already (a resumed runner finishing the same node again) keeps the first result.
    if (held[index]) for (const run of runs) statements.insertRun.run(nodeRunRow(run));
  });
  // A runner that resumes re-sends what it may have sent before it died: first write wins.
  for (const event of batch.events) statements.insertEvent.run(eventRow(event));
  const finished = batch.finishes.map(({ lease, outcome }) => {
    const result = statements.finish.run(
      outcome.status,
      toNullableJson(outcome.output),
      toNullableJson(outcome.error),
      outcome.now,
      lease.executionId,
      lease.owner,
      lease.epoch,
    );
    return Number(result.changes) > 0;
  });
  return { created, held, finished };
}

function inTransaction<T>(database: DatabaseSync, work: () => T): T {
  database.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    database.exec('COMMIT');
    return result;
  } catch (error) {
    if (database.isTransaction) database.exec('ROLLBACK');
    throw error;
  }
}

function prepare(database: DatabaseSync): Statements {
  return {
    insertExecution: insert(database, 'executions', EXECUTION_COLUMNS, ['id']),
    insertRun: insert(database, 'node_runs', NODE_RUN_COLUMNS, ['execution_id', 'node_id', 'scope']),
    insertEvent: insert(database, 'execution_events', EVENT_COLUMNS, ['execution_id', 'seq']),
    leaseOf: database.prepare(
      "select lease_owner, lease_epoch from executions where id = ? and status = 'running'",
    ),
    finish: database.prepare(
      `update executions set status = ?, output = ?, error = ?, finished_at = ?, lease_owner = null,
         lease_expires_at = null
       where id = ? and lease_owner = ? and lease_epoch = ? and status = 'running'`,
    ),
  };
}

function insert(
  database: DatabaseSync,
  table: string,
  columns: readonly string[],
  key: readonly string[],
): Insert {
  const statement = database.prepare(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})
     on conflict (${key.join(', ')}) do nothing`,
  );
  return {
    run(row) {
      const values = row as Record<string, SQLInputValue>;
      return Number(statement.run(...columns.map((column) => values[column] as SQLInputValue)).changes) > 0;
    },
  };
}
