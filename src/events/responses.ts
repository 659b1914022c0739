/**
 * @module Responses of running executions, for callers that wait on them (a webhook answered by its
 * workflow's `respond` node): the first response wins; an execution that finishes without one
 * answers its waiters with `undefined` so they can fall back to the outcome.
 */
import type { WorkflowResponse } from '../nodes/context.ts';

type Waiter = (response: WorkflowResponse | undefined | 'stopping') => void;

export class ResponseHub {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly early = new Map<string, WorkflowResponse | undefined>();
  private stopping = false;

  /** Called by the runner when a respond node answers. */
  respond(executionId: string, response: WorkflowResponse): void {
    this.settle(executionId, response);
  }

  /** Called when an execution finished: waiters still waiting get `undefined`. */
  finished(executionId: string): void {
    this.settle(executionId, undefined);
  }

  /**
   * Resolves with the response, `undefined` when it finished without one, `'timeout'`, or
   * `'stopping'` once the server has given up waiting (`stopWaiting`).
   */
  wait(
    executionId: string,
    timeoutMs: number,
  ): Promise<WorkflowResponse | undefined | 'timeout' | 'stopping'> {
    if (this.early.has(executionId)) {
      const response = this.early.get(executionId);
      this.early.delete(executionId);
      return Promise.resolve(response);
    }
    if (this.stopping) return Promise.resolve('stopping');
    return new Promise((resolve) => {
      let waiters = this.waiters.get(executionId);
      if (!waiters) {
        waiters = new Set();
        this.waiters.set(executionId, waiters);
      }
      const waiter: Waiter = (response) => {
        clearTimeout(timer);
        resolve(response);
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        if (waiters.size === 0) this.waiters.delete(executionId);
        resolve('timeout');
      }, timeoutMs);
      // A caller still waiting keeps the process up by its connection; one that went away must not
      // keep a stopping server alive until its timeout.
      timer.unref();
      waiters.add(waiter);
    });
  }

  /**
   * Marks an execution as awaited before it can possibly answer, so that a response arriving
   * before `wait` is called is kept for it (briefly: it is dropped when read or on `forget`).
   */
  expect(executionId: string): void {
    if (!this.waiters.has(executionId)) this.waiters.set(executionId, new Set());
  }

  /** The server is stopping: every caller still waiting, and any that comes, hears `'stopping'`. */
  stopWaiting(): void {
    this.stopping = true;
    const waiting = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiters of waiting) for (const waiter of waiters) waiter('stopping');
  }

  forget(executionId: string): void {
    this.waiters.delete(executionId);
    this.early.delete(executionId);
  }

  private settle(executionId: string, response: WorkflowResponse | undefined): void {
    const waiters = this.waiters.get(executionId);
    if (!waiters) return;
    if (waiters.size === 0) {
      if (!this.early.has(executionId)) this.early.set(executionId, response);
      return;
    }
    this.waiters.delete(executionId);
    for (const waiter of waiters) waiter(response);
  }
}
