/**
 * @module Retention: deletes finished executions by age and by count per workflow. Their node runs,
 * events, timers and dead letters go with them (foreign keys, ON DELETE CASCADE). Deletes run in
 * bounded chunks, each its own transaction, so a large prune never holds the write lock for long.
 */
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { RetentionPolicy } from '../ports.ts';
import type { Database } from '../schema.ts';
import { FINISHED_STATUSES } from './execution-rows.ts';

const CHUNK = 1_000;

type IdQuery = SelectQueryBuilder<Database, 'executions', { id: string }>;

export function pruneExecutions(db: Kysely<Database>) {
  const deleteAll = async (victims: () => IdQuery): Promise<number> => {
    let total = 0;
    for (;;) {
      const result = await db
        .deleteFrom('executions')
        .where('id', 'in', () => victims().limit(CHUNK))
        .executeTakeFirst();
      const deleted = Number(result.numDeletedRows);
      total += deleted;
      if (deleted < CHUNK) return total;
    }
  };

  return async (policy: RetentionPolicy): Promise<number> => {
    let total = 0;
    const { finishedBefore, keepPerWorkflow } = policy;
    if (finishedBefore !== undefined) {
      total += await deleteAll(() =>
        db
          .selectFrom('executions')
          .select('id')
          .where('status', 'in', FINISHED_STATUSES)
          .where('finished_at', '<', finishedBefore),
      );
    }
    if (keepPerWorkflow !== undefined) {
      if (!Number.isInteger(keepPerWorkflow) || keepPerWorkflow < 0) {
        throw new SwitchyardError(
          'SY_INPUT_INVALID',
          `keepPerWorkflow must be a whole number ≥ 0, not ${keepPerWorkflow}.`,
        );
      }
      total += await deleteAll(
        () =>
          db
            .selectFrom((eb) =>
              eb
                .selectFrom('executions')
                .select([
                  'id',
                  sql<number>`row_number() over (partition by workflow_id order by finished_at desc, id desc)`.as(
                    'newness',
                  ),
                ])
                .where('status', 'in', FINISHED_STATUSES)
                .as('ranked'),
            )
            .select('ranked.id')
            .where('ranked.newness', '>', keepPerWorkflow) as unknown as IdQuery,
      );
    }
    return total;
  };
}
