/**
 * @module The vocabulary between the pure scheduler and the runner around it: the log records of
 * finished node runs that go in, and the ready nodes, notices and outcome that come out.
 */
import type { ErrorData } from '../../errors/switchyard-error.ts';
import type { CompiledNode } from '../graph/compiled.ts';

/** The final result of one node instance: what the durable log stores and replays. */
export interface NodeRunRecord {
  readonly nodeId: string;
  /** Iteration scope: '' at the top level, `loop#2`, `outer#0/inner#3` inside loops. */
  readonly scope: string;
  readonly status: 'succeeded' | 'failed';
  /** Output port → value, for the ports that fired. */
  readonly outputs?: Readonly<Record<string, unknown>>;
  readonly error?: ErrorData;
}

/** A value that arrived on one of a node's input edges. */
export interface Arrival {
  readonly from: string;
  readonly port: string;
  readonly value: unknown;
}

export interface ReadyNode {
  /** Unique per instance: `nodeId` at the top level, `nodeId@scope` inside loops. */
  readonly key: string;
  readonly node: CompiledNode;
  readonly scope: string;
  /** The value on the node's first input port (the execution input, for the entry node). */
  readonly input: unknown;
  /** Live values by input port (the first live edge of each port). */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Every live input in edge order: what a merge node combines. */
  readonly arrivals: readonly Arrival[];
}

/** Things that happened inside the scheduler without a node run: the runner turns them into events. */
export type Notice =
  | { readonly kind: 'skipped'; readonly nodeId: string; readonly scope: string }
  | {
      readonly kind: 'iteration-started';
      readonly loopId: string;
      readonly scope: string;
      readonly iteration: number;
      readonly iterationScope: string;
    }
  | {
      readonly kind: 'iteration-finished';
      readonly loopId: string;
      readonly scope: string;
      readonly iteration: number;
      readonly result: unknown;
    }
  | {
      readonly kind: 'loop-finished';
      readonly nodeId: string;
      readonly scope: string;
      readonly output: unknown;
    };

export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface ExecutionOutcome {
  readonly status: Exclude<ExecutionStatus, 'running'>;
  readonly output: unknown;
  readonly error?: ErrorData;
  /** The node whose failure ended the execution, if one did. */
  readonly failedNode?: { readonly nodeId: string; readonly scope: string };
}
