/**
 * @module One upstream call's answer as a web `Response`, built from undici's dispatch callbacks.
 * An answer that is not an event stream is gathered whole and handed over in one piece (the SDK
 * reads it whole anyway); an event stream is handed over at its headers and fed as it arrives, the
 * connection paused while the reader falls behind. An abort of the caller's signal aborts the
 * request; an answer cut short fails — a stream errors — rather than ending early.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';

/** Statuses whose answers have no body: a Response refuses one. */
const NULL_BODY = new Set([101, 204, 205, 304]);

export class ResponseHandler implements Dispatcher.DispatchHandler {
  readonly #resolve: (response: Response) => void;
  readonly #reject: (error: unknown) => void;
  readonly #signal: AbortSignal | undefined;
  #request: Dispatcher.DispatchController | undefined;
  /** Set once the status is known and the body is to be gathered whole. */
  #whole: { readonly init: ResponseInit; readonly chunks: Buffer[] } | undefined;
  #stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  #answered = false;

  constructor(resolve: (response: Response) => void, reject: (error: unknown) => void, signal?: AbortSignal) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
  }

  readonly #abort = (): void => this.#request?.abort(this.#signal?.reason);

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#request = controller;
    if (this.#signal?.aborted) controller.abort(this.#signal.reason);
    else this.#signal?.addEventListener('abort', this.#abort, { once: true });
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (status < 200) return;
    const init = { status, statusText: STATUS_CODES[status] ?? '', headers: webHeaders(headers) };
    if (NULL_BODY.has(status)) this.#answer(new Response(null, init));
    else if (String(headers['content-type']).includes('text/event-stream')) {
      const body = new ReadableStream<Uint8Array>({
        start: (stream) => {
          this.#stream = stream;
        },
        pull: () => controller.resume(),
        cancel: (reason) => {
          // Nothing more may be put into a cancelled stream.
          this.#stream = undefined;
          controller.abort(reason);
        },
      });
      this.#answer(new Response(body, init));
    } else this.#whole = { init, chunks: [] };
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#stream) {
      this.#stream.enqueue(chunk);
      if ((this.#stream.desiredSize ?? 1) <= 0) controller.pause();
    } else this.#whole?.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.#signal?.removeEventListener('abort', this.#abort);
    if (this.#stream) this.#stream.close();
    else if (this.#whole) {
      const { init, chunks } = this.#whole;
      this.#answer(
        new Response(oneChunk(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)), init),
      );
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#signal?.removeEventListener('abort', this.#abort);
    const failure = this.#signal?.aborted
      ? this.#signal.reason
      : new TypeError('fetch failed', { cause: error });
    if (this.#stream) this.#stream.error(failure);
    else if (!this.#answered) this.#reject(failure);
  }

  #answer(response: Response): void {
    this.#answered = true;
    this.#resolve(response);
  }
}

/** A stream of one chunk: a Response reads it in half the time it takes over a Uint8Array body. */
function oneChunk(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function webHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}
