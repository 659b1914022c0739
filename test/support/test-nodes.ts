/**
 * Node types for runtime tests, each reporting what happened to a shared tracker: how often it ran,
 * when, and what it saw. They reach the world only through ctx, like real nodes.
 */
import { z } from 'zod';
import { SwitchyardError } from '../../src/errors/switchyard-error.ts';
import { defineNode, taskShape } from '../../src/nodes/node-type.ts';
import { createNodeRegistry } from '../../src/nodes/registry.ts';

export interface Tracker {
  /** Attempt start times (ctx.now()) per instance key `nodeId@scope`. */
  readonly attempts: Map<string, number[]>;
  /** Effects that happened (a node "sending an email"), keyed by idempotency key. */
  readonly effects: string[];
  /** Signals aborted, by node id. */
  readonly aborted: string[];
  running: number;
  peakRunning: number;
}

export function newTracker(): Tracker {
  return { attempts: new Map(), effects: [], aborted: [], running: 0, peakRunning: 0 };
}

export function testRegistry(tracker: Tracker) {
  const note = (key: string, at: number) =>
    tracker.attempts.set(key, [...(tracker.attempts.get(key) ?? []), at]);

  const flaky = defineNode({
    type: 'flaky',
    title: 'Flaky',
    description: 'Fails the first `failures` attempts.',
    category: 'data',
    params: z.strictObject({ failures: z.int().min(0), retryable: z.boolean().default(true) }),
    shape: taskShape(),
    run: async (ctx, { params, input }) => {
      note(`${ctx.nodeId}@${ctx.scope}`, ctx.now());
      if (ctx.attempt <= params.failures) {
        if (!params.retryable) throw new SwitchyardError('SY_FAIL_NODE', `permanent failure ${ctx.attempt}`);
        throw new Error(`transient failure ${ctx.attempt}`);
      }
      return { out: input };
    },
  });

  const sleepy = defineNode({
    type: 'sleepy',
    title: 'Sleepy',
    description: 'Sleeps `ms` on ctx.sleep (honouring the signal), then records an effect.',
    category: 'data',
    params: z.strictObject({ ms: z.int().min(0), ignoreSignal: z.boolean().default(false) }),
    shape: taskShape(),
    run: async (ctx, { params, input }) => {
      note(`${ctx.nodeId}@${ctx.scope}`, ctx.now());
      tracker.running++;
      tracker.peakRunning = Math.max(tracker.peakRunning, tracker.running);
      ctx.signal.addEventListener('abort', () => tracker.aborted.push(ctx.nodeId), { once: true });
      try {
        if (params.ignoreSignal) await new Promise<void>(() => {});
        await ctx.sleep(params.ms);
        tracker.effects.push(ctx.idempotencyKey);
        return { out: input };
      } finally {
        tracker.running--;
      }
    },
  });

  const effect = defineNode({
    type: 'effect',
    title: 'Effect',
    description: 'Records a side effect keyed by its idempotency key and outputs `value`.',
    category: 'data',
    params: z.strictObject({ value: z.unknown().optional() }),
    shape: taskShape(),
    run: async (ctx, { params, input }) => {
      tracker.effects.push(ctx.idempotencyKey);
      ctx.emit({ message: 'did it', fraction: 1 });
      return { out: params.value === undefined ? input : params.value };
    },
  });

  return createNodeRegistry().register(flaky, sleepy, effect);
}
