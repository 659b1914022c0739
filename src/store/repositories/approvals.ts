/**
 * @module Approvals. `decide` and `suspend` both take the approval rows first (PostgreSQL row locks;
 * SQLite runs one writer), so whichever commits second sees the other: a decision that lands while
 * its execution is still going to sleep wakes it instead of being lost.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type {
  ApprovalDecision,
  ApprovalRepository,
  ApprovalStatus,
  StoredApproval,
} from '../approval-ports.ts';
import type { Backend } from '../backend.ts';
import { fromJson, toJson } from '../json-column.ts';
import type { ApprovalsTable, Database } from '../schema.ts';
import { leaseHolds } from './leases.ts';
import { newestFirstPage } from './newest-first.ts';

export function approvalRepository(db: Kysely<Database>, backend: Backend): ApprovalRepository {
  const wake = (trx: Transaction<Database>, executionIds: readonly string[]) =>
    executionIds.length === 0
      ? Promise.resolve()
      : trx
          .updateTable('executions')
          .set({ status: 'queued' })
          .where('id', 'in', executionIds)
          .where('status', '=', 'waiting')
          .execute();

  return {
    async open(approval) {
      await db
        .insertInto('approvals')
        .values({
          id: approval.id,
          workspace_id: approval.workspaceId,
          execution_id: approval.executionId,
          workflow_id: approval.workflowId,
          node_key: approval.nodeKey,
          node_id: approval.nodeId,
          status: 'pending',
          request: toJson(approval.request),
          decision: null,
          decided_by: null,
          decided_at: null,
          expires_at: approval.expiresAt,
          created_at: approval.createdAt,
        })
        .onConflict((oc) => oc.columns(['execution_id', 'node_key']).doNothing())
        .execute();
      const row = await db
        .selectFrom('approvals')
        .selectAll()
        .where('execution_id', '=', approval.executionId)
        .where('node_key', '=', approval.nodeKey)
        .executeTakeFirstOrThrow();
      return toApproval(row);
    },

    async get(workspaceId, id) {
      const row = await db
        .selectFrom('approvals')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toApproval(row);
    },

    list: (workspaceId, filter) =>
      newestFirstPage(
        db
          .selectFrom('approvals')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
          .$if(filter.executionId !== undefined, (q) => q.where('execution_id', '=', filter.executionId!)),
        filter,
        'id',
        toApproval,
      ),

    async decide(workspaceId, id, decision) {
      return db.transaction().execute(async (trx) => {
        const current = trx
          .selectFrom('approvals')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id);
        const row = await (backend.rowLocks ? current.forUpdate() : current).executeTakeFirst();
        if (!row) return 'absent' as const;
        if (row.status !== 'pending') return 'decided' as const;
        const decided = await trx
          .updateTable('approvals')
          .set({
            status: decision.status,
            decision: toJson(decision.decision),
            decided_by: decision.by,
            decided_at: decision.now,
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await wake(trx, [row.execution_id]);
        return toApproval(decided);
      });
    },

    async suspend(lease, waitingOn) {
      return db.transaction().execute(async (trx) => {
        const watched = trx
          .selectFrom('approvals')
          .select('status')
          .where('id', 'in', waitingOn.length ? [...waitingOn] : ['']);
        const rows = await (backend.rowLocks ? watched.forUpdate() : watched).execute();
        const decidedMeanwhile = rows.some((row) => row.status !== 'pending');
        const result = await trx
          .updateTable('executions')
          .set({
            status: decidedMeanwhile ? 'queued' : 'waiting',
            lease_owner: null,
            lease_expires_at: null,
          })
          .where(leaseHolds(lease))
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      });
    },

    async expire(now) {
      return db.transaction().execute(async (trx) => {
        const due = trx
          .selectFrom('approvals')
          .select(['id', 'execution_id'])
          .where('status', '=', 'pending')
          .where('expires_at', '<=', now)
          .limit(500);
        const rows = await (backend.rowLocks ? due.forUpdate().skipLocked() : due).execute();
        if (rows.length === 0) return 0;
        await trx
          .updateTable('approvals')
          .set({ status: 'timed-out', decided_at: now, decided_by: 'timeout' })
          .where(
            'id',
            'in',
            rows.map((row) => row.id),
          )
          .execute();
        await wake(trx, [...new Set(rows.map((row) => row.execution_id))]);
        return rows.length;
      });
    },
  };
}

function toApproval(row: Selectable<ApprovalsTable>): StoredApproval {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    executionId: row.execution_id,
    workflowId: row.workflow_id,
    nodeKey: row.node_key,
    nodeId: row.node_id,
    status: row.status as ApprovalStatus,
    request: fromJson(row.request) as StoredApproval['request'],
    decision: fromJson(row.decision) as ApprovalDecision | null,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}
