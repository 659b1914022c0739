/**
 * @module PostgreSQL, fourth schema: webhook delivery ids (de-duplication) and Idempotency-Key results.
 */
import type { Kysely, Migration } from 'kysely';

export const webhooksAndIdempotency: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // No foreign keys: a delivery or a key outlives a deleted workflow until it is pruned.
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('delivery_id', 'text', (c) => c.notNull())
      .addColumn('execution_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_deliveries_pk', ['workflow_id', 'delivery_id'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_by_age')
      .on('webhook_deliveries')
      .column('created_at')
      .execute();

    await db.schema
      .createTable('idempotency_keys')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('response', 'json')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['workspace_id', 'scope', 'key'])
      .execute();
    await db.schema
      .createIndex('idempotency_keys_by_expiry')
      .on('idempotency_keys')
      .column('expires_at')
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('idempotency_keys').execute();
    await db.schema.dropTable('webhook_deliveries').execute();
  },
};
