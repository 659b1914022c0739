/**
 * The gap-free merge of store and bus, against a store that lags the bus the way the worker's
 * batched writes do: events published before the subscription but stored after history was read,
 * and events both stored and heard live.
 */
import { describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../../src/events/bus.ts';
import type { ExecutionEvent } from '../../src/runtime/events.ts';
import { type LiveSources, streamExecutionEvents } from '../../src/server/live-stream.ts';
import type { StoredEvent } from '../../src/store/ports.ts';

const ID = 'ex-1';

function event(seq: number, type: ExecutionEvent['type'] = 'node.started'): ExecutionEvent {
  if (type === 'execution.finished') {
    return { seq, executionId: ID, at: seq, type, status: 'succeeded', output: null, durationMs: 1 };
  }
  return { seq, executionId: ID, at: seq, type: 'node.started', nodeId: `n${seq}`, scope: '', attempt: 1 };
}

function stored(e: ExecutionEvent): StoredEvent {
  const { executionId, seq, type, at, ...payload } = e;
  return { executionId, seq, type, at, payload };
}

/** A store holding `rows`, answering after a tick (as a real one does), with a settable status. */
function laggingSources() {
  const rows: StoredEvent[] = [];
  const state = { status: 'running' };
  const bus = new InProcessEventBus();
  const sources = {
    bus,
    store: {
      events: {
        async list(_id: string, after: number, limit: number) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return rows.filter((row) => row.seq > after).slice(0, limit);
        },
      },
      executions: {
        async get() {
          return { id: ID, status: state.status };
        },
      },
    },
  } as unknown as LiveSources;
  return { rows, state, bus, sources };
}

function collect(sources: LiveSources, after = 0, idlePollMs = 20) {
  const sent: number[] = [];
  const controller = new AbortController();
  const done = streamExecutionEvents(sources, {
    workspaceId: 'default',
    executionId: ID,
    after,
    signal: controller.signal,
    idlePollMs,
    send: (e) => sent.push(e.seq),
  });
  return { sent, done, controller };
}

const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

describe('streamExecutionEvents', () => {
  it('fills a gap from the store when it lags, and sends each event once, in order', async () => {
    const { rows, bus, sources } = laggingSources();
    // 1..5 were published before anyone listened; only 1..3 reached the store so far.
    rows.push(...[1, 2, 3].map((seq) => stored(event(seq))));
    // No idle polling here: only the gap fill can bring 4 and 5.
    const { sent, done } = collect(sources, 0, 60_000);
    bus.publish(event(6));
    bus.publish(event(7));
    await tick();
    expect(sent).toEqual([1, 2, 3]); // 6 and 7 wait for 4 and 5
    rows.push(...[4, 5, 6, 7].map((seq) => stored(event(seq))));
    await tick(60);
    bus.publish(event(8, 'execution.finished'));
    expect(await done).toBe('finished');
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('drops live events that history already sent', async () => {
    const { rows, bus, sources } = laggingSources();
    rows.push(...[1, 2, 3].map((seq) => stored(event(seq))));
    const { sent, done } = collect(sources);
    // Heard while history is read: the same events the store holds.
    for (const seq of [1, 2, 3, 4]) bus.publish(event(seq));
    bus.publish(event(5, 'execution.finished'));
    expect(await done).toBe('finished');
    expect(sent).toEqual([1, 2, 3, 4, 5]);
  });

  it('resumes after a seq, and picks up a stored tail that the bus will never repeat', async () => {
    const { rows, sources } = laggingSources();
    rows.push(...[1, 2, 3].map((seq) => stored(event(seq))));
    const { sent, done } = collect(sources, 2);
    await tick();
    // The finish was published before the subscription and is stored only now.
    rows.push(stored(event(4, 'execution.finished')));
    expect(await done).toBe('finished');
    expect(sent).toEqual([3, 4]);
  });

  it('ends when the store says the execution finished without events, and unsubscribes', async () => {
    const { state, bus, sources } = laggingSources();
    const { sent, done } = collect(sources);
    await tick();
    expect(bus.subscriptionCount).toBe(1);
    state.status = 'cancelled';
    expect(await done).toBe('finished');
    expect(sent).toEqual([]);
    expect(bus.subscriptionCount).toBe(0);
  });

  it('stops when aborted', async () => {
    const { bus, sources } = laggingSources();
    const { done, controller } = collect(sources);
    await tick();
    controller.abort();
    expect(await done).toBe('aborted');
    expect(bus.subscriptionCount).toBe(0);
  });
});
