/**
 * @module The runners' writes, group-committed across kinds: starts, checkpoints, events and
 * finishes made while a commit is under way are written together by the next one (one
 * transaction), each caller getting the answer for its own item.
 */
import type {
  CheckpointBatch,
  ExecutionFinish,
  NewExecution,
  Store,
  StoredEvent,
} from '../../store/ports.ts';
import { Batcher } from './batcher.ts';

type Entry =
  | { readonly kind: 'create'; readonly value: NewExecution }
  | { readonly kind: 'checkpoint'; readonly value: CheckpointBatch }
  | { readonly kind: 'event'; readonly value: StoredEvent }
  | { readonly kind: 'finish'; readonly value: ExecutionFinish };

export class Journal {
  private readonly batcher: Batcher<Entry, unknown>;

  /** `onLostEvents` hears a commit that failed with events in it: nobody waits on an event. */
  constructor(store: Store, options: { onLostEvents?: (error: unknown) => void } = {}) {
    // SQLite has one writer, on the store's thread: batches sent while one is being written wait
    // there and keep it busy (it runs them in order). PostgreSQL's pool runs them at once (each
    // commit locks its rows in id order, so concurrent ones never deadlock).
    this.batcher = new Batcher((entries) => commit(store, entries), {
      maxBatch: 5000,
      maxInFlight: 3,
      ...(options.onLostEvents ? { onLost: options.onLostEvents } : {}),
    });
  }

  /** Whether the execution was stored (false: one with its id exists already). */
  create(execution: NewExecution): Promise<boolean> {
    return this.batcher.submit({ kind: 'create', value: execution }) as Promise<boolean>;
  }

  /** Whether the lease held (the runs are stored) or not (nothing is). */
  checkpoint(batch: CheckpointBatch): Promise<boolean> {
    return this.batcher.submit({ kind: 'checkpoint', value: batch }) as Promise<boolean>;
  }

  /** Written with the next commit; a dozen per execution, so without a promise each. */
  event(event: StoredEvent): void {
    this.batcher.add({ kind: 'event', value: event });
  }

  /** Whether the lease held (the outcome is stored) or not. */
  finish(finish: ExecutionFinish): Promise<boolean> {
    return this.batcher.submit({ kind: 'finish', value: finish }) as Promise<boolean>;
  }

  /** Resolves once everything sent so far is written (or its commit failed). */
  written(): Promise<void> {
    return this.batcher.written();
  }

  /** Resolves once everything submitted so far is written. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }
}

async function commit(store: Store, entries: readonly Entry[]): Promise<unknown[]> {
  const creates: NewExecution[] = [];
  const checkpoints: CheckpointBatch[] = [];
  const events: StoredEvent[] = [];
  const finishes: ExecutionFinish[] = [];
  // Where each entry's answer sits in the outcome: its index within its kind.
  const slots = entries.map((entry): number => {
    if (entry.kind === 'create') return creates.push(entry.value) - 1;
    if (entry.kind === 'checkpoint') return checkpoints.push(entry.value) - 1;
    if (entry.kind === 'event') return events.push(entry.value) - 1;
    return finishes.push(entry.value) - 1;
  });
  const outcome = await store.journal.commit({ creates, checkpoints, events, finishes });
  return entries.map((entry, i): unknown => {
    const slot = slots[i] as number;
    if (entry.kind === 'create') return outcome.created[slot];
    if (entry.kind === 'checkpoint') return outcome.held[slot];
    if (entry.kind === 'event') return undefined;
    return outcome.finished[slot];
  });
}
