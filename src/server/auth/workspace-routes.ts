/**
 * @module /api/v1/workspace: the caller's workspace and its settings — today the outbound
 * allow-list, which opens private hosts or ranges to this workspace's HTTP requests (admins only,
 * audited).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { compileAllowList } from '../../net/address-policy.ts';
import { actorOf } from '../../security/identity/principal.ts';
import { ROLES } from '../../security/permissions.ts';
import type { StoredWorkspace } from '../../store/security-ports.ts';
import { isoOf, problemAnswers } from '../common-schemas.ts';
import type { ServerDeps } from '../deps.ts';
import { principalOf } from './request-principal.ts';

const workspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES).describe("The caller's role here."),
    outboundAllow: z
      .array(z.string())
      .describe(
        'Hosts, `*.suffix` wildcards, addresses and CIDRs that outbound requests may reach although private.',
      ),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Workspace' });

export function workspaceRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const { store } = deps;

  async function workspaceOrThrow(id: string): Promise<StoredWorkspace> {
    const workspace = await store.workspaces.get(id);
    if (!workspace) throw new SwitchyardError('SY_HTTP_NOT_FOUND', `workspace "${id}" does not exist`);
    return workspace;
  }

  return async (app) => {
    app.get(
      '/workspace',
      {
        schema: {
          operationId: 'getWorkspace',
          summary: "The caller's workspace and its settings.",
          tags: ['workspace'],
          response: { 200: workspaceSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const workspace = await workspaceOrThrow(principal.workspaceId);
        return {
          ...workspace,
          outboundAllow: [...workspace.outboundAllow],
          role: principal.role,
          createdAt: isoOf(workspace.createdAt),
        };
      },
    );

    app.patch(
      '/workspace',
      {
        schema: {
          operationId: 'updateWorkspace',
          summary: "Change the workspace's outbound allow-list.",
          tags: ['workspace'],
          body: z.strictObject({ outboundAllow: z.array(z.string().min(1).max(253)).max(100) }),
          response: { 200: workspaceSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        compileAllowList(request.body.outboundAllow, 'outboundAllow');
        await store.workspaces.setOutboundAllow(principal.workspaceId, request.body.outboundAllow);
        deps.security.outboundAllowChanged(principal.workspaceId);
        await deps.security.audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'workspace.outbound-allow',
          outcome: 'success',
          ip: request.ip,
          detail: { outboundAllow: request.body.outboundAllow },
        });
        const workspace = await workspaceOrThrow(principal.workspaceId);
        return {
          ...workspace,
          outboundAllow: [...workspace.outboundAllow],
          role: principal.role,
          createdAt: isoOf(workspace.createdAt),
        };
      },
    );
  };
}
