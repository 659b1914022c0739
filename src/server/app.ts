/**
 * @module The HTTP application: Fastify with Zod schemas for validation, serialisation and the
 * OpenAPI document; JSON bodies only, bounded in size and depth; every failure a problem+json.
 */
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { correlationIdOf, echoCorrelationId } from '../logging/correlation.ts';
import { agentMessageRoutes } from './agent-message-routes.ts';
import { approvalRoutes } from './approval-routes.ts';
import { apiKeyRoutes } from './auth/api-key-routes.ts';
import { auditRoutes } from './auth/audit-routes.ts';
import { enforceRouteTable } from './auth/auth-hook.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { credentialRoutes } from './auth/credential-routes.ts';
import { memberRoutes } from './auth/member-routes.ts';
import { registerRateLimits } from './auth/rate-limits.ts';
import { workspaceRoutes } from './auth/workspace-routes.ts';
import { chatRoutes } from './chat-routes.ts';
import { DEFAULT_LIMITS, type ServerDeps } from './deps.ts';
import { executionRoutes } from './execution-routes.ts';
import { openAiRoutes } from './gateway/openai-routes.ts';
import { usageRoutes } from './gateway/usage-routes.ts';
import { healthRoutes } from './health-routes.ts';
import { acceptJsonOnly } from './json-body.ts';
import { liveEventRoutes } from './live-event-routes.ts';
import { API_PREFIX } from './locations.ts';
import { mcpRoutes } from './mcp-routes.ts';
import { nodeTypeRoutes } from './node-type-routes.ts';
import { registerOpenApi } from './openapi.ts';
import { type Problem, problemForError, problemOf, sendProblem } from './problem.ts';
import { scheduleRoutes } from './schedule-routes.ts';
import { versionRoutes } from './version-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { workflowRoutes } from './workflow-routes.ts';

export const API_VERSION = '1.0.0';

/**
 * Every schema is zod. Given as the compilers' factory, not set after creation: Fastify then never
 * loads its default ones (Ajv and fast-json-stringify, ~120 modules held in memory for nothing).
 * Fastify types the factory for Ajv; the route definition handed to the compilers is the same.
 */
const ZOD_COMPILERS = {
  buildValidator: () => validatorCompiler,
  buildSerializer: () => serializerCompiler,
} as unknown as NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

export async function buildApp(deps: ServerDeps): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const app = Fastify({
    ...(deps.loggerInstance ? { loggerInstance: deps.loggerInstance } : { logger: deps.logger ?? false }),
    // The request id is the correlation id: from X-Correlation-Id when safe, logged as correlationId.
    genReqId: correlationIdOf,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    bodyLimit: limits.bodyLimit,
    // Answers carry ids chosen by clients: keep the route matcher strict and predictable.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // Forwarding headers are believed only from as many proxies as the operator says stand in front.
    trustProxy: (_address: string, hop: number) => hop < deps.security.settings.trustedProxies,
    schemaController: { compilersFactory: ZOD_COMPILERS },
  });
  echoCorrelationId(app);
  acceptJsonOnly(app, limits.maxJsonDepth);

  app.setErrorHandler((error, request, reply) => {
    let problem: Problem;
    try {
      problem = problemForError(error, request);
    } catch (mappingError) {
      request.log.error({ err: mappingError }, 'mapping an error to a problem failed');
      problem = problemOf('SY_INTERNAL', 'An unexpected error occurred; it has been logged.');
    }
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problemOf('SY_HTTP_NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`, {
        instance: request.url.split('?')[0] ?? request.url,
      }),
    ),
  );

  // Before any route: the route table is checked as routes are added, and limits attach to them.
  app.decorate('registeredRoutes', enforceRouteTable(app, deps.security));
  await registerRateLimits(app, deps.security.settings);
  await app.register(fastifyCookie);
  await registerOpenApi(app, API_VERSION);
  await app.register(healthRoutes(deps));
  await app.register(webhookRoutes(deps));
  await app.register(openAiRoutes(deps), { prefix: '/v1' });
  await app.register(mcpRoutes(deps, API_VERSION));
  await app.register(
    async (api) => {
      await api.register(workflowRoutes(deps));
      await api.register(versionRoutes(deps));
      await api.register(executionRoutes(deps));
      await api.register(nodeTypeRoutes(deps));
      await api.register(scheduleRoutes(deps));
      await api.register(liveEventRoutes(deps));
      await api.register(authRoutes(deps));
      await api.register(memberRoutes(deps));
      await api.register(apiKeyRoutes(deps));
      await api.register(credentialRoutes(deps));
      await api.register(auditRoutes(deps));
      await api.register(workspaceRoutes(deps));
      await api.register(usageRoutes(deps));
      await api.register(approvalRoutes(deps));
      await api.register(chatRoutes(deps));
      await api.register(agentMessageRoutes(deps));
    },
    { prefix: API_PREFIX },
  );
  await app.ready();
  return app;
}
