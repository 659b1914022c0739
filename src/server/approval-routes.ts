/**
 * @module /api/v1/approvals: what executions wait for, and the decisions people make. Deciding
 * wakes the execution at once; who decided, when and how is recorded on the approval and audited.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { actorOf } from '../security/identity/principal.ts';
import type { StoredApproval } from '../store/approval-ports.ts';
import { principalOf } from './auth/request-principal.ts';
import {
  idParams,
  isoOf,
  isoOrNull,
  pageOf,
  pageQuery,
  problemAnswers,
  resourceId,
} from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';

const tags = ['approvals'];
const status = z.enum(['pending', 'approved', 'rejected', 'timed-out']);

const approvalSchema = z
  .object({
    id: z.string(),
    executionId: z.string(),
    workflowId: z.string(),
    nodeId: z.string(),
    status,
    title: z.string(),
    message: z.string().nullable(),
    data: z.unknown().describe('What to review (as asked).'),
    decision: z.object({ data: z.unknown(), comment: z.string().nullable() }).nullable(),
    decidedBy: z.string().nullable().describe('`user:<id>`, `key:<id>`, or `timeout`.'),
    decidedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Approval' });

const approvalOf = (approval: StoredApproval) => ({
  id: approval.id,
  executionId: approval.executionId,
  workflowId: approval.workflowId,
  nodeId: approval.nodeId,
  status: approval.status,
  title: approval.request.title,
  message: approval.request.message,
  data: approval.request.data,
  decision: approval.decision,
  decidedBy: approval.decidedBy,
  decidedAt: isoOrNull(approval.decidedAt),
  expiresAt: isoOrNull(approval.expiresAt),
  createdAt: isoOf(approval.createdAt),
});

export function approvalRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const { store, clock } = deps;
  const notFound = (id: string) =>
    new SwitchyardError('SY_APPROVAL_NOT_FOUND', `no approval "${id}" in this workspace`);

  return async (app) => {
    app.get(
      '/approvals',
      {
        schema: {
          operationId: 'listApprovals',
          summary: 'Approvals, newest first: pending ones are what executions wait for.',
          tags,
          querystring: z.strictObject({
            ...pageQuery,
            status: status.optional(),
            executionId: resourceId.optional(),
          }),
          response: { 200: pageOf(approvalSchema), ...problemAnswers },
        },
      },
      async (request) => {
        const { limit, after, status: wanted, executionId } = request.query;
        const page = await store.approvals.list(principalOf(request).workspaceId, {
          limit,
          ...(after ? { after } : {}),
          ...(wanted ? { status: wanted } : {}),
          ...(executionId ? { executionId } : {}),
        });
        return { items: page.items.map(approvalOf), ...(page.next ? { next: page.next } : {}) };
      },
    );

    app.get(
      '/approvals/:id',
      {
        schema: {
          operationId: 'getApproval',
          summary: 'One approval: what is asked, and who decided what.',
          tags,
          params: idParams,
          response: { 200: approvalSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const approval = await store.approvals.get(principalOf(request).workspaceId, request.params.id);
        if (!approval) throw notFound(request.params.id);
        return approvalOf(approval);
      },
    );

    app.post(
      '/approvals/:id/decision',
      {
        schema: {
          operationId: 'decideApproval',
          summary: 'Approve (optionally with edited data) or reject; the waiting execution goes on at once.',
          tags,
          params: idParams,
          body: z.strictObject({
            decision: z.enum(['approve', 'reject']),
            data: z.unknown().optional().describe('The edited data; the data as asked when absent.'),
            comment: z.string().max(10_000).optional(),
          }),
          response: { 200: approvalSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const current = await store.approvals.get(principal.workspaceId, request.params.id);
        if (!current) throw notFound(request.params.id);
        const outcome = await store.approvals.decide(principal.workspaceId, current.id, {
          status: request.body.decision === 'approve' ? 'approved' : 'rejected',
          decision: {
            data: request.body.data === undefined ? current.request.data : request.body.data,
            comment: request.body.comment ?? null,
          },
          by: actorOf(principal),
          now: clock.now(),
        });
        if (outcome === 'absent') throw notFound(request.params.id);
        if (outcome === 'decided') {
          throw new SwitchyardError('SY_APPROVAL_DECIDED', `approval "${current.id}" was decided already`);
        }
        deps.worker.notify();
        await deps.security.audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'approval.decide',
          target: `approval:${current.id}`,
          outcome: 'success',
          ip: request.ip,
          detail: {
            decision: outcome.status,
            executionId: outcome.executionId,
            edited: request.body.data !== undefined,
          },
        });
        return approvalOf(outcome);
      },
    );
  };
}
