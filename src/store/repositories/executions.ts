/** @module Executions: creation, reads, listing and cancellation; leases and retention live beside it. */
import type { Kysely } from 'kysely';
import type { Backend } from '../backend.ts';
import type { ExecutionRepository, NewExecution, StoredExecution } from '../ports.ts';
import type { Database, ExecutionsTable } from '../schema.ts';
import { chunked } from './chunks.ts';
import { newExecutionRow, toExecution } from './execution-rows.ts';
import {
  claimExecutions,
  finishExecution,
  finishExecutions,
  releaseLease,
  renewLeases,
  requeueRunning,
} from './leases.ts';
import { newestFirstPage } from './newest-first.ts';
import { pruneExecutions } from './retention.ts';

/** Columns of the executions table: multi-row inserts stay under the parameter limit. */
const EXECUTION_COLUMNS = 20;

/**
 * Inside the caller's transaction, one statement per chunk rather than per execution. Per item the
 * stored execution, or undefined when its id is taken already (also by an earlier item).
 */
export async function insertExecutions(
  trx: Kysely<Database>,
  backend: Backend,
  executions: readonly NewExecution[],
): Promise<(StoredExecution | undefined)[]> {
  const rows = executions.map(newExecutionRow);
  const inserted = new Set<string>();
  for (const part of chunked(rows, Math.floor(backend.maxParameters / EXECUTION_COLUMNS) - 1)) {
    const returned = await trx
      .insertInto('executions')
      .values(part as ExecutionsTable[])
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    for (const { id } of returned) inserted.add(id);
  }
  return rows.map((row) => (inserted.delete(row.id) ? toExecution(row) : undefined));
}

export function executionRepository(db: Kysely<Database>, backend: Backend): ExecutionRepository {
  return {
    async create(execution) {
      const row = newExecutionRow(execution);
      await db.insertInto('executions').values(row).execute();
      return toExecution(row);
    },

    createMany(executions) {
      if (executions.length === 0) return Promise.resolve([]);
      return db.transaction().execute((trx) => insertExecutions(trx, backend, executions));
    },

    async get(workspaceId, id) {
      const row = await db
        .selectFrom('executions')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toExecution(row);
    },

    async list(workspaceId, filter) {
      return newestFirstPage(
        db
          .selectFrom('executions')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
          .$if(filter.workflowId !== undefined, (q) => q.where('workflow_id', '=', filter.workflowId!)),
        filter,
        'id',
        toExecution,
      );
    },

    claim: claimExecutions(db, backend),
    renew: renewLeases(db, backend),
    finish: finishExecution(db),
    finishMany: finishExecutions(db),
    requeueRunning: requeueRunning(db),
    release: releaseLease(db),

    async requestCancel(workspaceId, id) {
      const result = await db
        .updateTable('executions')
        .set({ cancel_requested: 1 })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async cancelRequested(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('executions')
        .select('id')
        .where('id', 'in', [...ids])
        .where('cancel_requested', '=', 1)
        .execute();
      return rows.map((row) => row.id);
    },

    prune: pruneExecutions(db),
  };
}
