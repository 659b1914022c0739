/**
 * @module The eighth schema (both backends): node steps — results a node recorded while it ran (an agent's
 * model calls and tool calls), so that a node run again after a crash does not repeat them.
 */
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './column-types.ts';

export function nodeSteps(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('node_steps')
        // Retention deletes an execution's steps with it.
        .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
        .addColumn('node_key', 'text', (c) => c.notNull())
        .addColumn('step_key', 'text', (c) => c.notNull())
        .addColumn('result', types.json, (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addPrimaryKeyConstraint('node_steps_pk', ['execution_id', 'node_key', 'step_key'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('node_steps').execute();
    },
  };
}
