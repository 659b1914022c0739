/** @module The ordered event log per execution: appended in batches, read from a position on. */
import { type Kysely, sql } from 'kysely';
import type { Backend } from '../backend.ts';
import { EVENT_COLUMNS } from '../columns.ts';
import { fromJson, toJson } from '../json-column.ts';
import type { EventRepository, StoredEvent } from '../ports.ts';
import type { Database, ExecutionEventsTable } from '../schema.ts';
import { chunked } from './chunks.ts';

export async function appendEvents(
  db: Kysely<Database>,
  backend: Backend,
  events: readonly StoredEvent[],
): Promise<void> {
  const rows = events.map(eventRow);
  for (const part of chunked(rows, Math.floor(backend.maxParameters / EVENT_COLUMNS.length) - 1)) {
    // A runner that resumes re-sends what it may have sent before it died: first write wins.
    await db
      .insertInto('execution_events')
      .values(part as ExecutionEventsTable[])
      .onConflict((oc) => oc.columns(['execution_id', 'seq']).doNothing())
      .execute();
  }
}

export function eventRow(event: StoredEvent): ExecutionEventsTable {
  return {
    execution_id: event.executionId,
    seq: event.seq,
    type: event.type,
    payload: toJson(event.payload),
    at: event.at,
  };
}

export function eventRepository(db: Kysely<Database>, backend: Backend): EventRepository {
  return {
    append(events) {
      return appendEvents(db, backend, events);
    },

    async list(executionId, afterSeq, limit) {
      if (limit < 1) return [];
      const rows = await db
        .selectFrom('execution_events')
        .selectAll()
        .where('execution_id', '=', executionId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(Math.trunc(limit))
        .execute();
      return rows.map(
        (row): StoredEvent => ({
          executionId: row.execution_id,
          seq: row.seq,
          type: row.type,
          payload: fromJson(row.payload),
          at: row.at,
        }),
      );
    },

    async lastSeq(executionId) {
      const row = await db
        .selectFrom('execution_events')
        .select(sql<number | null>`max(seq)`.as('last'))
        .where('execution_id', '=', executionId)
        .executeTakeFirst();
      return row?.last ?? 0;
    },
  };
}
