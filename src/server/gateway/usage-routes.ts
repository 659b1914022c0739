/**
 * @module /api/v1/usage (model calls totalled by day, model or workflow, from the ledger) and
 * /api/v1/budgets (per workspace or workflow, per day or month; admins set them, changes audited).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { actorOf } from '../../security/identity/principal.ts';
import type { Budget } from '../../store/llm-ports.ts';
import { principalOf } from '../auth/request-principal.ts';
import { idParams, isoOf, problemAnswers, resourceId } from '../common-schemas.ts';
import type { ServerDeps } from '../deps.ts';

const DAY_MS = 86_400_000;
const usd = (micros: number) => micros / 1e6;

const totalSchema = z.object({
  key: z.string(),
  calls: z.int(),
  inputTokens: z.int(),
  outputTokens: z.int(),
  costUsd: z.number(),
  cacheHits: z.int(),
});

const budgetSchema = z
  .object({
    id: z.string(),
    workflowId: z.string().nullable().describe('Null: the whole workspace.'),
    period: z.enum(['day', 'month']),
    limitUsd: z.number(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Budget' });

const budgetOf = (budget: Budget) => ({
  id: budget.id,
  workflowId: budget.workflowId,
  period: budget.period,
  limitUsd: usd(budget.limitMicros),
  createdAt: isoOf(budget.createdAt),
  updatedAt: isoOf(budget.updatedAt),
});

export function usageRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const { store, clock } = deps;
  return async (app) => {
    app.get(
      '/usage',
      {
        schema: {
          operationId: 'getUsage',
          summary: 'Model calls totalled by day, model or workflow: calls, tokens, cost, cache hits.',
          tags: ['usage'],
          querystring: z.strictObject({
            from: z.iso.datetime().optional().describe('Default: 30 days ago.'),
            to: z.iso.datetime().optional().describe('Default: now.'),
            by: z.enum(['day', 'model', 'workflow']).default('day'),
            workflowId: resourceId.optional(),
          }),
          response: {
            200: z.object({
              from: z.iso.datetime(),
              to: z.iso.datetime(),
              by: z.enum(['day', 'model', 'workflow']),
              items: z.array(totalSchema),
              total: totalSchema.omit({ key: true }),
            }),
            ...problemAnswers,
          },
        },
      },
      async (request) => {
        const to = request.query.to ? Date.parse(request.query.to) : clock.now();
        const from = request.query.from ? Date.parse(request.query.from) : to - 30 * DAY_MS;
        if (from >= to)
          throw new SwitchyardError('SY_HTTP_VALIDATION', '`from` must be before `to`', {
            path: 'querystring.from',
          });
        // Calls of this process that have answered are counted, though their rows are written behind.
        await deps.llm?.ledgerWritten();
        const totals = await store.ledger.totals(principalOf(request).workspaceId, {
          from,
          to,
          by: request.query.by,
          ...(request.query.workflowId ? { workflowId: request.query.workflowId } : {}),
        });
        const items = totals.map(({ costMicros, ...rest }) => ({ ...rest, costUsd: usd(costMicros) }));
        const sum = (field: 'calls' | 'inputTokens' | 'outputTokens' | 'cacheHits') =>
          totals.reduce((total, item) => total + item[field], 0);
        return {
          from: isoOf(from),
          to: isoOf(to),
          by: request.query.by,
          items,
          total: {
            calls: sum('calls'),
            inputTokens: sum('inputTokens'),
            outputTokens: sum('outputTokens'),
            cacheHits: sum('cacheHits'),
            costUsd: usd(totals.reduce((total, item) => total + item.costMicros, 0)),
          },
        };
      },
    );

    app.get(
      '/budgets',
      {
        schema: {
          operationId: 'listBudgets',
          summary: "The workspace's model-spend budgets.",
          tags: ['usage'],
          response: { 200: z.object({ items: z.array(budgetSchema) }), ...problemAnswers },
        },
      },
      async (request) => ({
        items: (await store.budgets.list(principalOf(request).workspaceId)).map(budgetOf),
      }),
    );

    app.put(
      '/budgets',
      {
        schema: {
          operationId: 'setBudget',
          summary:
            'Set (create or replace) the budget of the workspace or of a workflow for a day or a month.',
          tags: ['usage'],
          body: z.strictObject({
            workflowId: resourceId.nullable().default(null),
            period: z.enum(['day', 'month']),
            limitUsd: z.number().min(0).max(1_000_000),
          }),
          response: { 200: budgetSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const budget = await store.budgets.set({
          id: randomUUID(),
          workspaceId: principal.workspaceId,
          workflowId: request.body.workflowId,
          period: request.body.period,
          limitMicros: Math.round(request.body.limitUsd * 1e6),
          now: clock.now(),
        });
        deps.llm?.budgetsChanged(principal.workspaceId);
        await deps.security.audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'budget.set',
          target: `budget:${budget.id}`,
          outcome: 'success',
          ip: request.ip,
          detail: { workflowId: budget.workflowId, period: budget.period, limitUsd: usd(budget.limitMicros) },
        });
        return budgetOf(budget);
      },
    );

    app.delete(
      '/budgets/:id',
      {
        schema: {
          operationId: 'deleteBudget',
          summary: 'Remove a budget.',
          tags: ['usage'],
          params: idParams,
          response: { 204: z.null(), ...problemAnswers },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        if (!(await store.budgets.delete(principal.workspaceId, request.params.id))) {
          throw new SwitchyardError(
            'SY_HTTP_NOT_FOUND',
            `no budget "${request.params.id}" in this workspace`,
          );
        }
        deps.llm?.budgetsChanged(principal.workspaceId);
        await deps.security.audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'budget.delete',
          target: `budget:${request.params.id}`,
          outcome: 'success',
          ip: request.ip,
        });
        return reply.code(204).send(null);
      },
    );
  };
}
