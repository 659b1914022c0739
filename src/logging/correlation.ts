/**
 * @module The correlation id of a request: the client's `X-Correlation-Id` when it is short and
 * safe to log and to echo, a fresh one otherwise. Fastify makes it the request id; it is echoed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const CORRELATION_HEADER = 'x-correlation-id';

// Short and without spaces, quotes or control characters: it goes into headers, log lines and ids.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** Fastify's `genReqId`: the client's id when valid, a new UUID otherwise. */
export function correlationIdOf(request: IncomingMessage): string {
  const header = request.headers[CORRELATION_HEADER];
  return typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
}

/** Answers every request with its correlation id, so a client can quote it. */
export function echoCorrelationId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(CORRELATION_HEADER, request.id);
  });
}
