/**
 * @module Waiting for an execution to finish, for `wait=true` starts. The local worker says when it
 * finishes one; a slow poll of the store covers executions another process runs (PostgreSQL).
 */
import type { StoredExecution } from '../store/ports.ts';
import type { ServerDeps } from './deps.ts';

const POLL_MS = 500;

export function isFinished(execution: StoredExecution): boolean {
  return execution.status !== 'queued' && execution.status !== 'running';
}

/** The execution once finished, or as it is when `timeoutMs` passes (or the request goes away). */
export async function awaitOutcome(
  deps: ServerDeps,
  workspaceId: string,
  executionId: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<StoredExecution | undefined> {
  const read = () => deps.store.executions.get(workspaceId, executionId);
  let wake: () => void = () => {};
  // Subscribed before the first read: a finish between the two is then either seen by the read or heard.
  const unsubscribe = deps.worker.onFinished((id) => {
    if (id === executionId) wake();
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const execution = await read();
      if (!execution || isFinished(execution)) return execution;
      const left = deadline - Date.now();
      if (left <= 0 || signal.aborted) return execution;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, POLL_MS));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    unsubscribe();
  }
}
