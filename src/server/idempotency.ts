/**
 * @module `Idempotency-Key` for the routes that create or start: spread `idempotent(deps)` into a
 * route's options. The first request with a key (per workspace, route and key) reserves it in the
 * store, acts, and stores its answer; a repeat gets that answer without acting again; a repeat with
 * another method, path, query or body is refused (422); one arriving while the first still runs
 * waits briefly, then gets 409. Keys expire after 24 hours.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { IdempotencyKey, StoredResponse } from '../store/ports.ts';
import type { ServerDeps } from './deps.ts';
import { workspaceOf } from './workspace.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const TTL_MS = 24 * 60 * 60 * 1000;
/** How long a repeat waits for the first request to answer before it gets 409. */
const WAIT_MS = 2_000;
const POLL_MS = 25;
/** A reservation this old without an answer belongs to a process that died: it may be taken over. */
const STALE_MS = 5 * 60 * 1000;
const PRUNE_EVERY_MS = 60_000;
/** Headers a replay repeats; the rest (dates, lengths) belong to the transport. */
const REPLAYED_HEADERS = ['content-type', 'location'];
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** The header as the routes that honour it declare it (so that the OpenAPI document shows it). */
export const idempotencyHeaders = z.looseObject({
  [IDEMPOTENCY_HEADER]: z
    .string()
    .regex(KEY_FORMAT, 'printable ASCII without spaces, at most 255 characters')
    .optional()
    .describe('Makes the request safe to repeat: a repeat with the same key returns the first answer.'),
});

export interface IdempotentRouteHooks {
  preHandler(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>;
}

export function idempotent(deps: ServerDeps): IdempotentRouteHooks {
  const { store, clock } = deps;
  // The requests that reserved their key and must store (or give up) their answer.
  const holders = new WeakMap<FastifyRequest, IdempotencyKey>();
  let lastPrune = 0;

  function prune(now: number, request: FastifyRequest): void {
    if (now - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now;
    store.idempotency.prune(now).catch((error: unknown) => {
      request.log.warn({ err: error }, 'pruning idempotency keys failed');
    });
  }

  return {
    async preHandler(request, reply) {
      const key = keyOf(request);
      if (key === undefined) return undefined;
      // Public routes (webhooks) have no workspace: their keys are scoped to the URL they hit.
      const id = request.principal
        ? { workspaceId: workspaceOf(request), scope: `${request.method} ${request.routeOptions.url}`, key }
        : { workspaceId: '', scope: `${request.method} ${request.url.split('?')[0]}`, key };
      const fingerprint = fingerprintOf(request);
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const now = clock.now();
        const claim = await store.idempotency.reserve(id, {
          fingerprint,
          now,
          expiresAt: now + TTL_MS,
          staleBefore: now - STALE_MS,
        });
        if (claim.first) {
          holders.set(request, id);
          prune(now, request);
          return undefined;
        }
        if (claim.fingerprint !== fingerprint) {
          throw new SwitchyardError(
            'SY_IDEMPOTENCY_MISMATCH',
            `Idempotency-Key "${key}" was used with a different request to this route`,
          );
        }
        if (claim.response) {
          // Answered from the hook: the handler does not run.
          return replay(reply, claim.response);
        }
        if (Date.now() >= deadline) {
          throw new SwitchyardError(
            'SY_IDEMPOTENCY_IN_PROGRESS',
            `the first request with Idempotency-Key "${key}" has not answered yet`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },

    async onSend(request, reply, payload) {
      const id = holders.get(request);
      if (!id) return payload;
      holders.delete(request);
      try {
        const body =
          typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : null;
        // A server error or a conflict may not happen again: let a repeat act instead of replaying it.
        const final = reply.statusCode < 500 && reply.statusCode !== 409 && reply.statusCode !== 429;
        if (final && body !== null) await store.idempotency.complete(id, responseOf(reply, body));
        else await store.idempotency.release(id);
      } catch (error) {
        // The action happened; failing its answer now would invite the client to do it twice.
        request.log.error({ err: error }, 'storing the answer of an Idempotency-Key failed');
      }
      return payload;
    },
  };
}

function keyOf(request: FastifyRequest): string | undefined {
  const header = request.headers[IDEMPOTENCY_HEADER];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_FORMAT.test(header)) {
    throw new SwitchyardError(
      'SY_HTTP_VALIDATION',
      'Idempotency-Key must be one value of 1 to 255 visible ASCII characters',
      { path: 'headers.idempotency-key' },
    );
  }
  return header;
}

/** What makes two requests "the same": method, URL with its query, and the body as received. */
function fingerprintOf(request: FastifyRequest): string {
  const hash = createHash('sha256').update(`${request.method} ${request.url}\n`);
  const body: unknown = request.body;
  hash.update(Buffer.isBuffer(body) ? body : (JSON.stringify(body ?? null) ?? 'null'));
  return hash.digest('hex');
}

function responseOf(reply: FastifyReply, body: string): StoredResponse {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return { status: reply.statusCode, headers, body };
}

function replay(reply: FastifyReply, response: StoredResponse): FastifyReply {
  return reply
    .status(response.status)
    .headers({ ...response.headers, 'idempotent-replayed': 'true' })
    .serializer((payload) => payload as string)
    .send(response.body);
}
