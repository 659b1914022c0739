/**
 * @module The log an execution resumes from. Usually the node runs stored so far; for a replay that
 * has not started yet, the recorded runs of the original execution upstream of the chosen node,
 * copied over first so that the replay itself is resumable like any execution.
 */
import type { CompiledWorkflow } from '../../core/graph/compiled.ts';
import { upstreamOf } from '../../core/graph/upstream.ts';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { CheckpointBatch, Store, StoredExecution, StoredNodeRun } from '../../store/ports.ts';

/** Undefined when the lease was lost while copying. */
export async function replayLog(
  store: Store,
  execution: StoredExecution,
  workflow: CompiledWorkflow,
  checkpoint: (batch: CheckpointBatch) => Promise<boolean>,
): Promise<StoredNodeRun[] | undefined> {
  // Nothing is written without a lease, so a first claim (epoch 1) has no log yet.
  const stored = execution.leaseEpoch === 1 ? [] : await store.nodeRuns.list(execution.id);
  if (stored.length > 0 || !execution.replay) return stored;
  const { executionId: sourceId, fromNode } = execution.replay;
  const node = workflow.byId.get(fromNode);
  if (!node) {
    throw new SwitchyardError(
      'SY_REPLAY_INVALID',
      `replay node "${fromNode}" is not in this workflow version`,
    );
  }
  if (node.loop !== -1) {
    throw new SwitchyardError('SY_REPLAY_INVALID', `replay node "${fromNode}" is inside a loop`, {
      hint: 'Replay from the loop node itself, or from a node outside it.',
    });
  }
  const upstream = upstreamOf(workflow, fromNode);
  const copied = (await store.nodeRuns.list(sourceId))
    .filter((run) => upstream.has(run.nodeId) && run.status === 'succeeded')
    .map((run, i) => ({ ...run, executionId: execution.id, seq: i + 1 }));
  if (copied.length === 0) return copied;
  const lease = { executionId: execution.id, owner: execution.leaseOwner ?? '', epoch: execution.leaseEpoch };
  return (await checkpoint({ lease, runs: copied })) ? copied : undefined;
}
