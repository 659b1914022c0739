import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../test/support/fake-clock.ts';
import { harness } from '../../test/support/harness.ts';
import { line, workflow } from '../../test/support/workflow-shapes.ts';
import type { NodeRunRecord } from '../core/scheduler/records.ts';

let h: ReturnType<typeof harness>;
afterEach(() => h?.services.code.dispose());

describe('retries', () => {
  it('retries with exponential backoff, full jitter and a cap, on a fake clock', async () => {
    const clock = new FakeClock();
    h = harness({ clock, random: () => 0.999 });
    const done = h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          {
            id: 'call',
            type: 'flaky',
            params: { failures: 3 },
            retry: { attempts: 4, backoffMs: 100, factor: 2, maxBackoffMs: 250 },
          },
        ],
        line('start', 'call'),
      ),
    );
    await clock.advance(10_000);
    const result = await done;
    expect(result.status).toBe('succeeded');
    // delays: floor(0.999 × 100) = 99, floor(0.999 × 200) = 199, floor(0.999 × min(250, 400)) = 249
    expect(h.tracker.attempts.get('call@')).toEqual([0, 99, 298, 547]);
    const retrying = h.events.filter((e) => e.type === 'node.retrying');
    expect(retrying.map((e) => (e.type === 'node.retrying' ? e.delayMs : 0))).toEqual([99, 199, 249]);
  });

  it('draws each delay uniformly below the ceiling (full jitter)', async () => {
    const clock = new FakeClock();
    h = harness({ clock, random: () => 0.5 });
    const done = h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          {
            id: 'call',
            type: 'flaky',
            params: { failures: 2 },
            retry: { attempts: 3, backoffMs: 1000, factor: 3, maxBackoffMs: 60_000 },
          },
        ],
        line('start', 'call'),
      ),
    );
    await clock.advance(60_000);
    await done;
    expect(h.tracker.attempts.get('call@')).toEqual([0, 500, 2000]);
  });

  it('does not retry errors that say they are permanent, and fails with the last error', async () => {
    h = harness();
    const result = await h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          {
            id: 'call',
            type: 'flaky',
            params: { failures: 5, retryable: false },
            retry: { attempts: 5, backoffMs: 1 },
          },
        ],
        line('start', 'call'),
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'SY_FAIL_NODE', message: 'permanent failure 1' });
    expect(result.failedNode).toEqual({ nodeId: 'call', scope: '' });
    expect(h.tracker.attempts.get('call@')).toHaveLength(1);
  });
});

describe('timeouts', () => {
  it('times out an attempt, aborts its signal, and retries it', async () => {
    const clock = new FakeClock();
    h = harness({ clock, random: () => 0 });
    const done = h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          {
            id: 'slow',
            type: 'sleepy',
            params: { ms: 10_000 },
            timeoutMs: 500,
            retry: { attempts: 2, backoffMs: 0 },
          },
        ],
        line('start', 'slow'),
      ),
    );
    await clock.advance(20_000);
    const result = await done;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('SY_NODE_TIMEOUT');
    expect(h.tracker.attempts.get('slow@')).toEqual([0, 500]);
    expect(h.tracker.aborted).toEqual(['slow', 'slow']);
    expect(h.tracker.effects).toEqual([]);
  });

  it('gives up on a node that ignores its signal when the timeout fires', async () => {
    const clock = new FakeClock();
    h = harness({ clock });
    const done = h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'stuck', type: 'sleepy', params: { ms: 1, ignoreSignal: true }, timeoutMs: 300 },
        ],
        line('start', 'stuck'),
      ),
    );
    await clock.advance(300);
    expect((await done).error?.code).toBe('SY_NODE_TIMEOUT');
  });

  it('stops the whole execution at the workflow timeout', async () => {
    const clock = new FakeClock();
    h = harness({ clock });
    const done = h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'a', type: 'sleepy', params: { ms: 400 } },
          { id: 'b', type: 'sleepy', params: { ms: 400 } },
        ],
        line('start', 'a', 'b'),
        { timeoutMs: 600 },
      ),
    );
    await clock.advance(1000);
    const result = await done;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('SY_EXEC_TIMEOUT');
    expect(h.tracker.effects).toHaveLength(1);
    expect(h.tracker.aborted).toContain('b');
  });
});

