/**
 * @module PostgreSQL, first schema: workflows and their versions, executions with leases, the
 * node-run log, the event log and durable timers. JSON is `json`, not `jsonb`: jsonb refuses
 * `\u0000` and lone surrogates, which node outputs may hold, and we never query inside it.
 * Times are BIGINT milliseconds.
 */
import { type Kysely, type Migration, sql } from 'kysely';

export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('workflows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('draft', 'json', (c) => c.notNull())
      .addColumn('latest_version', 'integer')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('workflows_by_workspace')
      .on('workflows')
      .columns(['workspace_id', 'created_at', 'id'])
      .execute();

    await db.schema
      .createTable('workflow_versions')
      .addColumn('workflow_id', 'text', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('definition', 'json', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('workflow_versions_pk', ['workflow_id', 'version'])
      .execute();

    await db.schema
      .createTable('executions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('workflow_version', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('trigger', 'json', (c) => c.notNull())
      .addColumn('entry', 'text')
      .addColumn('input', 'json', (c) => c.notNull())
      .addColumn('output', 'json')
      .addColumn('error', 'json')
      .addColumn('correlation_id', 'text')
      .addColumn('parent_id', 'text')
      .addColumn('replay', 'json')
      .addColumn('cancel_requested', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_epoch', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_expires_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('executions_by_workspace')
      .on('executions')
      .columns(['workspace_id', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('executions_by_workflow')
      .on('executions')
      .columns(['workflow_id', 'created_at', 'id'])
      .execute();
    // Partial indexes hold only the live executions, so claims stay cheap however long the history.
    await db.schema
      .createIndex('executions_queued')
      .on('executions')
      .columns(['created_at', 'id'])
      .where(sql.ref('status'), '=', 'queued')
      .execute();
    await db.schema
      .createIndex('executions_leased')
      .on('executions')
      .column('lease_expires_at')
      .where(sql.ref('status'), '=', 'running')
      .execute();

    await db.schema
      .createTable('node_runs')
      .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('outputs', 'json')
      .addColumn('error', 'json')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('node_runs_pk', ['execution_id', 'node_id', 'scope'])
      .execute();

    await db.schema
      .createTable('execution_events')
      .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('payload', 'json', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('execution_events_pk', ['execution_id', 'seq'])
      .execute();

    await db.schema
      .createTable('timers')
      .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('fire_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('timers_pk', ['execution_id', 'key'])
      .execute();
  },
};
