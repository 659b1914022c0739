/**
 * @module The `fetch` the AI SDK's providers call upstream with: Node's own HTTP client on one
 * keep-alive agent per protocol, its answer wrapped in a web `Response`. Node's global fetch runs
 * the whole WHATWG fetch algorithm per call (request and response objects, a byte stream fed chunk
 * by chunk), ~270 µs of CPU per call against the mock upstream. undici's `request` cost about what
 * this does in CPU, but kept each call's objects alive long enough to outlive two young-generation
 * collections: ~3.8 KB per call reached the old generation (0.5 KB here), and at 1,000 calls/s the
 * full collections that cleared it stalled the gateway for hundreds of milliseconds. The SDK needs
 * only the status, the headers and the body, so an answer that is not an event stream is read whole
 * and handed over in one piece (the SDK reads it whole anyway); an event stream is passed on as it
 * arrives.
 *
 * Failures look like global fetch's: the abort signal's own reason when aborted, otherwise a
 * `TypeError('fetch failed')` with the cause, which the SDK turns into a retryable API call error.
 * Requests this does not handle (a Request object, a form or stream body, another protocol) go to
 * global fetch.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, STATUS_CODES } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** Statuses whose answers have no body: a Response refuses one. */
const NULL_BODY = new Set([101, 204, 205, 304]);

type Body = string | Uint8Array | null;

export function createUpstreamFetch(): typeof fetch {
  // Last used, first reused: a steady load keeps a few warm connections instead of cycling through all.
  const http = new HttpAgent({ keepAlive: true, scheduling: 'lifo' });
  const https = new HttpsAgent({ keepAlive: true, scheduling: 'lifo' });
  return async (input, init) => {
    const body = init?.body;
    const url = input instanceof URL ? input : typeof input === 'string' ? new URL(input) : undefined;
    if (
      url === undefined ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      !(body == null || typeof body === 'string' || body instanceof Uint8Array)
    ) {
      return fetch(input, init);
    }
    const signal = init?.signal ?? undefined;
    try {
      const answer = await send(url, init?.method ?? 'GET', headersOf(init?.headers), body ?? null, {
        agent: url.protocol === 'https:' ? https : http,
        signal,
      });
      return await responseOf(answer);
    } catch (error) {
      throw failure(error, signal);
    }
  };
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Body,
  options: { agent: HttpAgent; signal: AbortSignal | undefined },
): Promise<IncomingMessage> {
  if (body !== null && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
    // Without it Node sends the body chunked, which some upstreams refuse.
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, ...options }, resolve);
    outgoing.once('error', reject);
    outgoing.end(body ?? undefined);
  });
}

async function responseOf(answer: IncomingMessage): Promise<Response> {
  const status = answer.statusCode ?? 0;
  const init = { status, statusText: STATUS_CODES[status] ?? '', headers: webHeaders(answer.headers) };
  if (NULL_BODY.has(status)) {
    answer.resume();
    return new Response(null, init);
  }
  if (answer.headers['content-type']?.includes('text/event-stream')) {
    return new Response(Readable.toWeb(answer) as ReadableStream<Uint8Array>, init);
  }
  return new Response(oneChunk(await wholeBody(answer)), init);
}

function wholeBody(answer: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    // Also a connection that closes mid-answer: Node fails the message ('aborted', ECONNRESET).
    answer.once('error', reject);
  });
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

function failure(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  return new TypeError('fetch failed', { cause: error });
}

function headersOf(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(headers);
  // The SDK's header records may hold undefined for a header it leaves out.
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, string | undefined>)) {
    if (value !== undefined) plain[name] = value;
  }
  return plain;
}

function webHeaders(raw: IncomingMessage['headers']): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}
