/**
 * @module Budgets and their reservations. A reservation is decided inside one transaction that
 * first serialises against every other reservation of the workspace (SQLite has one writer; on
 * PostgreSQL an advisory lock per workspace), so concurrent calls cannot overdraw a budget.
 */
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Backend } from '../backend.ts';
import type { Budget, BudgetPeriod, BudgetRepository } from '../llm-ports.ts';
import type { Database, LlmBudgetsTable } from '../schema.ts';

export function budgetRepository(db: Kysely<Database>, backend: Backend): BudgetRepository {
  const spentSince = async (trx: Transaction<Database>, budget: Budget, since: number) => {
    const row = await trx
      .selectFrom('llm_calls')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('cost_micros'), sql<number>`0`).as('spent'))
      .where('workspace_id', '=', budget.workspaceId)
      .where('created_at', '>=', since)
      .$if(budget.workflowId !== null, (q) => q.where('workflow_id', '=', budget.workflowId!))
      .executeTakeFirstOrThrow();
    return Number(row.spent);
  };
  const reservedNow = async (trx: Transaction<Database>, budget: Budget, now: number) => {
    const row = await trx
      .selectFrom('llm_reservations')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('micros'), sql<number>`0`).as('reserved'))
      .where('workspace_id', '=', budget.workspaceId)
      .where('expires_at', '>', now)
      .$if(budget.workflowId !== null, (q) => q.where('workflow_id', '=', budget.workflowId!))
      .executeTakeFirstOrThrow();
    return Number(row.reserved);
  };

  return {
    async set(budget) {
      const scope = budget.workflowId ?? '';
      const row: LlmBudgetsTable = {
        id: budget.id,
        workspace_id: budget.workspaceId,
        workflow_id: scope,
        period: budget.period,
        limit_micros: budget.limitMicros,
        created_at: budget.now,
        updated_at: budget.now,
      };
      const stored = await db
        .insertInto('llm_budgets')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['workspace_id', 'workflow_id', 'period'])
            .doUpdateSet({ limit_micros: budget.limitMicros, updated_at: budget.now }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toBudget(stored);
    },

    async list(workspaceId) {
      const rows = await db
        .selectFrom('llm_budgets')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .orderBy('workflow_id')
        .orderBy('period')
        .execute();
      return rows.map(toBudget);
    },

    async delete(workspaceId, id) {
      const result = await db
        .deleteFrom('llm_budgets')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async reserve(request) {
      return db.transaction().execute(async (trx) => {
        if (backend.rowLocks) {
          await sql`select pg_advisory_xact_lock(hashtext(${`llm-budget:${request.workspaceId}`}))`.execute(
            trx,
          );
        }
        const applicable = (
          await trx
            .selectFrom('llm_budgets')
            .selectAll()
            .where('workspace_id', '=', request.workspaceId)
            .where('workflow_id', 'in', request.workflowId === null ? [''] : ['', request.workflowId])
            .execute()
        ).map(toBudget);
        for (const budget of applicable) {
          const spentMicros = await spentSince(trx, budget, request.periodStarts[budget.period]);
          const reservedMicros = await reservedNow(trx, budget, request.now);
          if (spentMicros + reservedMicros + request.micros > budget.limitMicros) {
            return { ok: false as const, budget, spentMicros, reservedMicros };
          }
        }
        await trx
          .insertInto('llm_reservations')
          .values({
            id: request.id,
            workspace_id: request.workspaceId,
            workflow_id: request.workflowId ?? '',
            micros: request.micros,
            created_at: request.now,
            expires_at: request.expiresAt,
          })
          .execute();
        // Expired reservations (their holder died) are swept while the lock is held anyway.
        await trx
          .deleteFrom('llm_reservations')
          .where('workspace_id', '=', request.workspaceId)
          .where('expires_at', '<=', request.now)
          .execute();
        return { ok: true as const };
      });
    },

    async release(id) {
      await db.deleteFrom('llm_reservations').where('id', '=', id).execute();
    },
  };
}

function toBudget(row: Selectable<LlmBudgetsTable>): Budget {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    workflowId: row.workflow_id === '' ? null : row.workflow_id,
    period: row.period as BudgetPeriod,
    limitMicros: row.limit_micros,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
