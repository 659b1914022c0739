/** @module Executions: creation, reads, listing and cancellation; leases and retention live beside it. */
import type { Kysely } from 'kysely';
import type { Backend } from '../backend.ts';
import { EXECUTION_COLUMNS } from '../columns.ts';
import type { ExecutionRepository } from '../ports.ts';
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

/**
 * Inside the caller's transaction, one statement per chunk rather than per execution. Per item
 * whether it was stored: false when its id is taken already (also by an earlier item).
 */
export async function insertExecutions(
  trx: Kysely<Database>,
  backend: Backend,
  rows: readonly ExecutionsTable[],
): Promise<boolean[]> {
  const inserted = new Set<string>();
  for (const part of chunked(rows, Math.floor(backend.maxParameters / EXECUTION_COLUMNS.length) - 1)) {
    const returned = await trx
      .insertInto('executions')
      .values(part as ExecutionsTable[])
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    for (const { id } of returned) inserted.add(id);
  }
  return rows.map((row) => inserted.delete(row.id));
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
      const rows = executions.map(newExecutionRow);
      return db.transaction().execute(async (trx) => {
        const stored = await insertExecutions(trx, backend, rows);
        return rows.map((row, i) => (stored[i] ? toExecution(row) : undefined));
      });
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
