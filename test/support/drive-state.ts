/**
 * Drives the pure scheduler without a runner: repeatedly takes ready nodes in an order chosen by
 * `pick` and records a result chosen by `decide`. Used by the property tests.
 */
import type { CompiledWorkflow } from '../../src/core/graph/compiled.ts';
import { ExecutionState } from '../../src/core/scheduler/execution-state.ts';
import type { NodeRunRecord, ReadyNode } from '../../src/core/scheduler/records.ts';

export interface DriveOptions {
  readonly input?: unknown;
  /** Chooses which in-flight instance finishes next (index into the list). */
  readonly pick: (inFlight: number) => number;
  /** The result of running `ready`. */
  readonly decide: (ready: ReadyNode) => Omit<NodeRunRecord, 'nodeId' | 'scope'>;
  /** Most instances in flight at once. */
  readonly width?: number;
  /** Start from these records (a resume). */
  readonly log?: readonly NodeRunRecord[];
}

export interface DriveTrace {
  readonly state: ExecutionState;
  /** Every record in the order it was applied (the durable log). */
  readonly log: NodeRunRecord[];
  /** Instance keys in the order they were handed out. */
  readonly taken: string[];
  /** The ready nodes, by instance key. */
  readonly readyByKey: Map<string, ReadyNode>;
  /** Highest number of instances in flight at once. */
  readonly peak: number;
}

export function drive(workflow: CompiledWorkflow, options: DriveOptions): DriveTrace {
  const state = new ExecutionState(workflow, { input: options.input ?? null });
  const log: NodeRunRecord[] = [];
  for (const record of options.log ?? []) {
    state.record(record);
    log.push(record);
  }
  const taken: string[] = [];
  const readyByKey = new Map<string, ReadyNode>();
  const inFlight: ReadyNode[] = [];
  let peak = 0;
  for (let steps = 0; steps < 100_000; steps++) {
    for (const ready of state.takeReady((options.width ?? 1000) - inFlight.length)) {
      if (readyByKey.has(ready.key)) throw new Error(`instance ${ready.key} handed out twice`);
      readyByKey.set(ready.key, ready);
      taken.push(ready.key);
      inFlight.push(ready);
    }
    peak = Math.max(peak, inFlight.length);
    if (inFlight.length === 0) break;
    const [ready] = inFlight.splice(options.pick(inFlight.length) % inFlight.length, 1);
    const record = {
      nodeId: ready!.node.id,
      scope: ready!.scope,
      ...options.decide(ready!),
    } as NodeRunRecord;
    state.record(record);
    log.push(record);
  }
  return { state, log, taken, readyByKey, peak };
}
