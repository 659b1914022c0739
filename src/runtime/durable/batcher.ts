/**
 * @module Group commit: requests made while a flush is in flight are gathered and written together
 * by the next one, so concurrent executions share transactions instead of queueing for their own.
 */

export type Flush<T, R> = (items: readonly T[]) => Promise<readonly R[]>;

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export class Batcher<T, R> {
  private readonly flush: Flush<T, R>;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly gatherMs: number;
  private queue: Pending<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;

  /**
   * `maxInFlight` > 1 lets a server database work on several batches at once (its pool has room).
   * `gatherMs` > 0 gathers for that long instead of one turn of the event loop: for writes nobody
   * waits for, fewer and larger batches.
   */
  constructor(
    flush: Flush<T, R>,
    options: { maxBatch?: number; maxInFlight?: number; gatherMs?: number } = {},
  ) {
    this.flush = flush;
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.gatherMs = options.gatherMs ?? 0;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far is written. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0 || this.scheduled) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
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
    try {
      const results = await this.flush(batch.map((p) => p.item));
      batch.forEach((pending, i) => {
        pending.resolve(results[i] as R);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.inFlight--;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
