/**
 * @module Group commit: requests made while a flush is in flight are gathered and written together
 * by the next one, so concurrent executions share transactions instead of queueing for their own.
 * An item nobody waits for (`add`) costs no promise; `written` waits for everything queued so far.
 */

export type Flush<T, R> = (items: readonly T[]) => Promise<readonly R[]>;

interface Pending<T, R> {
  readonly item: T;
  /** Absent for an item added without a promise. */
  readonly resolve?: (result: R) => void;
  readonly reject?: (error: unknown) => void;
}

/** A batch being written: it holds the items numbered up to `through`. */
interface Flushing {
  readonly through: number;
  done: boolean;
}

export class Batcher<T, R> {
  private readonly flush: Flush<T, R>;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly gatherMs: number;
  private readonly onLost: ((error: unknown, items: readonly T[]) => void) | undefined;
  private queue: Pending<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;
  // Items are numbered in the order they are queued; batches take them in that order.
  private queued = 0;
  private taken = 0;
  /** Every item numbered up to this one has been written, or its batch failed. */
  private settledThrough = 0;
  private readonly flushing: Flushing[] = [];
  private readonly barriers: { readonly through: number; readonly resolve: () => void }[] = [];

  /**
   * `maxInFlight` > 1 lets a server database work on several batches at once (its pool has room).
   * `gatherMs` > 0 gathers for that long instead of one turn of the event loop: for writes nobody
   * waits for, fewer and larger batches. `onLost` hears a failed batch's items that were added
   * without a promise (once per batch).
   */
  constructor(
    flush: Flush<T, R>,
    options: {
      maxBatch?: number;
      maxInFlight?: number;
      gatherMs?: number;
      onLost?: (error: unknown, items: readonly T[]) => void;
    } = {},
  ) {
    this.flush = flush;
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.gatherMs = options.gatherMs ?? 0;
    this.onLost = options.onLost;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => this.enqueue({ item, resolve, reject }));
  }

  /** Queues an item nobody waits for: its answer is dropped, its failure goes to `onLost`. */
  add(item: T): void {
    this.enqueue({ item });
  }

  /** Resolves once everything submitted or added so far has been written, or its batch failed. */
  written(): Promise<void> {
    const through = this.queued;
    if (this.settledThrough >= through) return Promise.resolve();
    return new Promise((resolve) => this.barriers.push({ through, resolve }));
  }

  /** Resolves once nothing is left to write, including what is queued while it waits. */
  async drain(): Promise<void> {
    while (this.settledThrough < this.queued) await this.written();
  }

  private enqueue(pending: Pending<T, R>): void {
    this.queue.push(pending);
    this.queued++;
    this.schedule();
  }

  private schedule(): void {
    if (this.inFlight >= this.maxInFlight || this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      void this.run();
    };
    // One macrotask of gathering: every node that finishes in this turn joins the same transaction.
    if (this.gatherMs === 0) setImmediate(run);
    else setTimeout(run, this.gatherMs);
  }

  private async run(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.inFlight++;
    const batch = this.queue.splice(0, this.maxBatch);
    this.taken += batch.length;
    const flushing: Flushing = { through: this.taken, done: false };
    this.flushing.push(flushing);
    try {
      const results = await this.flush(batch.map((p) => p.item));
      batch.forEach((pending, i) => {
        pending.resolve?.(results[i] as R);
      });
    } catch (error) {
      const lost: T[] = [];
      for (const pending of batch) {
        if (pending.reject) pending.reject(error);
        else lost.push(pending.item);
      }
      if (lost.length > 0) this.onLost?.(error, lost);
    } finally {
      this.inFlight--;
      flushing.done = true;
      this.settle();
      if (this.queue.length > 0) this.schedule();
    }
  }

  /** Batches can finish out of order (several in flight): items count as written in order only. */
  private settle(): void {
    while (this.flushing[0]?.done) this.settledThrough = (this.flushing.shift() as Flushing).through;
    while ((this.barriers[0]?.through ?? Number.POSITIVE_INFINITY) <= this.settledThrough) {
      this.barriers.shift()?.resolve();
    }
  }
}
