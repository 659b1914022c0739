/**
 * @module The WHATWG `fetch` the MCP SDK's Streamable HTTP transport calls, carried out by the
 * SSRF-guarded outbound client: every request (redirects included) is checked against the
 * workspace's allow-list, bounded in time and in size.
 *
 * The guarded client reads a whole body before it answers. That suits the POSTs that carry
 * messages: the server ends each answer (JSON, or an SSE stream) once it has replied, and the SDK
 * parses the buffered stream as it would a live one. It cannot hold the optional GET stream a
 * server keeps open for messages of its own, which never ends: that GET is answered here with 405,
 * which is how a server says it offers no such stream, and the SDK then goes on without it. Tool
 * calls need none of those messages.
 */
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { OutboundFetch, OutboundResponse } from '../nodes/context.ts';

/** Statuses whose responses have no body; `new Response` refuses one for them. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** `timeoutMs` bounds each HTTP exchange, redirects included. */
export function guardedMcpFetch(outbound: OutboundFetch, timeoutMs: number): FetchLike {
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    if (method === 'GET') return new Response(null, { status: 405, statusText: 'Method Not Allowed' });
    const response = await outbound(
      {
        method,
        url: String(url),
        headers,
        ...bodyOf(init.body),
        timeoutMs,
        // The SDK asks for `manual` and follows only redirects within the origin, calling this again:
        // each hop then goes through the guard like the first.
        followRedirects: (init.redirect ?? 'follow') === 'follow',
      },
      init.signal ?? undefined,
    );
    return responseOf(response);
  };
}

/** The SDK sends JSON text; anything else is a caller's mistake, not something to guess at. */
function bodyOf(body: RequestInit['body']): { body?: string } {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return { body };
  throw new TypeError('the guarded MCP fetch sends only string bodies');
}

function responseOf(response: OutboundResponse): Response {
  const body = NULL_BODY.has(response.status) ? null : new Uint8Array(response.body);
  return new Response(body, { status: response.status, headers: response.headers });
}
