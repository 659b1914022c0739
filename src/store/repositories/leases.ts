/**
 * @module Leases on executions: claim, renew, finish, release. The epoch is a fencing token: every
 * claim raises it, and every write by a runner is a compare-and-set on (owner, epoch, running), so a
 * runner that lost its lease can no longer change anything.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Backend } from '../backend.ts';
import { toNullableJson } from '../json-column.ts';
import type { ExecutionOutcomeUpdate, Lease, StoredExecution } from '../ports.ts';
import type { Database } from '../schema.ts';
import { chunked } from './chunks.ts';
import { byCreation, toExecution } from './execution-rows.ts';

type Claimable = 'expired' | 'queued';

/** The compare-and-set of every write a runner makes: this lease still holds the running execution. */
export function leaseHolds(lease: Lease) {
  return (eb: ExpressionBuilder<Database, 'executions'>) =>
    eb.and([
      eb('id', '=', lease.executionId),
      eb('lease_owner', '=', lease.owner),
      eb('lease_epoch', '=', lease.epoch),
      eb('status', '=', 'running'),
    ]);
}

export function claimExecutions(db: Kysely<Database>, backend: Backend) {
  // Two index-only scans rather than one OR: each walks its own partial index in order. Runs whose
  // runner died come first: their paid-for work is checkpointed, and under a steady backlog they
  // would otherwise wait behind every new execution.
  const claimSome = async (
    which: Claimable,
    owner: string,
    leaseMs: number,
    now: number,
    limit: number,
    running: readonly string[],
  ) => {
    const rows = await db
      .updateTable('executions')
      .set((eb) => ({
        status: 'running',
        lease_owner: owner,
        lease_epoch: eb('lease_epoch', '+', 1),
        lease_expires_at: now + leaseMs,
        started_at: eb.fn.coalesce('started_at', eb.val(now)),
      }))
      .where('id', 'in', (eb) => {
        const candidates = eb.selectFrom('executions').select('id').limit(limit);
        const ordered =
          which === 'expired'
            ? candidates
                .where('status', '=', 'running')
                .where('lease_expires_at', '<=', now)
                // Never from under the caller's own live runs (their renewal is only late); but its
                // own leases on runs it let go of are claimable, or nobody would ever finish them.
                .$if(running.length > 0, (q) => q.where('id', 'not in', [...running]))
                .orderBy('lease_expires_at')
            : candidates.where('status', '=', 'queued').orderBy('created_at').orderBy('id');
        // SKIP LOCKED: concurrent claimers pass over each other's rows instead of queueing on them.
        return backend.rowLocks ? ordered.forNoKeyUpdate().skipLocked() : ordered;
      })
      .returningAll()
      .execute();
    return rows.map(toExecution);
  };

  return async (
    owner: string,
    leaseMs: number,
    now: number,
    limit: number,
    running: readonly string[] = [],
  ): Promise<StoredExecution[]> => {
    if (limit < 1) return [];
    const recovered = await claimSome('expired', owner, leaseMs, now, limit, running);
    const fresh =
      recovered.length < limit
        ? await claimSome('queued', owner, leaseMs, now, limit - recovered.length, running)
        : [];
    return [...recovered, ...fresh].sort(byCreation);
  };
}

export function renewLeases(db: Kysely<Database>, backend: Backend) {
  return async (leases: readonly Lease[], leaseMs: number, now: number): Promise<string[]> => {
    const renewed: string[] = [];
    for (const part of chunked(leases, Math.floor(backend.maxParameters / 3) - 10)) {
      const rows = await db
        .updateTable('executions')
        .set({ lease_expires_at: now + leaseMs })
        .where('id', 'in', (eb) => {
          const held = eb
            .selectFrom('executions')
            .select('id')
            .where('status', '=', 'running')
            .where(({ eb: e, refTuple, tuple }) =>
              e(
                refTuple('id', 'lease_owner', 'lease_epoch'),
                'in',
                part.map((lease) => tuple(lease.executionId, lease.owner, lease.epoch)),
              ),
            )
            .orderBy('id');
          // Locking in id order, like checkpoints do, so the two can never deadlock.
          return backend.rowLocks ? held.forNoKeyUpdate() : held;
        })
        .returning('id')
        .execute();
      for (const row of rows) renewed.push(row.id);
    }
    return renewed;
  };
}

export function finishExecution(db: Kysely<Database>) {
  return (lease: Lease, outcome: ExecutionOutcomeUpdate): Promise<boolean> => finishOne(db, lease, outcome);
}

/** Group commit of finishes: one transaction, one compare-and-set per execution. */
export function finishExecutions(db: Kysely<Database>) {
  return (
    finishes: readonly { readonly lease: Lease; readonly outcome: ExecutionOutcomeUpdate }[],
  ): Promise<boolean[]> =>
    finishes.length === 0 ? Promise.resolve([]) : db.transaction().execute((trx) => finishAll(trx, finishes));
}

/** Inside the caller's transaction: per finish, whether its lease still held. */
export async function finishAll(
  trx: Kysely<Database>,
  finishes: readonly { readonly lease: Lease; readonly outcome: ExecutionOutcomeUpdate }[],
): Promise<boolean[]> {
  const results: boolean[] = [];
  for (const { lease, outcome } of finishes) results.push(await finishOne(trx, lease, outcome));
  return results;
}

async function finishOne(
  db: Kysely<Database>,
  lease: Lease,
  outcome: ExecutionOutcomeUpdate,
): Promise<boolean> {
  const result = await db
    .updateTable('executions')
    .set({
      status: outcome.status,
      output: toNullableJson(outcome.output),
      error: toNullableJson(outcome.error),
      finished_at: outcome.now,
      lease_owner: null,
      lease_expires_at: null,
    })
    .where(leaseHolds(lease))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function requeueRunning(db: Kysely<Database>) {
  return async (): Promise<number> => {
    const result = await db
      .updateTable('executions')
      .set({ status: 'queued', lease_owner: null, lease_expires_at: null })
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  };
}

export function releaseLease(db: Kysely<Database>) {
  return async (lease: Lease): Promise<boolean> => {
    const result = await db
      .updateTable('executions')
      .set({ status: 'queued', lease_owner: null, lease_expires_at: null })
      .where(leaseHolds(lease))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  };
}
