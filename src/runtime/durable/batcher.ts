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
  private queue: Pending<T, R>[] = [];
  private flushing = false;
  private scheduled = false;

  constructor(flush: Flush<T, R>, maxBatch = 1000) {
    this.flush = flush;
    this.maxBatch = maxBatch;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far is written. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing || this.scheduled) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    // One macrotask of gathering: every node that finishes in this turn joins the same transaction.
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const results = await this.flush(batch.map((p) => p.item));
      batch.forEach((pending, i) => {
        pending.resolve(results[i] as R);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
