/**
 * @module The execution event bus: live events fan out from the runner to whoever watches (SSE,
 * WebSocket, waiting webhook callers). In-process now; a Redis implementation joins it for
 * several processes. History is the store's job: the bus only carries what happens from now on.
 */
import type { ExecutionEvent } from '../runtime/events.ts';

export type EventListener = (event: ExecutionEvent) => void;

export interface ExecutionEventBus {
  publish(event: ExecutionEvent): void;
  /** Listens to one execution's events; returns the function that stops listening. */
  subscribe(executionId: string, listener: EventListener): () => void;
}

export class InProcessEventBus implements ExecutionEventBus {
  private readonly listeners = new Map<string, Set<EventListener>>();

  publish(event: ExecutionEvent): void {
    const listeners = this.listeners.get(event.executionId);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed socket) must not stop the others or the runner.
        listeners.delete(listener);
      }
    }
  }

  subscribe(executionId: string, listener: EventListener): () => void {
    let listeners = this.listeners.get(executionId);
    if (!listeners) {
      listeners = new Set();
      this.listeners.set(executionId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.listeners.get(executionId) === listeners)
        this.listeners.delete(executionId);
    };
  }

  /** Subscriptions open now (for tests and metrics). */
  get subscriptionCount(): number {
    let count = 0;
    for (const listeners of this.listeners.values()) count += listeners.size;
    return count;
  }
}
