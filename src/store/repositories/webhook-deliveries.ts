/** @module Webhook delivery ids: the first delivery of an id starts an execution, its repeats learn which. */
import type { Kysely } from 'kysely';
import type { Reservation, WebhookDeliveryRepository } from '../ports.ts';
import type { Database } from '../schema.ts';

export function webhookDeliveryRepository(db: Kysely<Database>): WebhookDeliveryRepository {
  // The primary key decides who is first: INSERT … ON CONFLICT DO NOTHING inserts for one caller only.
  const insert = (workflowId: string, deliveryId: string, now: number) =>
    db
      .insertInto('webhook_deliveries')
      .values({ workflow_id: workflowId, delivery_id: deliveryId, execution_id: null, created_at: now })
      .onConflict((oc) => oc.columns(['workflow_id', 'delivery_id']).doNothing())
      .returning('delivery_id')
      .executeTakeFirst();

  return {
    async reserve(workflowId, deliveryId, now, staleBefore): Promise<Reservation> {
      if (await insert(workflowId, deliveryId, now)) return { first: true };
      const taken = await db
        .deleteFrom('webhook_deliveries')
        .where('workflow_id', '=', workflowId)
        .where('delivery_id', '=', deliveryId)
        .where('execution_id', 'is', null)
        .where('created_at', '<', staleBefore)
        .executeTakeFirst();
      if (taken.numDeletedRows > 0n && (await insert(workflowId, deliveryId, now))) return { first: true };
      const row = await db
        .selectFrom('webhook_deliveries')
        .select('execution_id')
        .where('workflow_id', '=', workflowId)
        .where('delivery_id', '=', deliveryId)
        .executeTakeFirst();
      // Gone between the insert and the read (released): still not ours; the caller retries.
      return { first: false, executionId: row?.execution_id ?? null };
    },

    async complete(workflowId, deliveryId, executionId) {
      await db
        .updateTable('webhook_deliveries')
        .set({ execution_id: executionId })
        .where('workflow_id', '=', workflowId)
        .where('delivery_id', '=', deliveryId)
        .execute();
    },

    async release(workflowId, deliveryId) {
      await db
        .deleteFrom('webhook_deliveries')
        .where('workflow_id', '=', workflowId)
        .where('delivery_id', '=', deliveryId)
        .where('execution_id', 'is', null)
        .execute();
    },

    async prune(before) {
      const result = await db
        .deleteFrom('webhook_deliveries')
        .where('created_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
