/** Test data for the store: valid records with overridable fields. */

import type { Store } from '../../../src/store/ports.ts';
import {
  DEFAULT_WORKSPACE,
  type Lease,
  type NewExecution,
  type StoredExecution,
  type StoredNodeRun,
} from '../../../src/store/ports.ts';

export const T0 = 1_800_000_000_000;

export function newExecution(id: string, overrides: Partial<NewExecution> = {}): NewExecution {
  return {
    id,
    workspaceId: DEFAULT_WORKSPACE,
    workflowId: 'wf-1',
    workflowVersion: 1,
    trigger: { kind: 'manual' },
    input: { n: 1 },
    now: T0,
    ...overrides,
  };
}

export function nodeRun(
  executionId: string,
  nodeId: string,
  seq: number,
  overrides: Partial<StoredNodeRun> = {},
): StoredNodeRun {
  return {
    executionId,
    nodeId,
    scope: '',
    seq,
    status: 'succeeded',
    attempts: 1,
    input: { into: nodeId },
    outputs: { main: { node: nodeId } },
    error: null,
    startedAt: T0 + seq * 10,
    finishedAt: T0 + seq * 10 + 5,
    tokensIn: null,
    tokensOut: null,
    costUsd: null,
    ...overrides,
  };
}

export function leaseOf(execution: StoredExecution): Lease {
  return { executionId: execution.id, owner: execution.leaseOwner ?? '', epoch: execution.leaseEpoch };
}

/** Creates `count` queued executions one millisecond apart from `overrides.now` (or T0), ids `prefix-000`…; returns their ids. */
export async function seedExecutions(
  store: Store,
  prefix: string,
  count: number,
  overrides: Partial<NewExecution> = {},
) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${String(i).padStart(3, '0')}`;
    await store.executions.create(newExecution(id, { ...overrides, now: (overrides.now ?? T0) + i }));
    ids.push(id);
  }
  return ids;
}

/** Claims exactly one execution (there must be exactly one claimable) and returns its lease. */
export async function claimOne(store: Store, owner: string, now = T0, leaseMs = 30_000): Promise<Lease> {
  const [claimed, ...rest] = await store.executions.claim(owner, leaseMs, now, 10);
  if (claimed === undefined || rest.length > 0)
    throw new Error(`expected one claimable execution, got ${rest.length + (claimed ? 1 : 0)}`);
  return leaseOf(claimed);
}
