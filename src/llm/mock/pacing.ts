/**
 * @module Waiting on behalf of a response: every wait ends early when the client goes away or the server
 * closes, so a stalled stream never outlives its connection and leaves no timer behind.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

/** Aborts when the response is finished or its connection is gone. */
export function closeSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}

/** Waits `ms` — or, if undefined, until the signal aborts. Resolves false when the signal aborted. */
export async function wait(ms: number | undefined, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms === undefined) {
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    return false;
  }
  if (ms === 0) return true;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
