/**
 * @module Timeouts for a streamed model answer: the first chunk must come within `firstChunkMs`,
 * each later one within `idleMs` of the previous (a stall), and the whole stream within `totalMs`.
 * When one expires the wrapper calls `onAbort` at once, so the caller can cancel the HTTP request,
 * and the consumer's loop throws: a stream that dies mid-way never looks like a finished answer.
 */
import { SwitchyardError } from '../../errors/switchyard-error.ts';

export interface StreamTimeouts {
  readonly firstChunkMs: number;
  readonly idleMs: number;
  readonly totalMs: number;
  /** The caller's cancellation: the stream then throws the signal's reason. */
  readonly signal: AbortSignal;
  /** Called once, when a timeout expires, with the error the stream is about to throw. */
  readonly onAbort: (reason: SwitchyardError) => void;
}

/** What a race between the source and the timers can settle on, besides a chunk. */
type Interrupt = { readonly interrupt: SwitchyardError } | { readonly cancelled: true };

export async function* withStreamTimeouts<T>(
  source: AsyncIterable<T>,
  options: StreamTimeouts,
): AsyncIterable<T> {
  options.signal.throwIfAborted();
  const iterator = source[Symbol.asyncIterator]();
  let expired: SwitchyardError | undefined;
  const expire = (error: SwitchyardError): Interrupt => {
    if (expired === undefined) {
      expired = error;
      options.onAbort(error);
    }
    return { interrupt: expired };
  };
  // Timers resolve (never reject), so one that fires while the consumer is busy elsewhere cannot
  // become an unhandled rejection; the next read reports it.
  const total = timer(options.totalMs, () =>
    expire(
      new SwitchyardError('SY_LLM_TIMEOUT', `The model's answer took longer than ${options.totalMs} ms`, {
        details: { timeout: 'total', ms: options.totalMs },
      }),
    ),
  );
  let onCancel = (): void => {};
  const cancelled = new Promise<Interrupt>((resolve) => {
    onCancel = () => resolve({ cancelled: true });
  });
  options.signal.addEventListener('abort', onCancel, { once: true });
  let finished = false;

  try {
    for (let first = true; ; first = false) {
      options.signal.throwIfAborted();
      if (expired !== undefined) throw expired;
      const chunk = first
        ? timer(options.firstChunkMs, () =>
            expire(
              new SwitchyardError('SY_LLM_TIMEOUT', `No first token within ${options.firstChunkMs} ms`, {
                details: { timeout: 'first-chunk', ms: options.firstChunkMs },
              }),
            ),
          )
        : timer(options.idleMs, () =>
            expire(
              new SwitchyardError(
                'SY_LLM_STREAM_BROKEN',
                `The stream stalled: no chunk for ${options.idleMs} ms`,
                {
                  details: { timeout: 'idle', ms: options.idleMs },
                },
              ),
            ),
          );
      const next = iterator.next();
      let settled: IteratorResult<T> | Interrupt;
      try {
        // Racing `next` also handles its late rejection, should a timer win and the aborted request fail it.
        settled = await Promise.race([next, total.fired, chunk.fired, cancelled]);
      } finally {
        chunk.clear();
      }
      if ('cancelled' in settled) throw options.signal.reason;
      if ('interrupt' in settled) throw settled.interrupt;
      if (settled.done === true) {
        finished = true;
        return;
      }
      yield settled.value;
    }
  } finally {
    total.clear();
    options.signal.removeEventListener('abort', onCancel);
    if (!finished) {
      // Close the source (timeout, cancellation or the consumer leaving early). Not awaited: a
      // source stuck in a pending read would hold `return()` back for good.
      Promise.resolve(iterator.return?.()).catch(() => {});
    }
  }
}

function timer(ms: number, onFire: () => Interrupt): { fired: Promise<Interrupt>; clear: () => void } {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const fired = new Promise<Interrupt>((resolve) => {
    handle = setTimeout(() => resolve(onFire()), ms);
  });
  return { fired, clear: () => clearTimeout(handle) };
}
