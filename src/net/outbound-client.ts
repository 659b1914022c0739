/**
 * @module The one HTTP client for outbound calls a user can steer (HTTP node, tools, webhooks we
 * send, document fetches). Every hop is parsed and checked (outbound-url.ts), every name is resolved
 * and checked by the socket's own lookup (guarded-lookup.ts) so the connection goes to the address
 * that was checked, redirects are followed by hand and checked again, and the whole request has a
 * deadline and a response size cap. One undici agent per policy keeps connections alive.
 */
import type { Agent, Dispatcher } from 'undici';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { OutboundFetch, OutboundRequest, OutboundResponse } from '../nodes/context.ts';
import { type AllowList, compileAllowList } from './address-policy.ts';
import { readCapped } from './capped-body.ts';
import { createGuardedLookup, type Resolver } from './guarded-lookup.ts';
import { describeUrl, guardUrl } from './outbound-url.ts';
import { type Hop, isRedirect, redirectedHop } from './redirect.ts';

export interface OutboundPolicy {
  /** Host names, `*.suffix` wildcards, IP addresses and CIDRs that may be reached although blocked by default. */
  readonly allow: readonly string[];
  /** For requests that give no timeout; 30 s by default. */
  readonly defaultTimeoutMs?: number;
  /** For requests that give no cap; 10 MiB by default. */
  readonly maxResponseBytes?: number;
  /** For requests that give no limit; 5 by default. */
  readonly maxRedirects?: number;
  /** DNS; the system resolver by default. */
  readonly resolve?: Resolver;
}

export interface OutboundClient {
  readonly fetch: OutboundFetch;
  /** Closes the kept-alive connections once their requests are done. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;

/** What a redirect response's body may cost before its connection is dropped instead of reused. */
const REDIRECT_BODY_LIMIT = 64 * 1024;

export function createOutboundClient(policy: OutboundPolicy): OutboundClient {
  const allow = compileAllowList(policy.allow);
  // undici is loaded with the first client made (the first outbound request), not at start.
  const agent = import('undici').then(
    ({ Agent }) => new Agent({ connect: { lookup: createGuardedLookup(allow, policy.resolve) } }),
  );
  const fetch: OutboundFetch = async (request, signal) => {
    const timeoutMs = request.timeoutMs ?? policy.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const first = guardUrl(request.url, allow);
    try {
      return await follow(await agent, allow, policy, request, first, combined);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (deadline.aborted) {
        throw new SwitchyardError(
          'SY_OUTBOUND_TIMEOUT',
          `${request.method} ${describeUrl(first)} took longer than ${timeoutMs} ms`,
          { details: { timeoutMs } },
        );
      }
      throw translate(error, `${request.method} ${describeUrl(first)}`);
    }
  };
  return { fetch, close: async () => (await agent).close() };
}

async function follow(
  agent: Agent,
  allow: AllowList,
  policy: OutboundPolicy,
  request: OutboundRequest,
  url: URL,
  signal: AbortSignal,
): Promise<OutboundResponse> {
  const maxRedirects = request.maxRedirects ?? policy.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const maxBytes = request.maxResponseBytes ?? policy.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let hop: Hop = {
    method: request.method.toUpperCase(),
    url,
    headers: lowerCaseNames(request.headers ?? {}),
    body: request.body,
  };
  for (let redirects = 0; ; redirects++) {
    const response = await agent.request({
      origin: hop.url.origin,
      path: `${hop.url.pathname}${hop.url.search}`,
      method: hop.method as Dispatcher.HttpMethod,
      headers: hop.headers,
      body: hop.body ?? null,
      signal,
    });
    const headers = joinedHeaders(response.headers);
    const location = headers.location;
    if (request.followRedirects !== false && isRedirect(response.statusCode) && location !== undefined) {
      await response.body.dump({ limit: REDIRECT_BODY_LIMIT });
      if (redirects >= maxRedirects) {
        throw new SwitchyardError(
          'SY_OUTBOUND_REDIRECTS',
          `${request.method} ${describeUrl(url)} was redirected more than ${maxRedirects} times`,
          { details: { maxRedirects } },
        );
      }
      hop = redirectedHop(hop, response.statusCode, guardRedirect(location, allow, hop.url));
      continue;
    }
    const body = await readCapped(
      response.body,
      maxBytes,
      headers['content-length'],
      `${hop.method} ${describeUrl(hop.url)}`,
    );
    return { status: response.statusCode, headers, body, url: hop.url.href, redirects };
  }
}

function guardRedirect(location: string, allow: AllowList, from: URL): URL {
  try {
    return guardUrl(location, allow, from);
  } catch (error) {
    if (!(error instanceof SwitchyardError)) throw error;
    throw new SwitchyardError(
      error.code,
      `${describeUrl(from)} redirected to a refused URL: ${error.message}`,
      {
        ...(error.details ? { details: error.details } : {}),
      },
    );
  }
}

function lowerCaseNames(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function joinedHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) joined[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return joined;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The SwitchyardError a lookup raised deep inside a socket error, or a SY_OUTBOUND_* one for the rest. */
function translate(error: unknown, what: string): SwitchyardError {
  const own = findSwitchyardError(error);
  if (own) return own;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (TIMEOUT_CODES.has(code)) {
    return new SwitchyardError('SY_OUTBOUND_TIMEOUT', `${what} timed out (${message})`, { cause: error });
  }
  return new SwitchyardError('SY_OUTBOUND_FAILED', `${what} failed: ${message}`, {
    cause: error,
    // A request undici refuses to send (a forbidden header, say) fails the same way every time.
    ...(code === 'UND_ERR_INVALID_ARG' ? { retryable: false } : {}),
  });
}

function findSwitchyardError(error: unknown, depth = 0): SwitchyardError | undefined {
  if (error instanceof SwitchyardError) return error;
  if (!(error instanceof Error) || depth > 4) return undefined;
  const nested = error instanceof AggregateError ? [...error.errors, error.cause] : [error.cause];
  for (const inner of nested) {
    const found = findSwitchyardError(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}