describe('cancellation', () => {
  it('reaches running nodes through ctx.signal and starts nothing more', async () => {
    const clock = new FakeClock();
    h = harness({ clock });
    const cancel = new AbortController();
    const done = h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'a', type: 'sleepy', params: { ms: 1000 } },
          { id: 'b', type: 'effect' },
        ],
        line('start', 'a', 'b'),
      ),
      { signal: cancel.signal },
    );
    await clock.advance(100);
    cancel.abort();
    await clock.advance(5000);
    const result = await done;
    expect(result.status).toBe('cancelled');
    expect(result.error?.code).toBe('SY_EXEC_CANCELLED');
    expect(h.tracker.aborted).toEqual(['a']);
    expect(h.tracker.effects).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('routing', () => {
  it('continue turns a failure into an output; branch sends it to the error port', async () => {
    h = harness();
    const result = await h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'a', type: 'fail', params: { message: 'first' }, onError: 'continue' },
          { id: 'b', type: 'fail', params: { message: 'second' }, onError: 'branch' },
          { id: 'ok', type: 'effect', params: { value: 'not taken' } },
          {
            id: 'handler',
            type: 'transform',
            params: { value: '{{ { "caught": error.message, "before": $nodes.a.error.code } }}' },
          },
        ],
        [...line('start', 'a', 'b', 'ok'), { from: 'b.error', to: 'handler' }],
      ),
    );
    expect(result).toMatchObject({
      status: 'succeeded',
      output: { caught: 'second', before: 'SY_FAIL_NODE' },
    });
    expect(
      h.events.filter((e) => e.type === 'node.skipped').map((e) => ('nodeId' in e ? e.nodeId : '')),
    ).toEqual(['ok']);
  });

  it('an end node finishes the execution and stops branches still running', async () => {
    const clock = new FakeClock();
    h = harness({ clock });
    const done = h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'split', type: 'parallel' },
          { id: 'slow', type: 'sleepy', params: { ms: 60_000 } },
          { id: 'finish', type: 'end', params: { output: '{{ "early" }}' } },
        ],
        [...line('start', 'split', 'slow'), { from: 'split', to: 'finish' }],
      ),
    );
    await clock.advance(10);
    const result = await done;
    expect(result).toMatchObject({ status: 'succeeded', output: 'early' });
    expect(h.tracker.aborted).toEqual(['slow']);
  });

  it('respond sets the response while the workflow goes on', async () => {
    h = harness();
    const responses: unknown[] = [];
    const result = await h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'ack', type: 'respond', params: { status: 202, body: '{{ { "id": id } }}' } },
          { id: 'after', type: 'effect', params: { value: 'later' } },
        ],
        line('start', 'ack', 'after'),
      ),
      { input: { id: 7 }, onRespond: (r) => responses.push(r) },
    );
    expect(responses).toEqual([{ status: 202, headers: {}, body: { id: 7 } }]);
    expect(result).toMatchObject({ status: 'succeeded', output: 'later', response: { status: 202 } });
  });

  it('respects settings.concurrency', async () => {
    const clock = new FakeClock();
    h = harness({ clock });
    const branches = ['a', 'b', 'c', 'd', 'e'];
    const done = h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          ...branches.map((id) => ({ id, type: 'sleepy', params: { ms: 100 } })),
        ],
        branches.map((id) => ({ from: 'start', to: id })),
        { concurrency: 2 },
      ),
    );
    await clock.advance(1000);
    await done;
    expect(h.tracker.peakRunning).toBe(2);
    expect(h.tracker.effects).toHaveLength(5);
  });
});

describe('expressions and loops at run time', () => {
  it('gives body nodes their item, iteration and the outputs of enclosing nodes', async () => {
    h = harness();
    const result = await h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'prefix', type: 'transform', params: { value: 'item-' } },
          { id: 'each', type: 'loop', params: { items: '{{ $trigger.list }}', concurrency: 2 } },
          {
            id: 'label',
            type: 'transform',
            params: { value: '{{ $nodes.prefix & $string($loop.index) & ":" & $ }}' },
          },
        ],
        [
          ...line('start', 'prefix', 'each'),
          { from: 'each.item', to: 'label' },
          { from: 'label', to: 'each.next' },
        ],
      ),
      { input: { list: ['x', 'y', 'z'] } },
    );
    expect(result.output).toEqual(['item-0:x', 'item-1:y', 'item-2:z']);
  });

  it('fails clearly when a loop gets something that is not a list', async () => {
    h = harness();
    const result = await h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'each', type: 'loop' },
          { id: 'body', type: 'effect' },
        ],
        [
          { from: 'start', to: 'each' },
          { from: 'each.item', to: 'body' },
          { from: 'body', to: 'each.next' },
        ],
      ),
      { input: { not: 'a list' } },
    );
    expect(result.error).toMatchObject({ code: 'SY_LOOP_ITEMS' });
  });

  it('reports parameters that break the schema once their expressions ran', async () => {
    h = harness();
    const result = await h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'check', type: 'condition', params: { condition: '{{ "yes" }}' } },
        ],
        line('start', 'check'),
      ),
    );
    expect(result.error).toMatchObject({ code: 'SY_NODE_PARAMS_INVALID', path: 'params.condition' });
  });
});

