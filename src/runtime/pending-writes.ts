/**
 * @module Checkpoints of pure nodes still being written. The run goes on without them (their
 * results can be recomputed from the stored log), and waits for them only where something outside
 * the execution could see what came after: before a node that is not pure, and before the end.
 */
export class PendingWrites {
  private readonly pending = new Set<Promise<unknown>>();

  /** `onError` hears a write that failed; the write stops being pending either way. */
  track(write: Promise<unknown>, onError: (error: unknown) => void): void {
    const tracked = write.then(
      () => {
        this.pending.delete(tracked);
      },
      (error: unknown) => {
        this.pending.delete(tracked);
        onError(error);
      },
    );
    this.pending.add(tracked);
  }

  get idle(): boolean {
    return this.pending.size === 0;
  }

  /** Resolves once every write pending now has been written or has failed. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }
}
