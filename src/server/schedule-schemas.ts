/** @module The schedule resource's shapes: what a client sends to create and edit one, and what it gets back. */
import { z } from 'zod';
import type { StoredSchedule } from '../store/ports.ts';
import { isoOf, isoOrNull, isoTime, pageOf, resourceId } from './common-schemas.ts';
import { API_PREFIX } from './locations.ts';

const cron = z
  .string()
  .min(1)
  .max(200)
  .describe(
    "A cron expression: five fields (minute hour day month weekday) or six with seconds first, e.g. '0 9 * * 1-5'.",
  );
const timezone = z
  .string()
  .min(1)
  .max(100)
  .describe("An IANA time zone, e.g. 'Europe/Paris'; ticks follow its daylight saving time.");
const misfire = z
  .enum(['skip', 'catchUp'])
  .describe(
    'After downtime: skip the ticks missed (fire at the next one), or fire each of them (at most 100).',
  );
const enabled = z.boolean().describe('A disabled schedule never fires.');
const input = z.unknown().describe('The input of every execution the schedule starts.');

export const createScheduleBody = z.strictObject({
  workflowId: resourceId.describe('A workflow with a published version; each tick runs its latest version.'),
  cron,
  timezone: timezone.default('UTC'),
  misfire: misfire.default('skip'),
  enabled: enabled.default(true),
  input: input.optional(),
});

export const updateScheduleBody = z.strictObject({
  cron: cron.optional(),
  timezone: timezone.optional(),
  misfire: misfire.optional(),
  enabled: enabled.optional(),
  input: input.optional(),
});

export const scheduleSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    cron: z.string(),
    timezone: z.string(),
    misfire,
    enabled: z.boolean(),
    input: z.unknown(),
    nextFireAt: isoTime
      .nullable()
      .describe('The next tick; null when disabled or the expression yields no more.'),
    lastFiredAt: isoTime.nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Schedule' });

export const schedulePageSchema = pageOf(scheduleSchema);

export const scheduleLocation = (id: string) => `${API_PREFIX}/schedules/${encodeURIComponent(id)}`;

export function scheduleOf(schedule: StoredSchedule): z.output<typeof scheduleSchema> {
  return {
    id: schedule.id,
    workflowId: schedule.workflowId,
    cron: schedule.cron,
    timezone: schedule.timezone,
    misfire: schedule.misfire,
    enabled: schedule.enabled,
    input: schedule.input,
    nextFireAt: isoOrNull(schedule.nextFireAt),
    lastFiredAt: isoOrNull(schedule.lastFiredAt),
    createdAt: isoOf(schedule.createdAt),
    updatedAt: isoOf(schedule.updatedAt),
  };
}
