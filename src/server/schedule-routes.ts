/** @module Cron schedules: create, list, update, delete (issue 4; being built). */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from './deps.ts';

export function scheduleRoutes(_deps: ServerDeps): FastifyPluginAsync {
  return async () => {};
}
