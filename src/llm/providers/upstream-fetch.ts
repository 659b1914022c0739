/**
 * @module The `fetch` the AI SDK's providers call upstream with: requests dispatched on one pooled
 * undici agent through a handler of our own (response-handler.ts), the answer wrapped in a web
 * `Response`. Node's global fetch runs the whole WHATWG fetch algorithm per call (request and
 * response objects, a byte stream fed chunk by chunk): ~270 µs of CPU per call against the mock
 * upstream. undici's `request` costs less CPU, but the objects it makes for each call (a readable
 * body stream, its handler) outlive two young-generation collections: ~3.8 KB per call reached the
 * old generation, and at 1,000 calls/s the full collections that cleared it stalled the gateway. The
 * low-level `dispatch` is cheaper still (~185 µs) and leaves ~0.5 KB per call there.
 *
 * Failures look like global fetch's: the abort signal's own reason when aborted, otherwise a
 * `TypeError('fetch failed')` with the cause, which the SDK turns into a retryable API call error.
 * Requests this does not handle (a Request object, a form or stream body, another protocol) go to
 * global fetch. undici is loaded when the first provider is built, not at start (it takes ~90 ms).
 */
import { ResponseHandler } from './response-handler.ts';

export async function createUpstreamFetch(): Promise<typeof fetch> {
  const { Agent } = await import('undici');
  const dispatcher = new Agent();
  // async, like fetch: a URL that does not parse rejects the call instead of throwing at the caller.
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
    return await new Promise((resolve, reject) => {
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: init?.method ?? 'GET',
          headers: headersOf(init?.headers),
          body: body ?? null,
        },
        new ResponseHandler(resolve, reject, init?.signal ?? undefined),
      );
    });
  };
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
