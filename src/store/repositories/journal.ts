/**
 * @module The runners' group commit across kinds: executions started, node runs checkpointed, events
 * and finishes gathered over a moment share one transaction, so a busy server pays one commit (one
 * fsync) per moment rather than one per kind.
 */
import type { Kysely } from 'kysely';
import type { Backend } from '../backend.ts';
import type { JournalBatch, JournalRepository } from '../ports.ts';
import type { Database } from '../schema.ts';
import { chunked } from './chunks.ts';
import { appendEvents } from './events.ts';
import { newExecutionRow } from './execution-rows.ts';
import { insertExecutions } from './executions.ts';
import { finishAll } from './leases.ts';
import { checkpointRuns } from './node-runs.ts';

export function journalRepository(db: Kysely<Database>, backend: Backend): JournalRepository {
  return {
    async commit(batch) {
      if (isEmpty(batch)) return { created: [], held: [], finished: [] };
      return db.transaction().execute(async (trx) => {
        if (backend.rowLocks) await lockInIdOrder(trx, backend, batch);
        const created = await insertExecutions(trx, backend, batch.creates.map(newExecutionRow));
        const held = await checkpointRuns(trx, backend, batch.checkpoints);
        await appendEvents(trx, backend, batch.events);
        const finished = await finishAll(trx, batch.finishes);
        return { created, held, finished };
      });
    },
  };
}

export function isEmpty(batch: JournalBatch): boolean {
  return (
    batch.creates.length === 0 &&
    batch.checkpoints.length === 0 &&
    batch.events.length === 0 &&
    batch.finishes.length === 0
  );
}

/**
 * PostgreSQL: every execution row this transaction will read under lock or update, locked up front
 * in id order, as lease renewals lock theirs: two transactions then never wait on each other in a
 * circle (a checkpoint's share lock followed by a finish's update could, otherwise).
 */
async function lockInIdOrder(trx: Kysely<Database>, backend: Backend, batch: JournalBatch): Promise<void> {
  const ids = [
    ...new Set([
      ...batch.checkpoints.map((checkpoint) => checkpoint.lease.executionId),
      ...batch.finishes.map((finish) => finish.lease.executionId),
    ]),
  ].sort();
  for (const part of chunked(ids, backend.maxParameters - 1)) {
    await trx
      .selectFrom('executions')
      .select('id')
      .where('id', 'in', part)
      .orderBy('id')
      .forNoKeyUpdate()
      .execute();
  }
}
