/** @module Live execution events: SSE with Last-Event-ID resume, and one WebSocket endpoint (issue 4; being built). */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from './deps.ts';

export function liveEventRoutes(_deps: ServerDeps): FastifyPluginAsync {
  return async () => {};
}
