/**
 * @module Rate limits (@fastify/rate-limit): per user or API key on the API (after authentication,
 * so one noisy key cannot starve its neighbours behind a shared address), per address on sign-in
 * and webhooks (before anything else runs). 429 answers carry Retry-After and SY_RATE_LIMITED.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { RateLimit, SecuritySettings } from '../../security/settings.ts';
import './request-principal.ts';

const AUTH_ENTRY_ROUTES = new Set(['/api/v1/auth/signup', '/api/v1/auth/login', '/api/v1/auth/refresh']);
const WEBHOOK_ROUTE = /^\/hooks\//;

export async function registerRateLimits(app: FastifyInstance, settings: SecuritySettings): Promise<void> {
  const perAddress = (limit: RateLimit) =>
    limit.max === 0
      ? false
      : {
          max: limit.max,
          timeWindow: limit.windowMs,
          hook: 'onRequest' as const,
          keyGenerator: (request: FastifyRequest) => `ip:${request.ip}`,
        };
  // Runs before the plugin's own onRoute hook, so that it sees these per-route settings.
  app.addHook('onRoute', (route) => {
    const limit = AUTH_ENTRY_ROUTES.has(route.url)
      ? perAddress(settings.authRateLimit)
      : WEBHOOK_ROUTE.test(route.url)
        ? perAddress(settings.webhookRateLimit)
        : undefined;
    if (limit !== undefined) route.config = { ...route.config, rateLimit: limit };
  });
  await app.register(rateLimit, {
    global: settings.apiRateLimit.max > 0,
    max: Math.max(settings.apiRateLimit.max, 1),
    timeWindow: settings.apiRateLimit.windowMs,
    hook: 'preHandler',
    keyGenerator: (request) => {
      const principal = request.principal;
      if (!principal) return `ip:${request.ip}`;
      return principal.kind === 'key' ? `key:${principal.keyId}` : `user:${principal.userId}`;
    },
    errorResponseBuilder: (_request, context) =>
      new SwitchyardError('SY_RATE_LIMITED', `more than ${context.max} requests in ${context.after}`, {
        details: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
      }),
  });
}
