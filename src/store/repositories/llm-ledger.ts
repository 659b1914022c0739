/** @module The ledger of model calls, and its totals by day, model or workflow. */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { LedgerRepository, LlmCall, UsageTotal } from '../llm-ports.ts';
import type { Database, LlmCallsTable } from '../schema.ts';
import { newestFirstPage } from './newest-first.ts';

const DAY_MS = 86_400_000;

export function ledgerRepository(db: Kysely<Database>): LedgerRepository {
  const recordMany: LedgerRepository['recordMany'] = async (entries) => {
    if (entries.length === 0) return;
    const reservations = entries.flatMap((entry) =>
      entry.reservationId === undefined ? [] : [entry.reservationId],
    );
    await db.transaction().execute(async (trx) => {
      // Chunks keep each statement under the backends' bound-parameter limits.
      for (let i = 0; i < entries.length; i += 500) {
        await trx
          .insertInto('llm_calls')
          .values(entries.slice(i, i + 500).map((entry) => toRow(entry.call)))
          .execute();
      }
      if (reservations.length > 0)
        await trx.deleteFrom('llm_reservations').where('id', 'in', reservations).execute();
    });
  };
  return {
    async record(call, reservationId) {
      await recordMany([{ call, ...(reservationId === undefined ? {} : { reservationId }) }]);
    },

    recordMany,

    list: (workspaceId, filter) =>
      newestFirstPage(
        db
          .selectFrom('llm_calls')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .$if(filter.workflowId !== undefined, (q) => q.where('workflow_id', '=', filter.workflowId!)),
        filter,
        'id',
        toCall,
      ),

    async totals(workspaceId, query) {
      // Days are grouped by integer division, the same in both backends; labels are made here.
      const key =
        query.by === 'day'
          ? sql<string>`cast(${sql.ref('created_at')} / ${sql.lit(DAY_MS)} as integer)`
          : query.by === 'model'
            ? sql<string>`${sql.ref('provider')} || '/' || ${sql.ref('model')}`
            : sql<string>`coalesce(${sql.ref('workflow_id')}, '')`;
      const rows = await db
        .selectFrom('llm_calls')
        .select([
          key.as('key'),
          (eb) => eb.fn.countAll<number>().as('calls'),
          (eb) => eb.fn.sum<number>('input_tokens').as('input_tokens'),
          (eb) => eb.fn.sum<number>('output_tokens').as('output_tokens'),
          (eb) => eb.fn.sum<number>('cost_micros').as('cost_micros'),
          (eb) => eb.fn.sum<number>('cache_hit').as('cache_hits'),
        ])
        .where('workspace_id', '=', workspaceId)
        .where('created_at', '>=', query.from)
        .where('created_at', '<', query.to)
        .$if(query.workflowId !== undefined, (q) => q.where('workflow_id', '=', query.workflowId!))
        .groupBy(key)
        .orderBy(key)
        .execute();
      return rows.map(
        (row): UsageTotal => ({
          key:
            query.by === 'day'
              ? new Date(Number(row.key) * DAY_MS).toISOString().slice(0, 10)
              : String(row.key),
          calls: Number(row.calls),
          inputTokens: Number(row.input_tokens),
          outputTokens: Number(row.output_tokens),
          costMicros: Number(row.cost_micros),
          cacheHits: Number(row.cache_hits),
        }),
      );
    },
  };
}

function toRow(call: LlmCall): LlmCallsTable {
  return {
    id: call.id,
    workspace_id: call.workspaceId,
    workflow_id: call.workflowId,
    execution_id: call.executionId,
    node_id: call.nodeId,
    route: call.route,
    provider: call.provider,
    model: call.model,
    input_tokens: call.inputTokens,
    output_tokens: call.outputTokens,
    cached_input_tokens: call.cachedInputTokens,
    cache_hit: call.cacheHit ? 1 : 0,
    latency_ms: call.latencyMs,
    cost_micros: call.costMicros,
    status: call.status,
    error_code: call.errorCode,
    created_at: call.createdAt,
  };
}

function toCall(row: Selectable<LlmCallsTable>): LlmCall {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    workflowId: row.workflow_id,
    executionId: row.execution_id,
    nodeId: row.node_id,
    route: row.route,
    provider: row.provider,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedInputTokens: row.cached_input_tokens,
    cacheHit: row.cache_hit === 1,
    latencyMs: row.latency_ms,
    costMicros: row.cost_micros,
    status: row.status as LlmCall['status'],
    errorCode: row.error_code,
    createdAt: row.created_at,
  };
}
