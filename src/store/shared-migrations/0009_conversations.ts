/**
 * @module The ninth schema (both backends): conversations and their messages — what a chat trigger's workflow
 * was told and answered, in order (seq per conversation), with the tokens and cost of each answer.
 */
import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './column-types.ts';

export function conversations(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        // No foreign key: a conversation outlives its workflow's deletion, as executions do.
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('title', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        .addColumn('updated_at', types.int, (c) => c.notNull())
        // The running summary of the messages up to summary_through_seq (agents' memory).
        .addColumn('summary', 'text')
        .addColumn('summary_through_seq', types.int, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('conversations_by_workspace')
        .on('conversations')
        .columns(['workspace_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createTable('conversation_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) =>
          c.notNull().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('execution_id', 'text')
        .addColumn('model', 'text')
        .addColumn('input_tokens', types.int, (c) => c.notNull())
        .addColumn('output_tokens', types.int, (c) => c.notNull())
        .addColumn('cost_micros', types.int, (c) => c.notNull())
        .addColumn('created_at', types.int, (c) => c.notNull())
        // Also the index that pages a conversation's messages by seq.
        .addUniqueConstraint('conversation_messages_seq_unique', ['conversation_id', 'seq'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('conversation_messages').execute();
      await db.schema.dropTable('conversations').execute();
    },
  };
}
