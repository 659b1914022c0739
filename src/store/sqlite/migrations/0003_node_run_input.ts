/** @module SQLite, third schema: the input each node run received, for inspection and debugging. */
import type { Kysely, Migration } from 'kysely';

export const nodeRunInput: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('node_runs').addColumn('input', 'text').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('node_runs').dropColumn('input').execute();
  },
};
