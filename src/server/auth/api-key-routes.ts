/**
 * @module /api/v1/api-keys: keys for programs. The secret is shown once, in the creation answer,
 * and stored only as a hash. A key's scopes cannot exceed its maker's role; members see and revoke
 * their own keys, admins everyone's. A key cannot mint keys unless it carries the admin scope.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { newApiKey } from '../../security/auth/opaque-tokens.ts';
import { actorOf, type Principal } from '../../security/identity/principal.ts';
import { PERMISSIONS, scopesBeyond } from '../../security/permissions.ts';
import type { StoredApiKey } from '../../store/security-ports.ts';
import { idParams, isoOf, isoOrNull, pageOf, pageQuery, problemAnswers } from '../common-schemas.ts';
import type { ServerDeps } from '../deps.ts';
import { principalOf } from './request-principal.ts';

const tags = ['api-keys'];
const MAX_LIFETIME_DAYS = 366;

const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to recognise it.'),
    scopes: z.array(z.enum(PERMISSIONS)),
    userId: z.string(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });

const apiKeyOf = (key: StoredApiKey) => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  scopes: [...key.scopes],
  userId: key.userId,
  createdAt: isoOf(key.createdAt),
  expiresAt: isoOrNull(key.expiresAt),
  revokedAt: isoOrNull(key.revokedAt),
  lastUsedAt: isoOrNull(key.lastUsedAt),
});

/** A key may manage keys only with the admin scope: a leaked read key must not mint itself a successor. */
function requireKeyManagement(principal: Principal): void {
  if (principal.kind === 'key' && !principal.permissions.has('admin')) {
    throw new SwitchyardError('SY_AUTH_FORBIDDEN', 'API keys can manage keys only with the admin scope');
  }
}

export function apiKeyRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const { store, clock } = deps;
  const { audit, authenticator } = deps.security;
  return async (app) => {
    app.get(
      '/api-keys',
      {
        schema: {
          operationId: 'listApiKeys',
          summary: "Your API keys (an admin sees the whole workspace's); never their secrets.",
          tags,
          querystring: z.strictObject(pageQuery),
          response: { 200: pageOf(apiKeySchema), ...problemAnswers },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        requireKeyManagement(principal);
        const { limit, after } = request.query;
        const page = await store.apiKeys.list(principal.workspaceId, { limit, ...(after ? { after } : {}) });
        const visible = principal.permissions.has('admin')
          ? page.items
          : page.items.filter((key) => key.userId === principal.userId);
        return { items: visible.map(apiKeyOf), ...(page.next ? { next: page.next } : {}) };
      },
    );

    app.post(
      '/api-keys',
      {
        schema: {
          operationId: 'createApiKey',
          summary: 'Create an API key. The answer holds the key itself, shown this once only.',
          tags,
          body: z.strictObject({
            name: z.string().min(1).max(100),
            scopes: z.array(z.enum(PERMISSIONS)).min(1).max(4),
            expiresInDays: z
              .int()
              .min(1)
              .max(MAX_LIFETIME_DAYS)
              .optional()
              .describe('Never expires when absent.'),
          }),
          response: {
            201: apiKeySchema.extend({
              key: z.string().describe('The API key: store it now, it is not shown again.'),
            }),
            ...problemAnswers,
          },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        requireKeyManagement(principal);
        const scopes = [...new Set(request.body.scopes)];
        const beyond = scopesBeyond(principal.role, scopes);
        if (beyond.length > 0) {
          throw new SwitchyardError(
            'SY_AUTH_FORBIDDEN',
            `a ${principal.role} cannot grant ${beyond.join(', ')}`,
            {
              path: 'scopes',
            },
          );
        }
        const made = newApiKey();
        const now = clock.now();
        const stored = await store.apiKeys.create({
          id: made.id,
          workspaceId: principal.workspaceId,
          userId: principal.userId,
          name: request.body.name,
          prefix: made.prefix,
          hash: made.hash,
          scopes,
          createdAt: now,
          expiresAt:
            request.body.expiresInDays === undefined ? null : now + request.body.expiresInDays * 86_400_000,
        });
        await audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'apikey.create',
          target: `key:${made.id}`,
          outcome: 'success',
          ip: request.ip,
          detail: { scopes, name: request.body.name },
        });
        return reply.code(201).send({ ...apiKeyOf(stored), key: made.token });
      },
    );

    app.delete(
      '/api-keys/:id',
      {
        schema: {
          operationId: 'revokeApiKey',
          summary:
            'Revoke an API key: it stops working at once (on the other API processes of a deployment within 2 s).',
          tags,
          params: idParams,
          response: { 204: z.null(), ...problemAnswers },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        requireKeyManagement(principal);
        const key = await store.apiKeys.get(principal.workspaceId, request.params.id);
        const mayRevoke = key && (key.userId === principal.userId || principal.permissions.has('admin'));
        if (!key || !mayRevoke || !(await store.apiKeys.revoke(principal.workspaceId, key.id, clock.now()))) {
          throw new SwitchyardError(
            'SY_API_KEY_NOT_FOUND',
            `no live API key "${request.params.id}" of yours`,
          );
        }
        authenticator.keysChanged();
        await audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'apikey.revoke',
          target: `key:${key.id}`,
          outcome: 'success',
          ip: request.ip,
        });
        return reply.code(204).send(null);
      },
    );
  };
}
