/**
 * @module The gateway's ledger rows: one per call, group-committed. A budgeted call waits for its
 * row, as the row settles its reservation (no call slips past a budget, even across a crash). Any
 * other call answers while its row joins a commit made every GATHER_MS — the answer does not wait
 * for a commit's fsync (most of the gateway's added latency); a crash loses at most the rows of the
 * last moments. Reads of the ledger in this process wait for them first (`written`).
 */
import { randomUUIDv7 } from 'node:crypto';
import { Batcher } from '../../runtime/durable/batcher.ts';
import type { LlmCall } from '../../store/llm-ports.ts';
import type { Store } from '../../store/ports.ts';
import type { LlmCallContext } from './types.ts';

/** How long rows written behind the answers gather before they are committed together. */
const GATHER_MS = 10;

interface LedgerEntry {
  readonly call: LlmCall;
  readonly reservationId?: string;
}

/** What a row says beyond its call's context: who answered, and whatever differs from the defaults. */
export type CallFields = Partial<LlmCall> & { readonly provider: string; readonly model: string };

export class LedgerWriter {
  /** Rows someone waits for, committed at once. */
  private readonly awaited: Batcher<LedgerEntry, undefined>;
  /** Rows nobody waits for, gathered for longer: fewer, larger commits (and messages to the store). */
  private readonly behind: Batcher<LedgerEntry, undefined>;

  constructor(store: Store, onLost?: (error: unknown, call: LlmCall) => void) {
    const record = async (entries: readonly LedgerEntry[]) => {
      await store.ledger.recordMany(entries);
      return entries.map(() => undefined);
    };
    const maxInFlight = store.backend === 'postgres' ? 3 : 1;
    const lost =
      onLost ??
      ((error, call) =>
        process.stderr.write(`ledger: the row of model call ${call.id} was not written: ${String(error)}\n`));
    this.awaited = new Batcher(record, { maxInFlight });
    this.behind = new Batcher(record, {
      maxInFlight,
      gatherMs: GATHER_MS,
      onLost: (error, entries) => {
        for (const { call } of entries) lost(error, call);
      },
    });
  }

  /** Writes the row of a call made in `context` that started at `started`; waits only under a budget. */
  record(
    context: LlmCallContext,
    started: number,
    now: number,
    fields: CallFields,
    reservationId?: string,
  ): Promise<void> {
    const call: LlmCall = {
      id: randomUUIDv7(),
      workspaceId: context.workspaceId,
      workflowId: context.workflowId ?? null,
      executionId: context.executionId ?? null,
      nodeId: context.nodeId ?? null,
      route: null,
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheHit: false,
      latencyMs: now - started,
      costMicros: 0,
      status: 'succeeded',
      errorCode: null,
      createdAt: started,
      ...fields,
    };
    if (reservationId !== undefined) return this.awaited.submit({ call, reservationId });
    this.behind.add({ call });
    return Promise.resolve();
  }

  /** Resolves once every call that has answered so far is in the ledger (or reported lost). */
  written(): Promise<void> {
    return this.behind.written();
  }
}
