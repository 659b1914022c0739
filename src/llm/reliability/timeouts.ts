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

/** What a read can settle on besides a chunk: a timeout, the caller's cancellation, or the source's failure. */
type Interrupt = { readonly interrupt: SwitchyardError } | { readonly cancelled: true };
type Settled<T> = IteratorResult<T> | Interrupt | { readonly failed: unknown };

/**
 * Per chunk, one promise and one timer re-armed with `refresh` (no new timer, no race of four
 * promises, nothing left attached to the long-lived ones): streams run to thousands of chunks.
 */
export async function* withStreamTimeouts<T>(
  source: AsyncIterable<T>,
  options: StreamTimeouts,
): AsyncIterable<T> {
  options.signal.throwIfAborted();
  const iterator = source[Symbol.asyncIterator]();
  let stopped: Interrupt | undefined;
  /** Settles the read in progress, if any. */
  let wake: ((settled: Settled<T>) => void) | undefined;
  const stop = (reason: Interrupt): void => {
    if (stopped === undefined) {
      stopped = reason;
      if ('interrupt' in reason) options.onAbort(reason.interrupt);
    }
    wake?.(stopped);
  };
  const total = setTimeout(
    () =>
      stop({
        interrupt: new SwitchyardError(
          'SY_LLM_TIMEOUT',
          `The model's answer took longer than ${options.totalMs} ms`,
          { details: { timeout: 'total', ms: options.totalMs } },
        ),
      }),
    options.totalMs,
  );
  let first = true;
  const firstTimer = setTimeout(() => stop({ interrupt: chunkTimeout(true, options) }), options.firstChunkMs);
  // Only the wait for a chunk is timed, not the consumer's work between chunks: the idle timer
  // firing while no read is in progress is ignored, and the next read re-arms it.
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const onCancel = () => stop({ cancelled: true });
  options.signal.addEventListener('abort', onCancel, { once: true });
  let finished = false;

  try {
    for (;;) {
      if (stopped === undefined && !first) {
        idleTimer ??= setTimeout(() => {
          if (wake !== undefined) stop({ interrupt: chunkTimeout(false, options) });
        }, options.idleMs);
        idleTimer.refresh();
      }
      const settled =
        stopped ??
        (await new Promise<Settled<T>>((resolve) => {
          wake = resolve;
          iterator.next().then(resolve, (error: unknown) => resolve({ failed: error }));
        }));
      wake = undefined;
      if ('cancelled' in settled) throw options.signal.reason;
      if ('interrupt' in settled) throw settled.interrupt;
      if ('failed' in settled) throw settled.failed;
      if (settled.done === true) {
        finished = true;
        return;
      }
      if (first) {
        first = false;
        clearTimeout(firstTimer);
      }
      yield settled.value;
    }
  } finally {
    clearTimeout(total);
    clearTimeout(firstTimer);
    clearTimeout(idleTimer);
    options.signal.removeEventListener('abort', onCancel);
    if (!finished) {
      // Close the source (timeout, cancellation or the consumer leaving early). Not awaited: a
      // source stuck in a pending read would hold `return()` back for good.
      Promise.resolve(iterator.return?.()).catch(() => {});
    }
  }
}

function chunkTimeout(first: boolean, options: StreamTimeouts): SwitchyardError {
  return first
    ? new SwitchyardError('SY_LLM_TIMEOUT', `No first token within ${options.firstChunkMs} ms`, {
        details: { timeout: 'first-chunk', ms: options.firstChunkMs },
      })
    : new SwitchyardError('SY_LLM_STREAM_BROKEN', `The stream stalled: no chunk for ${options.idleMs} ms`, {
        details: { timeout: 'idle', ms: options.idleMs },
      });
}