describe('sub-workflows', () => {
  it('runs a child workflow and returns its output', async () => {
    h = harness();
    h.library.set(
      'double',
      h.compile(
        workflow(
          [
            { id: 's', type: 'start' },
            { id: 't', type: 'transform', params: { value: '{{ n * 2 }}' } },
          ],
          line('s', 't'),
        ),
      ),
    );
    const result = await h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'call', type: 'subworkflow', params: { workflow: 'double', input: '{{ { "n": x } }}' } },
        ],
        line('start', 'call'),
      ),
      { input: { x: 21 } },
    );
    expect(result.output).toBe(42);
  });

  it('stops a workflow that calls itself', async () => {
    h = harness();
    const self = workflow(
      [
        { id: 'start', type: 'start' },
        { id: 'again', type: 'subworkflow', params: { workflow: 'self' } },
      ],
      line('start', 'again'),
    );
    h.library.set('self', h.compile(self));
    const result = await h.start(self);
    expect(result.status).toBe('failed');
    expect(JSON.stringify(result.error)).toContain('SY_SUBWORKFLOW_DEPTH');
  });
});

describe('durability hooks', () => {
  it('checkpoints each result before dependants start, and a resume runs only what is left', async () => {
    const clock = new FakeClock();
    h = harness({ clock });
    const definition = workflow(
      [
        { id: 'start', type: 'start' },
        { id: 'one', type: 'effect', params: { value: 1 } },
        { id: 'two', type: 'sleepy', params: { ms: 1000 } },
        { id: 'three', type: 'effect', params: { value: 3 } },
      ],
      line('start', 'one', 'two', 'three'),
    );
    const log: NodeRunRecord[] = [];
    const order: string[] = [];
    const cancel = new AbortController();
    const first = h.start(definition, {
      executionId: 'durable-1',
      signal: cancel.signal,
      checkpoint: async (record) => {
        order.push(`checkpoint ${record.nodeId}`);
        if (record.status === 'succeeded') log.push(record);
      },
      onEvent: (event) => {
        if (event.type === 'node.started') order.push(`start ${event.nodeId}`);
      },
    });
    await clock.advance(500);
    cancel.abort(); // the process "dies" while `two` is running
    await clock.advance(10);
    expect((await first).status).toBe('cancelled');
    expect(order.slice(0, 4)).toEqual(['start start', 'checkpoint start', 'start one', 'checkpoint one']);
    expect(log.map((r) => r.nodeId)).toEqual(['start', 'one']);

    const resumed = h.start(definition, { executionId: 'durable-1', log });
    await clock.advance(2000);
    expect(await resumed).toMatchObject({ status: 'succeeded', output: 3 });
    expect(h.tracker.effects).toEqual(['durable-1:one', 'durable-1:two', 'durable-1:three']);
  });

  it('runs pure nodes ahead of their checkpoints, but nothing else and not the end', async () => {
    h = harness();
    const definition = workflow(
      [
        { id: 'start', type: 'start' },
        { id: 'a', type: 'set', params: { fields: { a: 1 } } },
        { id: 'b', type: 'set', params: { fields: { b: 2 } } },
        { id: 'effect', type: 'effect', params: { value: 3 } },
        { id: 'last', type: 'set', params: { fields: { done: true } } },
      ],
      line('start', 'a', 'b', 'effect', 'last'),
    );
    const order: string[] = [];
    const writes = new Map<string, () => void>();
    let settled = false;
    const result = h
      .start(definition, {
        executionId: 'write-behind',
        checkpoint: (record) => {
          order.push(`checkpoint ${record.nodeId}`);
          return new Promise<void>((resolve) => writes.set(record.nodeId, resolve));
        },
        onEvent: (event) => {
          if (event.type === 'node.started') order.push(`start ${event.nodeId}`);
        },
      })
      .then((outcome) => {
        settled = true;
        return outcome;
      });
    await settle();
    // Three pure nodes ran with nothing written yet; the effect waits for all three.
    expect(order).toEqual([
      'start start',
      'checkpoint start',
      'start a',
      'checkpoint a',
      'start b',
      'checkpoint b',
    ]);
    writes.get('a')!();
    writes.get('b')!();
    await settle();
    expect(order).not.toContain('start effect');
    writes.get('start')!();
    await settle();
    expect(order.slice(6)).toEqual(['start effect', 'checkpoint effect']);
    writes.get('effect')!();
    await settle();
    expect(order.slice(8)).toEqual(['start last', 'checkpoint last']);
    // The last node is done, but the outcome waits for its checkpoint.
    expect(settled).toBe(false);
    writes.get('last')!();
    expect(await result).toMatchObject({ status: 'succeeded', output: { done: true } });
  });

  it('streams node events in order with increasing sequence numbers', async () => {
    h = harness();
    await h.start(
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'e', type: 'effect' },
        ],
        line('start', 'e'),
      ),
    );
    const types = h.events.map((e) => e.type);
    expect(types).toEqual([
      'execution.started',
      'node.started',
      'node.finished',
      'node.started',
      'node.progress',
      'node.finished',
      'execution.finished',
    ]);
    expect(h.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await settle();
  });
});
