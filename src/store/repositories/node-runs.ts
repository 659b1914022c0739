/**
 * @module The node-run log, the durable heart of an execution. checkpoint() is group commit: the
 * runner gathers the finished runs of many executions over a tick and stores them all in one
 * transaction of two kinds of statement: one read of the leases, then multi-row inserts.
 */
import type { Kysely, Selectable } from 'kysely';
import { type ErrorData, SwitchyardError } from '../../errors/switchyard-error.ts';
import type { Backend } from '../backend.ts';
import { NODE_RUN_COLUMNS } from '../columns.ts';
import { fromJson, toNullableJson } from '../json-column.ts';
import type { CheckpointBatch, Lease, NodeRunRepository, StoredNodeRun } from '../ports.ts';
import type { Database, NodeRunsTable } from '../schema.ts';
import { chunked } from './chunks.ts';

const LEASE_PARAMETERS = 1;

/** Inside the caller's transaction: the runs of every batch whose lease holds; per batch, whether it did. */
export async function checkpointRuns(
  trx: Kysely<Database>,
  backend: Backend,
  batches: readonly CheckpointBatch[],
): Promise<boolean[]> {
  if (batches.length === 0) return [];
  assertRunsMatchLeases(batches);
  const held = new Set<string>();
  for (const leases of chunked(
    uniqueLeases(batches),
    Math.floor(backend.maxParameters / LEASE_PARAMETERS) - 1,
  )) {
    // FOR SHARE (PostgreSQL) keeps a concurrent claim from taking the execution between this read
    // and the insert; id order matches renew() so the two never deadlock. By primary key alone
    // (SQLite plans a row-value IN over three columns poorly); owner and epoch are compared here.
    const read = trx
      .selectFrom('executions')
      .select(['id', 'lease_owner', 'lease_epoch'])
      .where('status', '=', 'running')
      .where(
        'id',
        'in',
        leases.map((lease) => lease.executionId),
      )
      .orderBy('id');
    const rows = await (backend.rowLocks ? read.forShare() : read).execute();
    for (const row of rows) {
      held.add(leaseKey({ executionId: row.id, owner: row.lease_owner ?? '', epoch: row.lease_epoch }));
    }
  }
  const holds = batches.map((batch) => held.has(leaseKey(batch.lease)));
  const rows = batches.flatMap((batch, index) => (holds[index] ? batch.runs.map(nodeRunRow) : []));
  for (const part of chunked(rows, Math.floor(backend.maxParameters / NODE_RUN_COLUMNS.length) - 1)) {
    // A run stored already (a resumed runner finishing the same node again) keeps the first result.
    await trx
      .insertInto('node_runs')
      .values(part as NodeRunsTable[])
      .onConflict((oc) => oc.columns(['execution_id', 'node_id', 'scope']).doNothing())
      .execute();
  }
  return holds;
}

export function nodeRunRepository(db: Kysely<Database>, backend: Backend): NodeRunRepository {
  return {
    async checkpoint(batches) {
      if (batches.length === 0) return [];
      return db.transaction().execute((trx) => checkpointRuns(trx, backend, batches));
    },

    async list(executionId) {
      const rows = await db
        .selectFrom('node_runs')
        .selectAll()
        .where('execution_id', '=', executionId)
        .orderBy('seq')
        .execute();
      return rows.map(toNodeRun);
    },
  };
}

function leaseKey(lease: Lease): string {
  return `${lease.executionId}\u0000${lease.owner}\u0000${lease.epoch}`;
}

function uniqueLeases(batches: readonly CheckpointBatch[]): Lease[] {
  const byKey = new Map<string, Lease>();
  for (const { lease } of batches) byKey.set(leaseKey(lease), lease);
  return [...byKey.values()];
}

export function assertRunsMatchLeases(batches: readonly CheckpointBatch[]): void {
  for (const { lease, runs } of batches) {
    const stray = runs.find((run) => run.executionId !== lease.executionId);
    if (stray !== undefined) {
      throw new SwitchyardError(
        'SY_INTERNAL',
        `A checkpoint under the lease of execution ${lease.executionId} carried a run of execution ${stray.executionId}.`,
      );
    }
  }
}

export function nodeRunRow(run: StoredNodeRun): NodeRunsTable {
  return {
    execution_id: run.executionId,
    node_id: run.nodeId,
    scope: run.scope,
    seq: run.seq,
    status: run.status,
    attempts: run.attempts,
    input: toNullableJson(run.input),
    outputs: toNullableJson(run.outputs),
    error: toNullableJson(run.error),
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    tokens_in: run.tokensIn,
    tokens_out: run.tokensOut,
    cost_usd: run.costUsd,
  };
}

function toNodeRun(row: Selectable<NodeRunsTable>): StoredNodeRun {
  return {
    executionId: row.execution_id,
    nodeId: row.node_id,
    scope: row.scope,
    seq: row.seq,
    status: row.status as StoredNodeRun['status'],
    attempts: row.attempts,
    input: fromJson(row.input),
    outputs: fromJson(row.outputs) as StoredNodeRun['outputs'],
    error: fromJson(row.error) as ErrorData | null,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    tokensIn: row.tokens_in,
    tokensOut: row.tokens_out,
    costUsd: row.cost_usd,
  };
}
