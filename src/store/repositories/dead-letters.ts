/** @module The dead-letter list: executions that failed for good, with the reason, until retried. */
import type { Kysely, Selectable } from 'kysely';
import type { ErrorData } from '../../errors/switchyard-error.ts';
import { fromJson, toJson } from '../json-column.ts';
import type { DeadLetter, DeadLetterRepository } from '../ports.ts';
import type { Database, DeadLettersTable } from '../schema.ts';
import { newestFirstPage } from './newest-first.ts';

export function deadLetterRepository(db: Kysely<Database>): DeadLetterRepository {
  return {
    async add(letter) {
      // A runner that dies after adding and before finishing adds again when it resumes.
      await db
        .insertInto('dead_letters')
        .values({
          execution_id: letter.executionId,
          workspace_id: letter.workspaceId,
          workflow_id: letter.workflowId,
          reason: toJson(letter.reason),
          created_at: letter.createdAt,
          retried_at: null,
          retry_execution_id: null,
        })
        .onConflict((oc) => oc.column('execution_id').doNothing())
        .execute();
    },

    async get(workspaceId, executionId) {
      const row = await db
        .selectFrom('dead_letters')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('execution_id', '=', executionId)
        .executeTakeFirst();
      return row && toDeadLetter(row);
    },

    async list(workspaceId, page) {
      return newestFirstPage(
        db
          .selectFrom('dead_letters')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .$if(page.includeRetried !== true, (q) => q.where('retried_at', 'is', null)),
        page,
        'execution_id',
        toDeadLetter,
      );
    },

    async markRetried(workspaceId, executionId, retryExecutionId, now) {
      // Only once: two operators pressing "retry" together start one retry, not two.
      const result = await db
        .updateTable('dead_letters')
        .set({ retried_at: now, retry_execution_id: retryExecutionId })
        .where('workspace_id', '=', workspaceId)
        .where('execution_id', '=', executionId)
        .where('retried_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

function toDeadLetter(row: Selectable<DeadLettersTable>): DeadLetter {
  return {
    executionId: row.execution_id,
    workspaceId: row.workspace_id,
    workflowId: row.workflow_id,
    reason: fromJson(row.reason) as ErrorData,
    createdAt: row.created_at,
    retriedAt: row.retried_at,
    retryExecutionId: row.retry_execution_id,
  };
}
