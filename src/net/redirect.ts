/**
 * @module How a redirect turns one request into the next (the fetch standard's rules): 303, and
 * 301/302 after a POST, become a GET without a body; 307/308 repeat the request as it was. When the
 * origin changes, only well-known harmless headers travel on: Authorization and Cookie never do, and
 * neither does any custom header, since those often carry API keys (X-Api-Key).
 */

export interface Hop {
  readonly method: string;
  readonly url: URL;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array | undefined;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'content-language']);

const CROSS_ORIGIN_SAFE = new Set([
  'accept',
  'accept-language',
  'cache-control',
  'content-language',
  'content-type',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-unmodified-since',
  'pragma',
  'user-agent',
]);

export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/** The request to send to `target` after `hop` was answered with redirect `status`. */
export function redirectedHop(hop: Hop, status: number, target: URL): Hop {
  const becomesGet =
    (status === 303 && hop.method !== 'HEAD') ||
    ((status === 301 || status === 302) && hop.method === 'POST');
  const sameOrigin = target.origin === hop.url.origin;
  const headers = Object.fromEntries(
    Object.entries(hop.headers).filter(
      ([name]) => (sameOrigin || CROSS_ORIGIN_SAFE.has(name)) && !(becomesGet && BODY_HEADERS.has(name)),
    ),
  );
  return {
    method: becomesGet ? 'GET' : hop.method,
    url: target,
    headers,
    body: becomesGet ? undefined : hop.body,
  };
}
