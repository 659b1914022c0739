/**
 * Schedules fire each tick exactly once: across a restart (also one that crashed between starting a
 * tick's execution and advancing the schedule), across two schedulers racing on one database (SQLite
 * and the real PostgreSQL), under both misfire policies after downtime, and in a time zone with DST.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createNodeRegistry } from '../../src/nodes/registry.ts';
import { Executions } from '../../src/runtime/durable/executions.ts';
import {
  type Scheduler,
  type SchedulerOptions,
  scheduledExecutionId,
  startScheduler,
} from '../../src/runtime/durable/scheduler.ts';
import { nextFireAfter } from '../../src/runtime/durable/scheduler-cron.ts';
import { openStore } from '../../src/store/open-store.ts';
import { DEFAULT_WORKSPACE, type Store, type StoredSchedule } from '../../src/store/ports.ts';
import { hello } from '../server/fixture.ts';
import { closeAdmin, createSchema, dropSchema, urlWithSchema } from '../store/postgres-server.ts';
import { FakeClock } from '../support/fake-clock.ts';

type Backend = 'sqlite' | 'postgres';

interface TestDatabase {
  /** A new connection to the same database (PostgreSQL: a second "process"; SQLite: the same store). */
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

async function testDatabase(backend: Backend): Promise<TestDatabase> {
  const opened: Store[] = [];
  if (backend === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-schedules-'));
    const store = await openStore({ dataDir });
    return {
      open: async () => store,
      async dispose() {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = await createSchema();
  return {
    async open() {
      const store = await openStore({ databaseUrl: urlWithSchema(schema), dataDir: tmpdir() });
      opened.push(store);
      return store;
    },
    async dispose() {
      for (const store of opened) await store.close();
      await dropSchema(schema);
    },
  };
}

const registry = createNodeRegistry();

/** A published workflow and a schedule of it; nextFireAt is the first tick after the clock's now. */
async function scheduleOn(
  store: Store,
  clock: FakeClock,
  fields: Partial<Pick<StoredSchedule, 'cron' | 'timezone' | 'misfire'>> = {},
): Promise<StoredSchedule> {
  const now = clock.now();
  const workflowId = `wf-${Math.random().toString(36).slice(2, 10)}`;
  await store.workflows.create({
    id: workflowId,
    workspaceId: DEFAULT_WORKSPACE,
    name: 'hello',
    draft: hello,
    now,
  });
  await store.workflows.publish(DEFAULT_WORKSPACE, workflowId, { definition: hello, now });
  const cron = fields.cron ?? '* * * * *';
  const timezone = fields.timezone ?? 'UTC';
  return store.schedules.create({
    id: `s-${workflowId}`,
    workspaceId: DEFAULT_WORKSPACE,
    workflowId,
    cron,
    timezone,
    misfire: fields.misfire ?? 'skip',
    enabled: true,
    input: { name: 'cron' },
    nextFireAt: nextFireAfter(cron, timezone, now),
    createdAt: now,
  });
}

/** A scheduler whose loop polls once at start and then sleeps: the tests drive it through poll(). */
function scheduler(store: Store, clock: FakeClock, options: Partial<SchedulerOptions> = {}): Scheduler {
  return startScheduler({ store, catalog: registry, clock, pollMs: 24 * 3_600_000, ...options });
}

/** The ticks fired for a schedule, as ISO times, in order; a tick fired twice appears twice. */
async function firedTicks(store: Store, schedule: StoredSchedule): Promise<string[]> {
  const page = await store.executions.list(DEFAULT_WORKSPACE, {
    workflowId: schedule.workflowId,
    limit: 500,
  });
  return page.items
    .filter((execution) => execution.trigger.kind === 'schedule')
    .map((execution) => String(execution.trigger.scheduledFor))
    .sort();
}

const iso = (ms: number) => new Date(ms).toISOString();

const T0 = Date.UTC(2026, 0, 1, 0, 0, 30);
const minute = (n: number) => Date.UTC(2026, 0, 1, 0, n, 0);

async function clockAt(time: number): Promise<FakeClock> {
  const clock = new FakeClock();
  await clock.advance(time);
  return clock;
}

afterAll(closeAdmin);

describe.each<Backend>(['sqlite', 'postgres'])('schedules on %s', (backend) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it('fires each tick exactly once across restarts, even one that crashed between start and advance', async () => {
    database = await testDatabase(backend);
    const store = await database.open();
    const clock = await clockAt(T0);
    const schedule = await scheduleOn(store, clock);

    const first = scheduler(store, clock);
    expect(await first.poll()).toBe(0);
    await clock.advance(minute(1) + 500 - clock.now());
    expect(await first.poll()).toBe(1);
    expect(await first.poll()).toBe(0);
    await first.stop();

    // A new process on the same database: the tick already fired is not fired again.
    const second = scheduler(store, clock);
    expect(await second.poll()).toBe(0);
    // The previous process started minute 2's execution and died before advancing the schedule.
    await clock.advance(minute(2) + 100 - clock.now());
    await new Executions({
      store,
      catalog: registry,
      clock,
      newId: () => scheduledExecutionId(schedule.id, minute(2)),
    }).start({
      workspaceId: DEFAULT_WORKSPACE,
      workflowId: schedule.workflowId,
      input: {},
      trigger: { kind: 'schedule', scheduleId: schedule.id, scheduledFor: iso(minute(2)) },
    });
    expect(await second.poll()).toBe(0);
    expect((await store.schedules.get(DEFAULT_WORKSPACE, schedule.id))?.nextFireAt).toBe(minute(3));
    await second.stop();

    // Down over minute 3 for 10 s (within the grace period): the tick is late, not lost.
    await clock.advance(minute(3) + 10_000 - clock.now());
    const third = scheduler(store, clock);
    await third.poll();
    await third.stop();
    expect(await firedTicks(store, schedule)).toEqual([iso(minute(1)), iso(minute(2)), iso(minute(3))]);
    const stored = await store.schedules.get(DEFAULT_WORKSPACE, schedule.id);
    expect(stored).toMatchObject({ nextFireAt: minute(4), lastFiredAt: minute(3) + 10_000 });
  });

  it('two schedulers racing on one database fire each tick exactly once', async () => {
    database = await testDatabase(backend);
    const [storeA, storeB] = [await database.open(), await database.open()];
    const clock = await clockAt(T0);
    const schedule = await scheduleOn(storeA, clock);
    const a = scheduler(storeA, clock);
    const b = scheduler(storeB, clock);
    let started = 0;
    for (let tick = 1; tick <= 5; tick++) {
      await clock.advance(minute(tick) + 50 - clock.now());
      const counts = await Promise.all([a.poll(), b.poll(), a.poll(), b.poll()]);
      started += counts.reduce((sum, n) => sum + n, 0);
    }
    await Promise.all([a.stop(), b.stop()]);
    expect(started).toBe(5);
    expect(await firedTicks(storeA, schedule)).toEqual([1, 2, 3, 4, 5].map((n) => iso(minute(n))));
  });

  it('after downtime, skip fires none of the missed ticks and catchUp fires each, bounded', async () => {
    database = await testDatabase(backend);
    const store = await database.open();
    const clock = await clockAt(T0);
    const skip = await scheduleOn(store, clock, { misfire: 'skip' });
    const catchUp = await scheduleOn(store, clock, { misfire: 'catchUp' });
    const bounded = await scheduleOn(store, clock, { misfire: 'catchUp' });
    await clock.advance(minute(10) + 30_000 - clock.now());

    // Only the bounded schedule is due to this scheduler: the others are disabled meanwhile.
    await store.schedules.update(DEFAULT_WORKSPACE, skip.id, { enabled: false, now: clock.now() });
    await store.schedules.update(DEFAULT_WORKSPACE, catchUp.id, { enabled: false, now: clock.now() });
    const boundedRun = scheduler(store, clock, { misfire: { graceMs: 1_000, maxCatchUp: 3 } });
    await boundedRun.poll();
    await boundedRun.stop();
    await store.schedules.update(DEFAULT_WORKSPACE, skip.id, { enabled: true, now: clock.now() });
    await store.schedules.update(DEFAULT_WORKSPACE, catchUp.id, { enabled: true, now: clock.now() });

    const run = scheduler(store, clock, { misfire: { graceMs: 1_000 } });
    await run.poll();
    await run.stop();
    expect(await firedTicks(store, skip)).toEqual([]);
    expect(await firedTicks(store, catchUp)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => iso(minute(n))),
    );
    expect(await firedTicks(store, bounded)).toEqual([1, 2, 3].map((n) => iso(minute(n))));
    for (const { id } of [skip, catchUp, bounded]) {
      expect((await store.schedules.get(DEFAULT_WORKSPACE, id))?.nextFireAt).toBe(minute(11));
    }
  });

  it('fires 09:00 in Europe/Paris at 08:00 UTC in winter and 07:00 UTC in summer; a schedule out of ticks stops', async () => {
    database = await testDatabase(backend);
    const store = await database.open();
    const clock = await clockAt(Date.UTC(2026, 2, 27, 12));
    const paris = await scheduleOn(store, clock, {
      cron: '0 9 * * *',
      timezone: 'Europe/Paris',
      misfire: 'catchUp',
    });
    const once = await scheduleOn(store, clock, { cron: '0 0 10 28 3 * 2026', misfire: 'catchUp' });
    const run = scheduler(store, clock);
    // Daylight saving time starts in Paris on Sunday 29 March 2026.
    for (const day of [28, 29, 30]) {
      await clock.advance(Date.UTC(2026, 2, day, 12) - clock.now());
      await run.poll();
    }
    await run.stop();
    expect(await firedTicks(store, paris)).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
    expect(await firedTicks(store, once)).toEqual(['2026-03-28T10:00:00.000Z']);
    expect((await store.schedules.get(DEFAULT_WORKSPACE, once.id))?.nextFireAt).toBeNull();
  });
});
