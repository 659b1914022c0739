/**
 * @module One execution's events, history then live, each exactly once and in seq order: the
 * gap-free merge of the store (which lags the bus by a batch) and the bus (which forgets the past).
 * SSE and WebSocket both stream through it.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { ExecutionEventBus } from '../events/bus.ts';
import type { ExecutionEvent } from '../runtime/events.ts';
import type { Store, StoredEvent } from '../store/ports.ts';

const PAGE = 500;
/** How often an idle stream looks at the store: events of another process, or a tail not yet stored. */
const IDLE_POLL_MS = 500;
/** How long a gap may wait for the store to catch up before the stream gives up (the client resumes). */
const GAP_TIMEOUT_MS = 10_000;
const GAP_RETRY_MS = 20;

export interface LiveSources {
  readonly store: Pick<Store, 'events' | 'executions'>;
  readonly bus: ExecutionEventBus;
}

export interface LiveStreamRequest {
  readonly workspaceId: string;
  readonly executionId: string;
  /** The last seq the client has; 0 for everything. */
  readonly after: number;
  readonly send: (event: ExecutionEvent) => void;
  readonly signal: AbortSignal;
  readonly idlePollMs?: number;
}

/** How the stream ended: the execution finished (all sent), or the client went away. */
export type LiveStreamEnd = 'finished' | 'aborted';

export function eventOfStored(stored: StoredEvent): ExecutionEvent {
  const payload = (stored.payload ?? {}) as object;
  // The worker stored the event minus these four fields (toStoredEvent); this puts them back.
  return {
    ...payload,
    executionId: stored.executionId,
    seq: stored.seq,
    type: stored.type,
    at: stored.at,
  } as ExecutionEvent;
}

/**
 * Subscribes to the bus first and buffers, then pages through stored history, then takes buffered
 * and live events in order: one at or below the last sent is a duplicate and dropped; one beyond
 * the next expected means the store had not caught up when history was read, and the gap is filled
 * from the store before it is sent. Ends after `execution.finished`, or when the store says the
 * execution finished and holds nothing more (an execution cancelled before it ran has no events).
 */
export async function streamExecutionEvents(
  sources: LiveSources,
  request: LiveStreamRequest,
): Promise<LiveStreamEnd> {
  const { executionId, signal } = request;
  const pending: ExecutionEvent[] = [];
  let wake: () => void = () => {};
  const unsubscribe = sources.bus.subscribe(executionId, (event) => {
    pending.push(event);
    wake();
  });
  const onAbort = () => wake();
  signal.addEventListener('abort', onAbort);

  let lastSent = request.after;
  let finished = false;
  const deliver = (event: ExecutionEvent) => {
    if (event.seq !== lastSent + 1 || finished || signal.aborted) return;
    request.send(event);
    lastSent = event.seq;
    if (event.type === 'execution.finished') finished = true;
  };
  const readStored = async (upTo: number) => {
    while (!finished && !signal.aborted && lastSent < upTo) {
      const page = await sources.store.events.list(executionId, lastSent, Math.min(PAGE, upTo - lastSent));
      for (const stored of page) deliver(eventOfStored(stored));
      if (page.length === 0) return;
    }
  };
  const fillGap = async (upTo: number) => {
    const deadline = Date.now() + GAP_TIMEOUT_MS;
    for (;;) {
      await readStored(upTo);
      if (lastSent >= upTo || signal.aborted) return;
      if (Date.now() > deadline) {
        throw new SwitchyardError(
          'SY_INTERNAL',
          `events ${lastSent + 1}..${upTo} of "${executionId}" never reached the store`,
        );
      }
      await sleep(GAP_RETRY_MS);
    }
  };
  const settledInStore = async () => {
    const execution = await sources.store.executions.get(request.workspaceId, executionId);
    if (execution && (execution.status === 'queued' || execution.status === 'running')) return false;
    // The worker stores an execution's events before its outcome: one more read gets the tail.
    await readStored(Number.POSITIVE_INFINITY);
    return true;
  };
  const idle = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), ms);
      wake = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });

  try {
    await readStored(Number.POSITIVE_INFINITY);
    if (!finished && (await settledInStore())) return signal.aborted ? 'aborted' : 'finished';
    while (!finished && !signal.aborted) {
      const event = pending.shift();
      if (event) {
        if (event.seq > lastSent + 1) await fillGap(event.seq - 1);
        deliver(event);
        continue;
      }
      const timedOut = await idle(request.idlePollMs ?? IDLE_POLL_MS);
      wake = () => {};
      if (timedOut && pending.length === 0) {
        await readStored(Number.POSITIVE_INFINITY);
        if (!finished && (await settledInStore())) break;
      }
    }
    return signal.aborted ? 'aborted' : 'finished';
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
