/** @module Webhook triggers: POST /hooks/{workflowId}/{path} (issue 4; being built). */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from './deps.ts';

export function webhookRoutes(_deps: ServerDeps): FastifyPluginAsync {
  return async () => {};
}
