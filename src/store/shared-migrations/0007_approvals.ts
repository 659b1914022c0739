/**
 * @module The seventh schema (both backends): approvals — a person's decision that a suspended execution
 * waits for, one per node instance.
 */
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './column-types.ts';

export function approvals(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('approvals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        // Retention deletes an execution's approvals with it.
        .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        // The node instance (node id and loop scope): one approval per instance, found again on resume.
        .addColumn('node_key', 'text', (c) => c.notNull())
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('request', types.json, (c) => c.notNull())
        .addColumn('decision', types.json)
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', types.int)
        .addColumn('expires_at', types.int)
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addUniqueConstraint('approvals_node_unique', ['execution_id', 'node_key'])
        .execute();
      await db.schema
        .createIndex('approvals_by_workspace')
        .on('approvals')
        .columns(['workspace_id', 'status', 'created_at'])
        .execute();
      await db.schema
        .createIndex('approvals_by_expiry')
        .on('approvals')
        .columns(['status', 'expires_at'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('approvals').execute();
    },
  };
}
