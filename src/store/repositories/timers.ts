/** @module Durable timers: the first wake-up time stored under a key is the one that counts. */
import { type Kysely, sql } from 'kysely';
import type { TimerRepository } from '../ports.ts';
import type { Database } from '../schema.ts';

export function timerRepository(db: Kysely<Database>): TimerRepository {
  return {
    async getOrCreate(executionId, key, fireAt) {
      // One statement whatever happened before: the no-op update makes RETURNING yield the stored time.
      const row = await db
        .insertInto('timers')
        .values({ execution_id: executionId, key, fire_at: fireAt })
        .onConflict((oc) =>
          oc.columns(['execution_id', 'key']).doUpdateSet({ fire_at: sql.ref('timers.fire_at') }),
        )
        .returning('fire_at')
        .executeTakeFirstOrThrow();
      return row.fire_at;
    },
  };
}
