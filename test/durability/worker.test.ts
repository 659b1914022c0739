/** The durable worker on the embedded store: runs, resumes, takes over leases, replays, dead-letters, durable delays. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExpressionEngine } from '../../src/expressions/engine.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { ExecutionWorker } from '../../src/runtime/durable/execution-worker.ts';
import { Executions } from '../../src/runtime/durable/executions.ts';
import { noCredentials, noOutbound } from '../../src/runtime/offline-services.ts';
import { openStore } from '../../src/store/open-store.ts';
import { type Store, DEFAULT_WORKSPACE as WS } from '../../src/store/ports.ts';
import { newTracker, testRegistry } from '../support/test-nodes.ts';

const dirs: string[] = [];
const stores: Store[] = [];
const workers: ExecutionWorker[] = [];

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function setup(definition: unknown, options: { leaseMs?: number } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-worker-'));
  dirs.push(dataDir);
  const store = await openStore({ dataDir });
  stores.push(store);
  const tracker = newTracker();
  const registry = testRegistry(tracker);
  const now = Date.now();
  await store.workflows.create({ id: 'wf', workspaceId: WS, name: 'wf', draft: definition, now });
  await store.workflows.publish(WS, 'wf', { definition, now });
  const makeWorker = (owner: string) => {
    const worker = new ExecutionWorker({
      store,
      catalog: registry,
      owner,
      leaseMs: options.leaseMs ?? 5000,
      pollMs: 20,
      services: {
        clock: systemClock,
        random: Math.random,
        expressions: new ExpressionEngine(),
        code: { run: () => Promise.reject(new Error('no code')), dispose: () => {} },
        workflows: { resolve: () => Promise.reject(new Error('no sub-workflows')) },
        outbound: noOutbound,
        credentials: noCredentials,
      },
    });
    workers.push(worker);
    return worker;
  };
  const executions = new Executions({ store, catalog: registry, clock: systemClock });
  return { store, tracker, makeWorker, executions };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const finished = (store: Store, id: string) => () =>
  store.executions
    .get(WS, id)
    .then((e) => (e && e.status !== 'queued' && e.status !== 'running' ? e : undefined));

const chain = {
  format: 'switchyard/v1',
  name: 'chain',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'one', type: 'effect', params: { value: '{{ n + 1 }}' } },
    { id: 'two', type: 'sleepy', params: { ms: 300 } },
    { id: 'three', type: 'effect', params: { value: '{{ $nodes.one * 10 }}' } },
  ],
  edges: [
    { from: 'start', to: 'one' },
    { from: 'one', to: 'two' },
    { from: 'two', to: 'three' },
  ],
};

describe('durable worker', () => {
  it('does not let go of runs launched while a lease renewal is under way', async () => {
    const { store, tracker, makeWorker, executions } = await setup(chain, { leaseMs: 600 });
    // A slow database: every renewal takes longer than the heartbeat interval, so one is nearly
    // always under way when a new run starts.
    const renew = store.executions.renew;
    (store.executions as { renew: typeof renew }).renew = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return renew(...args);
    };
    const worker = makeWorker('w1');
    await worker.start();
    const start = (n: number) =>
      executions.start({ workspaceId: WS, workflowId: 'wf', input: { n }, trigger: { kind: 'api' } });
    const first = await start(1);
    worker.notify();
    await until(async () => (worker.activeCount > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const second = await start(2);
    worker.notify();
    for (const { id } of [first, second])
      expect((await until(finished(store, id)))?.status).toBe('succeeded');
    // Neither run was dropped and taken up again (that would show as a second claim, epoch 2)…
    for (const { id } of [first, second]) expect((await store.executions.get(WS, id))?.leaseEpoch).toBe(1);
    // …and each node ran once.
    for (const { id } of [first, second]) {
      expect(tracker.effects.filter((key) => key.startsWith(`${id}:`)).sort()).toEqual([
        `${id}:one`,
        `${id}:three`,
        `${id}:two`,
      ]);
    }
  });

  it('runs a queued execution, stores its log and event stream, and finishes it', async () => {
    const { store, makeWorker, executions } = await setup(chain);
    const worker = makeWorker('w1');
    await worker.start();
    const started = await executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: { n: 4 },
      trigger: { kind: 'api' },
    });
    worker.notify();
    const done = await until(finished(store, started.id));
    expect(done).toMatchObject({ status: 'succeeded', output: 50, workflowVersion: 1 });
    const runs = await store.nodeRuns.list(started.id);
    expect(runs.map((r) => [r.seq, r.nodeId])).toEqual([
      [1, 'start'],
      [2, 'one'],
      [3, 'two'],
      [4, 'three'],
    ]);
    expect(runs.map((r) => r.input)).toEqual([{ n: 4 }, { n: 4 }, 5, 5]);
    const events = await store.events.list(started.id, 0, 100);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('execution.started');
    expect(events.at(-1)?.type).toBe('execution.finished');
  });

  it('answers a start with the execution exactly as the store holds it', async () => {
    const { store, executions } = await setup(chain);
    const started = await executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: { n: 3, tags: ['a', 'b'], nested: { ok: true, none: null } },
      trigger: { kind: 'api' },
      correlationId: 'corr-1',
    });
    expect(started).toEqual(await store.executions.get(WS, started.id));
  });

  it('runs an execution started here at once, under this runner’s lease, with no claim', async () => {
    const { store, makeWorker } = await setup(chain);
    // Polls once a minute and is never woken: only an execution handed to it directly can run.
    const worker = makeWorker('w1');
    (worker as unknown as { pollMs: number }).pollMs = 60_000;
    const executions = new Executions({
      store,
      catalog: testRegistry(newTracker()),
      clock: systemClock,
      runner: worker,
    });
    await worker.start();
    const started = await executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: { n: 4 },
      trigger: { kind: 'api' },
      runHere: true,
    });
    expect(started).toMatchObject({ status: 'running', leaseOwner: 'w1', leaseEpoch: 1 });
    const done = await until(finished(store, started.id), 5_000);
    expect(done).toMatchObject({ status: 'succeeded', output: 50, leaseEpoch: 1 });
    expect((await store.nodeRuns.list(started.id)).map((r) => r.nodeId)).toEqual([
      'start',
      'one',
      'two',
      'three',
    ]);
    const events = await store.events.list(started.id, 0, 100);
    expect(events[0]?.type).toBe('execution.started');
    expect(events.at(-1)?.type).toBe('execution.finished');
  });

  it('gives up a run whose start could not be written, before any effect', async () => {
    const { store, tracker, makeWorker, executions: queued } = await setup(chain);
    const taken = await queued.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: { n: 1 },
      trigger: { kind: 'api' },
    });
    // Held by another runner (for the whole test), so this one neither claims nor touches it.
    await store.executions.claim('elsewhere', 60_000, Date.now(), 1);
    const worker = makeWorker('w1');
    (worker as unknown as { pollMs: number }).pollMs = 60_000;
    // Its one id is taken already: the start is refused while the run has begun.
    const executions = new Executions({
      store,
      catalog: testRegistry(tracker),
      clock: systemClock,
      runner: worker,
      newId: () => taken.id,
    });
    await worker.start();
    const refused = executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: { n: 2 },
      trigger: { kind: 'api' },
      runHere: true,
    });
    await expect(refused).rejects.toMatchObject({ code: 'SY_STORE_CONFLICT' });
    await until(async () => (worker.activeCount === 0 ? true : undefined));
    // `start` is pure and may have run; `one` has an effect and must not have.
    expect(tracker.effects).toEqual([]);
    expect(await store.executions.get(WS, taken.id)).toMatchObject({
      status: 'running',
      leaseOwner: 'elsewhere',
      input: { n: 1 },
    });
    expect(await store.nodeRuns.list(taken.id)).toEqual([]);
  });

  it('takes over an execution whose runner died and runs only what is left', async () => {
    const { store, tracker, makeWorker, executions } = await setup(chain, { leaseMs: 300 });
    const started = await executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: { n: 1 },
      trigger: { kind: 'api' },
    });
    // A runner that "dies": claims, records start and one, then never comes back.
    const [claimed] = await store.executions.claim('dead-runner', 300, Date.now(), 1);
    const lease = { executionId: started.id, owner: 'dead-runner', epoch: claimed!.leaseEpoch };
    const base = {
      executionId: started.id,
      scope: '',
      status: 'succeeded' as const,
      attempts: 1,
      error: null,
      input: null,
    };
    const times = {
      startedAt: Date.now(),
      finishedAt: Date.now(),
      tokensIn: null,
      tokensOut: null,
      costUsd: null,
    };
    expect(
      await store.nodeRuns.checkpoint([
        {
          lease,
          runs: [
            { ...base, ...times, nodeId: 'start', seq: 1, outputs: { out: { n: 1 } } },
            { ...base, ...times, nodeId: 'one', seq: 2, outputs: { out: 2 } },
          ],
        },
      ]),
    ).toEqual([true]);

    await makeWorker('w2').start();
    const done = await until(finished(store, started.id));
    expect(done).toMatchObject({ status: 'succeeded', output: 20 });
    expect(tracker.effects).toEqual([`${started.id}:two`, `${started.id}:three`]);
    const events = await store.events.list(started.id, 0, 100);
    expect(events[0]).toMatchObject({ seq: 1, type: 'execution.resumed' });
    // The dead runner's late writes are refused.
    expect(
      await store.nodeRuns.checkpoint([
        { lease, runs: [{ ...base, ...times, nodeId: 'two', seq: 3, outputs: { out: 'stale' } }] },
      ]),
    ).toEqual([false]);
    expect(
      await store.executions.finish(lease, { status: 'failed', output: null, error: null, now: Date.now() }),
    ).toBe(false);
    expect((await store.executions.get(WS, started.id))?.status).toBe('succeeded');
  });

  it('a runner whose lease was taken over stops its nodes and writes nothing', async () => {
    const { store, tracker, makeWorker, executions } = await setup(chain, { leaseMs: 200 });
    const first = makeWorker('w1');
    await first.start();
    const started = await executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: { n: 1 },
      trigger: { kind: 'api' },
    });
    first.notify();
    await until(() => store.nodeRuns.list(started.id).then((runs) => (runs.length >= 2 ? runs : undefined)));
    // Another runner claims it as if the lease had expired (its clock runs a second ahead).
    const [taken] = await store.executions.claim('w2', 5000, Date.now() + 1000, 1);
    expect(taken?.id).toBe(started.id);
    await until(() => Promise.resolve(tracker.aborted.includes('two') ? true : undefined));
    const runs = await store.nodeRuns.list(started.id);
    expect(runs.map((r) => r.nodeId)).toEqual(['start', 'one']);
  });

  it('replays from a node, reusing the recorded outputs upstream of it', async () => {
    const { store, tracker, makeWorker, executions } = await setup(chain);
    await makeWorker('w1').start();
    const original = await executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: { n: 2 },
      trigger: { kind: 'api' },
    });
    await until(finished(store, original.id));
    tracker.effects.length = 0;
    const replay = await executions.replay(WS, original.id, 'three');
    const done = await until(finished(store, replay.id));
    expect(done).toMatchObject({ status: 'succeeded', output: 30, parentId: original.id });
    expect(tracker.effects).toEqual([`${replay.id}:three`]);
    await expect(executions.replay(WS, original.id, 'nope')).rejects.toMatchObject({
      code: 'SY_REPLAY_INVALID',
    });
  });

  it('dead-letters a failed execution and retries it from there', async () => {
    const failing = {
      format: 'switchyard/v1',
      name: 'fails',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'boom', type: 'flaky', params: { failures: 1, retryable: false } },
      ],
      edges: [{ from: 'start', to: 'boom' }],
    };
    const { store, makeWorker, executions } = await setup(failing);
    await makeWorker('w1').start();
    const started = await executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: null,
      trigger: { kind: 'api' },
    });
    const failed = await until(finished(store, started.id));
    expect(failed.status).toBe('failed');
    const letters = await store.deadLetters.list(WS, { limit: 10 });
    expect(letters.items.map((l) => [l.executionId, l.reason.code])).toEqual([[started.id, 'SY_FAIL_NODE']]);
    const retry = await executions.retryDeadLetter(WS, started.id);
    expect((await until(finished(store, retry.id))).trigger).toMatchObject({ kind: 'retry', of: started.id });
    expect((await store.deadLetters.list(WS, { limit: 10 })).items.map((l) => l.executionId)).not.toContain(
      started.id,
    );
  });

  it('cancels through the store: a running execution at the next heartbeat, a queued one before it starts', async () => {
    const { store, tracker, makeWorker, executions } = await setup(chain, { leaseMs: 150 });
    const running = await executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: { n: 1 },
      trigger: { kind: 'api' },
    });
    const first = makeWorker('w1');
    await first.start();
    await until(() => Promise.resolve(tracker.running > 0 ? true : undefined));
    expect(await store.executions.requestCancel(WS, running.id)).toBe(true);
    const cancelled = await until(finished(store, running.id));
    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'SY_EXEC_CANCELLED' } });
    expect(tracker.aborted).toContain('two');
    // No runner while the next one is queued and cancelled: a running one could claim it in between.
    await first.stop();

    const queued = await store.executions.create({
      id: 'queued-then-cancelled',
      workspaceId: WS,
      workflowId: 'wf',
      workflowVersion: 1,
      trigger: { kind: 'api' },
      input: { n: 1 },
      now: Date.now() + 60_000,
    });
    expect(await store.executions.requestCancel(WS, queued.id)).toBe(true);
    const effectsBefore = tracker.effects.length;
    await makeWorker('w2').start();
    expect(await until(finished(store, queued.id))).toMatchObject({ status: 'cancelled' });
    expect(tracker.effects.length).toBe(effectsBefore);
  });

  it('keeps a delay across a restart: the wait is not started over', async () => {
    const waiting = {
      format: 'switchyard/v1',
      name: 'wait',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'wait', type: 'delay', params: { ms: 800 } },
        { id: 'after', type: 'effect', params: { value: 'done' } },
      ],
      edges: [
        { from: 'start', to: 'wait' },
        { from: 'wait', to: 'after' },
      ],
    };
    const { store, makeWorker, executions } = await setup(waiting, { leaseMs: 200 });
    const first = makeWorker('w1');
    await first.start();
    const t0 = Date.now();
    const started = await executions.start({
      workspaceId: WS,
      workflowId: 'wf',
      input: null,
      trigger: { kind: 'api' },
    });
    first.notify();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await first.stop();
    await makeWorker('w2').start();
    const done = await until(finished(store, started.id));
    expect(done.status).toBe('succeeded');
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(780);
    expect(elapsed).toBeLessThan(1150);
  });
});
