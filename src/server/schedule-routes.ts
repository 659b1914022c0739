/** @module /api/v1/schedules: cron schedules of published workflows — create, list, get, edit, delete. */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { checkCron, nextFireAfter } from '../runtime/durable/scheduler-cron.ts';
import type { StoredSchedule } from '../store/ports.ts';
import { idParams, pageQuery, problemAnswers } from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';
import {
  createScheduleBody,
  scheduleLocation,
  scheduleOf,
  schedulePageSchema,
  scheduleSchema,
  updateScheduleBody,
} from './schedule-schemas.ts';
import { workspaceOf } from './workspace.ts';

const tags = ['schedules'];

export function scheduleRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const { store, clock } = deps;

  /** The next tick after now; null when disabled (a disabled schedule is never due). */
  const nextFireAt = (cron: string, timezone: string, enabled: boolean): number | null =>
    enabled ? nextFireAfter(cron, timezone, clock.now()) : null;

  async function requirePublished(workspaceId: string, workflowId: string): Promise<void> {
    const workflow = await store.workflows.get(workspaceId, workflowId);
    if (!workflow) throw new SwitchyardError('SY_WORKFLOW_NOT_FOUND', `no workflow "${workflowId}"`);
    if (workflow.latestVersion === null) {
      throw new SwitchyardError(
        'SY_WORKFLOW_NOT_PUBLISHED',
        `workflow "${workflowId}" has no published version`,
        {
          hint: 'Publish a version of the workflow first (POST /api/v1/workflows/{id}/versions).',
        },
      );
    }
  }

  return async (app) => {
    app.post(
      '/schedules',
      {
        schema: {
          operationId: 'createSchedule',
          summary: 'Run a published workflow on a cron schedule, in a time zone.',
          tags,
          body: createScheduleBody,
          response: { 201: scheduleSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const workspaceId = workspaceOf(request);
        checkCron(body.cron, body.timezone);
        await requirePublished(workspaceId, body.workflowId);
        const schedule = await store.schedules.create({
          id: randomUUID(),
          workspaceId,
          workflowId: body.workflowId,
          cron: body.cron,
          timezone: body.timezone,
          misfire: body.misfire,
          enabled: body.enabled,
          input: body.input ?? {},
          nextFireAt: nextFireAt(body.cron, body.timezone, body.enabled),
          createdAt: clock.now(),
        });
        return reply.status(201).header('location', scheduleLocation(schedule.id)).send(scheduleOf(schedule));
      },
    );

    app.get(
      '/schedules',
      {
        schema: {
          operationId: 'listSchedules',
          summary: 'List schedules, newest first.',
          tags,
          querystring: z.strictObject(pageQuery),
          response: { 200: schedulePageSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const { after, limit } = request.query;
        const page = await store.schedules.list(workspaceOf(request), { limit, ...(after ? { after } : {}) });
        return { items: page.items.map(scheduleOf), ...(page.next ? { next: page.next } : {}) };
      },
    );

    app.get(
      '/schedules/:id',
      {
        schema: {
          operationId: 'getSchedule',
          summary: 'Get a schedule with its next and last fire times.',
          tags,
          params: idParams,
          response: { 200: scheduleSchema, ...problemAnswers },
        },
      },
      async (request) =>
        scheduleOf(
          found(await store.schedules.get(workspaceOf(request), request.params.id), request.params.id),
        ),
    );

    app.patch(
      '/schedules/:id',
      {
        schema: {
          operationId: 'updateSchedule',
          summary:
            'Edit a schedule; a new cron, time zone or enabled flag recomputes the next tick from now.',
          tags,
          params: idParams,
          body: updateScheduleBody,
          response: { 200: scheduleSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const workspaceId = workspaceOf(request);
        const current = found(await store.schedules.get(workspaceId, request.params.id), request.params.id);
        const { cron, timezone, misfire, enabled, input } = request.body;
        const merged = {
          cron: cron ?? current.cron,
          timezone: timezone ?? current.timezone,
          enabled: enabled ?? current.enabled,
        };
        const retimed = cron !== undefined || timezone !== undefined || enabled !== undefined;
        if (retimed) checkCron(merged.cron, merged.timezone);
        const updated = await store.schedules.update(workspaceId, current.id, {
          ...(cron === undefined ? {} : { cron }),
          ...(timezone === undefined ? {} : { timezone }),
          ...(misfire === undefined ? {} : { misfire }),
          ...(enabled === undefined ? {} : { enabled }),
          ...(input === undefined ? {} : { input }),
          ...(retimed ? { nextFireAt: nextFireAt(merged.cron, merged.timezone, merged.enabled) } : {}),
          now: clock.now(),
        });
        return scheduleOf(found(updated, current.id));
      },
    );

    app.delete(
      '/schedules/:id',
      {
        schema: {
          operationId: 'deleteSchedule',
          summary: 'Delete a schedule; the executions it started keep their data.',
          tags,
          params: idParams,
          response: { 204: z.null().describe('Deleted.'), ...problemAnswers },
        },
      },
      async (request, reply) => {
        if (!(await store.schedules.delete(workspaceOf(request), request.params.id)))
          found(undefined, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}

function found(schedule: StoredSchedule | undefined, id: string): StoredSchedule {
  if (!schedule) throw new SwitchyardError('SY_SCHEDULE_NOT_FOUND', `no schedule "${id}"`);
  return schedule;
}
