/**
 * @module The workspace a request acts in. Every route asks here, so that the security issue can
 * swap this for the caller's workspace in one place; a resource of another workspace then reads as
 * absent (404), because every store query is scoped by it.
 */
import type { FastifyRequest } from 'fastify';
import { DEFAULT_WORKSPACE } from '../store/ports.ts';

export function workspaceOf(_request: FastifyRequest): string {
  return DEFAULT_WORKSPACE;
}
