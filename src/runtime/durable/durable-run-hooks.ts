/**
 * @module What makes one run of an execution durable: the hooks the durable runner gives its
 * `ExecutionRun` — each node result checkpointed under the execution's lease, its own events
 * journaled, `ctx.step` results recorded once, `ctx.sleep` wake-up times stored — all scrubbed of
 * known secrets first.
 */
import type { Lease, Store, StoredEvent, StoredExecution } from '../../store/ports.ts';
import type { Clock } from '../clock.ts';
import type { ExecutionEvent } from '../events.ts';
import type { ExecuteOptions } from '../execution-run.ts';
import type { Journal } from './journal.ts';

export interface DurableRunContext {
  readonly store: Store;
  readonly journal: Journal;
  readonly clock: Clock;
  readonly redact: <T>(value: T) => T;
  readonly execution: StoredExecution;
  readonly lease: Lease;
  /** The highest node-run sequence number already stored for the execution. */
  readonly lastRunSeq: number;
  /** A checkpoint was refused: another runner holds the lease now. */
  readonly onLeaseLost: () => void;
  /** Every event of the run (sub-workflows' too), after it is scrubbed. */
  readonly onEvent?: (event: ExecutionEvent) => void;
}

export type DurableRunHooks = Required<Pick<ExecuteOptions, 'checkpoint' | 'onEvent' | 'step' | 'sleep'>>;

export function durableRunHooks(context: DurableRunContext): DurableRunHooks {
  const { store, journal, clock, redact, execution, lease } = context;
  let seq = context.lastRunSeq;
  return {
    checkpoint: async (record, { attempts, durationMs, input }) => {
      const now = clock.now();
      const held = await journal.checkpoint(
        redact({
          lease,
          runs: [
            {
              executionId: execution.id,
              nodeId: record.nodeId,
              scope: record.scope,
              seq: ++seq,
              status: record.status,
              attempts,
              input: input ?? null,
              outputs: record.outputs ?? null,
              error: record.error ?? null,
              startedAt: now - durationMs,
              finishedAt: now,
              tokensIn: null,
              tokensOut: null,
              costUsd: null,
            },
          ],
        }),
      );
      if (!held) context.onLeaseLost();
    },
    onEvent: (event) => {
      const redacted = redact(event);
      // Sub-workflow runs report through here too; only this execution's own stream is stored.
      if (event.executionId === execution.id) journal.event(toStoredEvent(redacted));
      context.onEvent?.(redacted);
    },
    step: async (nodeKey, stepKey, work) => {
      const found = await store.steps.find(execution.id, nodeKey, stepKey);
      if (found) return found.result;
      const result = await work();
      // Recorded, then read back: if another runner got there first, both go on with its result.
      return store.steps.record({
        executionId: execution.id,
        nodeKey,
        stepKey,
        result: redact(result ?? null),
        now: clock.now(),
      });
    },
    sleep: async (key, ms, signal) => {
      const fireAt = await store.timers.getOrCreate(execution.id, key, clock.now() + ms);
      await clock.sleep(Math.max(0, fireAt - clock.now()), signal);
    },
  };
}

function toStoredEvent(event: ExecutionEvent): StoredEvent {
  const { executionId, seq, type, at, ...payload } = event;
  return { executionId, seq, type, at, payload };
}
