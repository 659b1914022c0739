/** @module Cron schedules; advance() is a compare-and-set so that one firing starts one execution. */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { fromJson, toJson } from '../json-column.ts';
import type { ScheduleRepository, StoredSchedule } from '../ports.ts';
import type { Database, SchedulesTable } from '../schema.ts';
import { newestFirstPage } from './newest-first.ts';

export function scheduleRepository(db: Kysely<Database>): ScheduleRepository {
  return {
    async create(schedule) {
      const row: SchedulesTable = {
        id: schedule.id,
        workspace_id: schedule.workspaceId,
        workflow_id: schedule.workflowId,
        cron: schedule.cron,
        timezone: schedule.timezone,
        misfire: schedule.misfire,
        enabled: schedule.enabled ? 1 : 0,
        input: toJson(schedule.input),
        next_fire_at: schedule.nextFireAt,
        last_fired_at: null,
        created_at: schedule.createdAt,
        updated_at: schedule.createdAt,
      };
      await db.insertInto('schedules').values(row).execute();
      return toSchedule(row);
    },

    async get(workspaceId, id) {
      const row = await db
        .selectFrom('schedules')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toSchedule(row);
    },

    async list(workspaceId, page) {
      return newestFirstPage(
        db.selectFrom('schedules').selectAll().where('workspace_id', '=', workspaceId),
        page,
        'id',
        toSchedule,
      );
    },

    async update(workspaceId, id, patch) {
      const set: Updateable<SchedulesTable> = { updated_at: patch.now };
      if (patch.cron !== undefined) set.cron = patch.cron;
      if (patch.timezone !== undefined) set.timezone = patch.timezone;
      if (patch.misfire !== undefined) set.misfire = patch.misfire;
      if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
      if (patch.input !== undefined) set.input = toJson(patch.input);
      if (patch.nextFireAt !== undefined) set.next_fire_at = patch.nextFireAt;
      const row = await db
        .updateTable('schedules')
        .set(set)
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toSchedule(row);
    },

    async delete(workspaceId, id) {
      const result = await db
        .deleteFrom('schedules')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async due(now, limit) {
      if (limit < 1) return [];
      const rows = await db
        .selectFrom('schedules')
        .selectAll()
        .where('enabled', '=', 1)
        .where('next_fire_at', '<=', now)
        .orderBy('next_fire_at')
        .orderBy('id')
        .limit(Math.trunc(limit))
        .execute();
      return rows.map(toSchedule);
    },

    async advance(id, expected, next, firedAt) {
      const result = await db
        .updateTable('schedules')
        .set({ next_fire_at: next, last_fired_at: firedAt })
        .where('id', '=', id)
        .where('next_fire_at', '=', expected)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

function toSchedule(row: Selectable<SchedulesTable>): StoredSchedule {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    workflowId: row.workflow_id,
    cron: row.cron,
    timezone: row.timezone,
    misfire: row.misfire as StoredSchedule['misfire'],
    enabled: row.enabled === 1,
    input: fromJson(row.input),
    nextFireAt: row.next_fire_at,
    lastFiredAt: row.last_fired_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
