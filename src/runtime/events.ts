/**
 * @module Execution events: what the runner tells the world, in order, as it happens. The CLI draws
 * progress from them; later the server stores them and streams them (SSE, WebSocket).
 */
import type { ErrorData } from '../errors/switchyard-error.ts';
import type { AgentMessage } from '../nodes/context.ts';

interface Base {
  /** Position in this execution's event stream, from 1. */
  readonly seq: number;
  readonly executionId: string;
  readonly at: number;
}

interface NodeBase extends Base {
  readonly nodeId: string;
  readonly scope: string;
}

export type ExecutionEvent =
  | (Base & {
      /** resumed: a runner picked the execution up again from its stored log. */
      readonly type: 'execution.started' | 'execution.resumed';
      readonly workflow: string;
      readonly input: unknown;
    })
  | (Base & {
      readonly type: 'execution.finished';
      readonly status: 'succeeded' | 'failed' | 'cancelled';
      readonly output: unknown;
      readonly error?: ErrorData;
      readonly durationMs: number;
    })
  | (NodeBase & { readonly type: 'node.started'; readonly attempt: number })
  | (NodeBase & {
      readonly type: 'node.progress';
      readonly message?: string;
      readonly fraction?: number;
      readonly data?: unknown;
    })
  | (NodeBase & {
      readonly type: 'node.retrying';
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: ErrorData;
    })
  | (NodeBase & {
      readonly type: 'node.finished';
      readonly attempts: number;
      readonly durationMs: number;
      readonly outputs: Readonly<Record<string, unknown>>;
    })
  | (NodeBase & {
      readonly type: 'node.failed';
      readonly attempts: number;
      readonly durationMs: number;
      readonly error: ErrorData;
      /** True when onError continue/branch let the execution go on. */
      readonly handled: boolean;
    })
  | (NodeBase & { readonly type: 'node.skipped' })
  | (NodeBase & {
      readonly type: 'node.log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly message: string;
      readonly fields?: Readonly<Record<string, unknown>>;
    })
  | (NodeBase & { readonly type: 'loop.iteration.started'; readonly iteration: number })
  | (NodeBase & { readonly type: 'loop.iteration.finished'; readonly iteration: number })
  | (NodeBase & { readonly type: 'loop.finished'; readonly output: unknown })
  | (Base & { readonly type: 'execution.responded'; readonly status: number })
  /** The node waits outside the process (an approval): it is parked, not finished. */
  | (NodeBase & { readonly type: 'node.waiting'; readonly waitingOn: string; readonly message: string })
  /** A message between agents, models and tools: the execution's agent trace. */
  | (NodeBase & { readonly type: 'agent.message'; readonly message: AgentMessage })
  /** Every unfinished node waits: the execution sleeps in the store until woken. */
  | (Base & { readonly type: 'execution.suspended'; readonly waitingOn: readonly string[] });

export type ExecutionEventType = ExecutionEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before the runner stamps it with seq, executionId and time. */
export type EventDraft = DistributiveOmit<ExecutionEvent, 'seq' | 'executionId' | 'at'>;
