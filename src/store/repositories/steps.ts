/** @module Node steps: the first recorded result of a step wins, and every later run reads it back. */
import type { Kysely } from 'kysely';
import { fromJson, toJson } from '../json-column.ts';
import type { StepRepository } from '../ports.ts';
import type { Database } from '../schema.ts';

export function stepRepository(db: Kysely<Database>): StepRepository {
  const find = async (executionId: string, nodeKey: string, stepKey: string) => {
    const row = await db
      .selectFrom('node_steps')
      .select('result')
      .where('execution_id', '=', executionId)
      .where('node_key', '=', nodeKey)
      .where('step_key', '=', stepKey)
      .executeTakeFirst();
    return row && { result: fromJson(row.result) };
  };
  return {
    async record(step) {
      await db
        .insertInto('node_steps')
        .values({
          execution_id: step.executionId,
          node_key: step.nodeKey,
          step_key: step.stepKey,
          result: toJson(step.result),
          created_at: step.now,
        })
        .onConflict((oc) => oc.columns(['execution_id', 'node_key', 'step_key']).doNothing())
        .execute();
      return (await find(step.executionId, step.nodeKey, step.stepKey))?.result;
    },
    find,
  };
}
