/** /api/v1/schedules over real HTTP: create, list, get, edit, delete, and every error path. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextFireAfter } from '../../src/runtime/durable/scheduler-cron.ts';
import { call, hello, published, startServer, type TestServer } from './fixture.ts';

let server: TestServer;
let workflowId: string;

beforeAll(async () => {
  server = await startServer();
  workflowId = await published(server, hello);
});
afterAll(() => server.close());

const create = (body: unknown) => call(server, 'POST', '/api/v1/schedules', body);

describe('schedule routes', () => {
  it('creates a schedule with defaults and its next tick in its time zone', async () => {
    const before = Date.now();
    const answer = await create({ workflowId, cron: '0 9 * * *', timezone: 'Europe/Paris', input: { n: 1 } });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('location')).toBe(`/api/v1/schedules/${answer.body.id}`);
    expect(answer.body).toMatchObject({
      workflowId,
      misfire: 'skip',
      enabled: true,
      input: { n: 1 },
      lastFiredAt: null,
    });
    const next = Date.parse(answer.body.nextFireAt);
    expect(next).toBe(nextFireAfter('0 9 * * *', 'Europe/Paris', before));
    // 09:00 in Paris is 07:00 or 08:00 UTC, depending on daylight saving time.
    expect([7, 8]).toContain(new Date(next).getUTCHours());

    const utc = await create({ workflowId, cron: '*/5 * * * *' });
    expect(utc.body).toMatchObject({ timezone: 'UTC', input: {} });
    expect(new Date(utc.body.nextFireAt).getUTCMinutes() % 5).toBe(0);
  });

  it('refuses an invalid cron expression or time zone with a problem naming the field', async () => {
    const badCron = await create({ workflowId, cron: '61 * * * *' });
    expect(badCron.status).toBe(400);
    expect(badCron.type).toMatch(/application\/problem\+json/);
    expect(badCron.body).toMatchObject({ code: 'SY_SCHEDULE_INVALID', path: 'cron' });
    expect(badCron.body.detail).toMatch(/minute/);
    expect(badCron.body.hint).toMatch(/five fields/);

    const badZone = await create({ workflowId, cron: '0 9 * * *', timezone: 'Mars/Olympus' });
    expect(badZone.status).toBe(400);
    expect(badZone.body).toMatchObject({ code: 'SY_SCHEDULE_INVALID', path: 'timezone' });
    expect(badZone.body.detail).toMatch(/Mars\/Olympus/);

    const unknownField = await create({ workflowId, cron: '0 9 * * *', every: 'day' });
    expect(unknownField.body.code).toBe('SY_HTTP_VALIDATION');
    const badMisfire = await create({ workflowId, cron: '0 9 * * *', misfire: 'sometimes' });
    expect(badMisfire.body.code).toBe('SY_HTTP_VALIDATION');
  });

  it('needs a workflow that exists and has a published version', async () => {
    const missing = await create({ workflowId: 'no-such-workflow', cron: '0 9 * * *' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('SY_WORKFLOW_NOT_FOUND');

    const draft = await call(server, 'POST', '/api/v1/workflows', { definition: hello });
    const unpublished = await create({ workflowId: draft.body.id, cron: '0 9 * * *' });
    expect(unpublished.status).toBe(409);
    expect(unpublished.body.code).toBe('SY_WORKFLOW_NOT_PUBLISHED');
  });

  it('lists newest first with a cursor, and gets one', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create({ workflowId, cron: `${i} 1 * * *` })).body.id);
    const first = await call(server, 'GET', '/api/v1/schedules?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    const second = await call(server, 'GET', `/api/v1/schedules?limit=2&after=${first.body.next}`);
    expect(second.body.items[0].id).toBe(ids[0]);

    const one = await call(server, 'GET', `/api/v1/schedules/${ids[1]}`);
    expect(one.body).toMatchObject({ id: ids[1], cron: '1 1 * * *' });
    const none = await call(server, 'GET', '/api/v1/schedules/nope');
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('SY_SCHEDULE_NOT_FOUND');
  });

  it('edits a schedule, recomputing the next tick when its timing changes', async () => {
    const { id, nextFireAt } = (await create({ workflowId, cron: '0 9 * * *' })).body;
    const path = `/api/v1/schedules/${id}`;

    const input = await call(server, 'PATCH', path, { input: { x: 2 }, misfire: 'catchUp' });
    expect(input.body).toMatchObject({ input: { x: 2 }, misfire: 'catchUp', nextFireAt });

    const disabled = await call(server, 'PATCH', path, { enabled: false });
    expect(disabled.body).toMatchObject({ enabled: false, nextFireAt: null });

    const retimed = await call(server, 'PATCH', path, {
      enabled: true,
      cron: '30 * * * *',
      timezone: 'Asia/Kolkata',
    });
    expect(retimed.status).toBe(200);
    // Half past the hour in India (UTC+05:30) is on the hour in UTC.
    expect(new Date(retimed.body.nextFireAt).getUTCMinutes()).toBe(0);

    const invalid = await call(server, 'PATCH', path, { timezone: 'Nowhere/Land' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('SY_SCHEDULE_INVALID');
    const missing = await call(server, 'PATCH', '/api/v1/schedules/nope', { enabled: false });
    expect(missing.body.code).toBe('SY_SCHEDULE_NOT_FOUND');
  });

  it('deletes a schedule once', async () => {
    const { id } = (await create({ workflowId, cron: '0 9 * * *' })).body;
    expect((await call(server, 'DELETE', `/api/v1/schedules/${id}`)).status).toBe(204);
    const again = await call(server, 'DELETE', `/api/v1/schedules/${id}`);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('SY_SCHEDULE_NOT_FOUND');
  });
});
