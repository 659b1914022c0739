/** @module /api/v1/audit: the workspace's security log, newest first, for admins. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditEvent } from '../../store/security-ports.ts';
import { isoOf, pageOf, pageQuery, problemAnswers } from '../common-schemas.ts';
import type { ServerDeps } from '../deps.ts';
import { principalOf } from './request-principal.ts';

const outcome = z.enum(['success', 'denied', 'failure']);

const auditEventSchema = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    actor: z.string().describe('`user:<id>`, `key:<id>` or `anonymous`.'),
    action: z.string(),
    target: z.string().nullable(),
    outcome,
    ip: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEvent' });

const auditEventOf = (event: AuditEvent) => ({
  id: event.id,
  at: isoOf(event.createdAt),
  actor: event.actor,
  action: event.action,
  target: event.target,
  outcome: event.outcome,
  ip: event.ip,
  detail: event.detail === null ? null : { ...event.detail },
});

export function auditRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/audit',
      {
        schema: {
          operationId: 'listAuditEvents',
          summary: 'Security events of the workspace: sign-ins, keys, credentials, roles, exports, refusals.',
          tags: ['audit'],
          querystring: z.strictObject({
            ...pageQuery,
            action: z.string().max(100).optional().describe('Only this action, e.g. `auth.login`.'),
            outcome: outcome.optional(),
          }),
          response: { 200: pageOf(auditEventSchema), ...problemAnswers },
        },
      },
      async (request) => {
        const { action, outcome: wanted, limit, after } = request.query;
        const result = await deps.store.audit.list(principalOf(request).workspaceId, {
          limit,
          ...(after ? { after } : {}),
          ...(action === undefined ? {} : { action }),
          ...(wanted === undefined ? {} : { outcome: wanted }),
        });
        return { items: result.items.map(auditEventOf), ...(result.next ? { next: result.next } : {}) };
      },
    );
  };
}
