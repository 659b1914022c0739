/**
 * @module The sixth schema (both backends): the LLM gateway — a ledger row per model call, budgets per
 * workspace or workflow with the reservations that keep concurrent calls inside them, and the
 * response cache.
 */
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './column-types.ts';

export function llmGateway(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('llm_calls')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('workflow_id', 'text')
        .addColumn('execution_id', 'text')
        .addColumn('node_id', 'text')
        .addColumn('route', 'text')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('input_tokens', types.int, (c) => c.notNull())
        .addColumn('output_tokens', types.int, (c) => c.notNull())
        .addColumn('cached_input_tokens', types.int, (c) => c.notNull())
        .addColumn('cache_hit', 'integer', (c) => c.notNull())
        .addColumn('latency_ms', types.int, (c) => c.notNull())
        // Millionths of a dollar: sums stay exact.
        .addColumn('cost_micros', types.int, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('created_at', types.int, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('llm_calls_by_workspace')
        .on('llm_calls')
        .columns(['workspace_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('llm_calls_by_workflow')
        .on('llm_calls')
        .columns(['workspace_id', 'workflow_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('llm_budgets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        // '' for the whole workspace.
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('limit_micros', types.int, (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addColumn('updated_at', types.int, (c) => c.notNull())
        .addUniqueConstraint('llm_budgets_scope_unique', ['workspace_id', 'workflow_id', 'period'])
        .execute();

      await db.schema
        .createTable('llm_reservations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('micros', types.int, (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addColumn('expires_at', types.int, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('llm_reservations_by_workspace')
        .on('llm_reservations')
        .columns(['workspace_id', 'expires_at'])
        .execute();

      await db.schema
        .createTable('llm_cache')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('response', types.json, (c) => c.notNull())
        .addColumn('hits', types.int, (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addColumn('expires_at', types.int, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('llm_cache_by_expiry').on('llm_cache').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['llm_cache', 'llm_reservations', 'llm_budgets', 'llm_calls']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
