/** Conformance: JSON values and times come back exactly as they went in, in every JSON column. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE } from '../../../src/store/ports.ts';
import { leaseOf, newExecution, nodeRun, T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { level: i, next: value } : [i, value];
  return value;
}

/** Everything JSON can hold, including what PostgreSQL's jsonb refuses (\u0000, lone surrogates). */
const NASTY = {
  nested: { a: { b: { c: [1, { d: [[], {}, [null]] }] } } },
  unicode: [
    'héllo wörld',
    '日本語テキスト',
    'مرحبا',
    '🚀👩‍👩‍👧‍👦',
    'e\u0301',
    '\u2028\u2029',
    'quote " backslash \\ tab \t newline \n',
  ],
  awkward: ['a\u0000b', '\ud800', 'x\udfffy'],
  numbers: [
    0,
    1,
    -1,
    42.5,
    -0.000_001,
    1e-7,
    0.1 + 0.2,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    1.797_693_134_862_315_7e308,
    5e-324,
  ],
  literals: [true, false, null],
  'keys.with.dots': { '': 'empty key', 'quote"key': 1, ключ: 2, $where: 3 },
  deep: deeplyNested(60),
  long: 'x'.repeat(300_000),
};

const TOP_LEVEL = ['just a string', 12.75, null, true, [1, 'two', { three: 3 }], {}];

export function jsonConformance(fixture: StoreFixture): void {
  describe('JSON values and times', () => {
    it('round-trips nested values, unicode, numbers and null in every JSON column', async () => {
      const store = await fixture.open();
      await store.workflows.create({
        id: 'wf-1',
        workspaceId: DEFAULT_WORKSPACE,
        name: 'n',
        draft: NASTY,
        now: T0,
      });
      expect((await store.workflows.get(DEFAULT_WORKSPACE, 'wf-1'))?.draft).toEqual(NASTY);
      await store.workflows.publish(DEFAULT_WORKSPACE, 'wf-1', { definition: NASTY, now: T0 });
      expect((await store.workflows.getVersion(DEFAULT_WORKSPACE, 'wf-1', 1))?.definition).toEqual(NASTY);

      const trigger = { kind: 'webhook', body: NASTY };
      await store.executions.create(
        newExecution('ex-1', { trigger, input: NASTY, replay: { executionId: 'ex-0', fromNode: '🚀' } }),
      );
      const [claimed] = await store.executions.claim('runner', 30_000, T0, 1);
      const lease = leaseOf(claimed!);
      await store.nodeRuns.checkpoint([
        { lease, runs: [nodeRun('ex-1', 'n', 1, { outputs: { main: NASTY, other: null } })] },
      ]);
      expect((await store.nodeRuns.list('ex-1'))[0]?.outputs).toEqual({ main: NASTY, other: null });
      await store.events.append([{ executionId: 'ex-1', seq: 1, type: 't', payload: NASTY, at: T0 }]);
      expect((await store.events.list('ex-1', 0, 1))[0]?.payload).toEqual(NASTY);
      const error = { code: 'SY_NODE_FAILED', message: 'a\u0000b 🚀', details: { nasty: NASTY } };
      await store.executions.finish(lease, { status: 'failed', output: NASTY, error, now: T0 + 1 });
      const finished = await store.executions.get(DEFAULT_WORKSPACE, 'ex-1');
      expect(finished).toMatchObject({
        trigger,
        input: NASTY,
        output: NASTY,
        error,
        replay: { executionId: 'ex-0', fromNode: '🚀' },
      });
      await store.schedules.create({
        id: 's-1',
        workspaceId: DEFAULT_WORKSPACE,
        workflowId: 'wf-1',
        cron: '* * * * *',
        timezone: 'UTC',
        misfire: 'skip',
        enabled: true,
        input: NASTY,
        nextFireAt: null,
        createdAt: T0,
      });
      expect((await store.schedules.get(DEFAULT_WORKSPACE, 's-1'))?.input).toEqual(NASTY);
    });

    it('round-trips any JSON value at the top level', async () => {
      const store = await fixture.open();
      for (const [i, value] of TOP_LEVEL.entries()) {
        await store.workflows.create({
          id: `wf-${i}`,
          workspaceId: DEFAULT_WORKSPACE,
          name: 'n',
          draft: value,
          now: T0,
        });
        expect((await store.workflows.get(DEFAULT_WORKSPACE, `wf-${i}`))?.draft).toEqual(value);
        await store.executions.create(newExecution(`ex-${i}`, { input: value }));
        expect((await store.executions.get(DEFAULT_WORKSPACE, `ex-${i}`))?.input).toEqual(value);
      }
    });

    it('returns times as numbers, to the millisecond, far into the future', async () => {
      const store = await fixture.open();
      const far = 8_640_000_000_000_000; // the last millisecond a Date can hold
      const created = await store.executions.create(newExecution('ex-1', { now: far - 10 }));
      expect(created.createdAt).toBe(far - 10);
      const [claimed] = await store.executions.claim('runner', 5, far - 5, 1);
      expect(claimed).toMatchObject({ startedAt: far - 5, leaseExpiresAt: far });
      const read = await store.executions.get(DEFAULT_WORKSPACE, 'ex-1');
      for (const time of [read?.createdAt, read?.startedAt, read?.leaseExpiresAt])
        expect(typeof time).toBe('number');
      expect(await store.timers.getOrCreate('ex-1', 'k', far)).toBe(far);
      const run = nodeRun('ex-1', 'n', 1, { startedAt: far - 3, finishedAt: far - 1 });
      await store.nodeRuns.checkpoint([{ lease: leaseOf(claimed!), runs: [run] }]);
      expect(await store.nodeRuns.list('ex-1')).toEqual([run]);
    });
  });
}
