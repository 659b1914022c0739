/** @module /healthz (the process answers) and /readyz (the database is reachable and fully migrated). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemAnswers } from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';
import { problemOf, sendProblem } from './problem.ts';

export function healthRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          operationId: 'health',
          summary: 'Alive: the process answers.',
          tags: ['health'],
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          operationId: 'ready',
          summary: 'Ready: the database is reachable and every migration applied (else 503).',
          tags: ['health'],
          response: { 200: z.object({ status: z.literal('ready'), backend: z.string() }), ...problemAnswers },
        },
      },
      async (request, reply) => {
        const health = await deps.store.health().catch((error: unknown) => ({
          ok: false,
          detail: error instanceof Error ? error.message : String(error),
        }));
        if (health.ok) return reply.send({ status: 'ready' as const, backend: deps.store.backend });
        return sendProblem(
          reply,
          problemOf('SY_STORE_UNAVAILABLE', `not ready: ${health.detail ?? 'the store is unhealthy'}`, {
            instance: request.url,
          }),
        );
      },
    );
  };
}
