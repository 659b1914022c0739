/**
 * @module SQLite, second schema: token and cost columns on node runs, the dead-letter list, cron
 * schedules, and an index for retention by age.
 */
import { type Kysely, type Migration, sql } from 'kysely';

export const accountingAndOperations: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('node_runs').addColumn('tokens_in', 'integer').execute();
    await db.schema.alterTable('node_runs').addColumn('tokens_out', 'integer').execute();
    await db.schema.alterTable('node_runs').addColumn('cost_usd', 'real').execute();

    await db.schema
      .createIndex('executions_finished')
      .on('executions')
      .column('finished_at')
      .where(sql.ref('status'), 'in', ['succeeded', 'failed', 'cancelled'])
      .execute();

    await db.schema
      .createTable('dead_letters')
      .addColumn('execution_id', 'text', (c) =>
        c.primaryKey().references('executions.id').onDelete('cascade'),
      )
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('retried_at', 'integer')
      .addColumn('retry_execution_id', 'text')
      .execute();
    await db.schema
      .createIndex('dead_letters_by_workspace')
      .on('dead_letters')
      .columns(['workspace_id', 'created_at', 'execution_id'])
      .execute();

    await db.schema
      .createTable('schedules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('cron', 'text', (c) => c.notNull())
      .addColumn('timezone', 'text', (c) => c.notNull())
      .addColumn('misfire', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('next_fire_at', 'integer')
      .addColumn('last_fired_at', 'integer')
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('schedules_by_workspace')
      .on('schedules')
      .columns(['workspace_id', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('schedules_due')
      .on('schedules')
      .columns(['next_fire_at', 'id'])
      .where(sql.ref('enabled'), '=', 1)
      .execute();
  },
};
