/**
 * @module The workspace a request acts in: always the authenticated caller's, never a header or a
 * parameter. Every store query is scoped by it, so a resource of another workspace reads as absent
 * (404). A route without a caller fails closed.
 */
import type { FastifyRequest } from 'fastify';
import { principalOf } from './auth/request-principal.ts';

export function workspaceOf(request: FastifyRequest): string {
  return principalOf(request).workspaceId;
}
