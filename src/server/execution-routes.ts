/**
 * @module /api/v1/executions and starting one: start (async 202, or wait for the outcome), list with
 * filters, get with node runs, cancel, retry a dead letter, replay from a node.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { StoredExecution } from '../store/ports.ts';
import { awaitOutcome, isFinished } from './await-outcome.ts';
import { idParams, pageQuery, problemAnswers, queryFlag, resourceId } from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';
import { DEFAULT_LIMITS } from './deps.ts';
import {
  executionDetailSchema,
  executionOf,
  executionPageSchema,
  executionSchema,
  executionStatus,
  nodeRunOf,
} from './execution-schemas.ts';
import { idempotencyHeaders, idempotent } from './idempotency.ts';
import { executionLocation } from './locations.ts';
import { workspaceOf } from './workspace.ts';

const tags = ['executions'];

const startBody = z.strictObject({
  input: z.unknown().optional().describe('The execution input (null when absent).'),
  version: z.int().min(1).optional().describe('A published version; the latest when absent.'),
  entry: z.string().min(1).optional().describe('The entry node to start from; the first when absent.'),
});

const startQuery = z.strictObject({
  wait: queryFlag.describe(
    '`true`: answer when the execution finishes (200), or 202 when `timeoutMs` passes.',
  ),
  timeoutMs: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('How long `wait=true` waits; capped by the server.'),
});

const accepted = executionSchema.describe('Queued or still running: poll its Location.');

export function executionRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const maxWaitMs = deps.limits?.maxWaitMs ?? DEFAULT_LIMITS.maxWaitMs;
  const idempotency = idempotent(deps);

  function answerStarted(reply: FastifyReply, execution: StoredExecution) {
    return reply
      .status(isFinished(execution) ? 200 : 202)
      .header('location', executionLocation(execution.id))
      .send(executionOf(execution));
  }

  async function current(workspaceId: string, id: string): Promise<StoredExecution> {
    const execution = await deps.store.executions.get(workspaceId, id);
    if (!execution) throw new SwitchyardError('SY_EXECUTION_NOT_FOUND', `no execution "${id}"`);
    return execution;
  }

  return async (app) => {
    app.post(
      '/workflows/:id/executions',
      {
        ...idempotency,
        schema: {
          operationId: 'startExecution',
          headers: idempotencyHeaders,
          summary: 'Start an execution of a published version: 202 at once, or with wait=true the outcome.',
          tags,
          params: idParams,
          querystring: startQuery,
          // Fastify validates an absent body as null.
          body: startBody.nullish(),
          response: { 200: executionSchema, 202: accepted, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const workspaceId = workspaceOf(request);
        const body = request.body ?? {};
        const started = await deps.executions.start({
          workspaceId,
          workflowId: request.params.id,
          input: body.input ?? null,
          trigger: { kind: 'api' },
          correlationId: request.id,
          ...(body.version === undefined ? {} : { version: body.version }),
          ...(body.entry === undefined ? {} : { entry: body.entry }),
        });
        if (request.query.wait !== 'true') return answerStarted(reply.status(202), started);
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        const timeoutMs = Math.min(request.query.timeoutMs ?? maxWaitMs, maxWaitMs);
        const outcome = await awaitOutcome(deps, workspaceId, started.id, timeoutMs, gone.signal);
        return answerStarted(reply, outcome ?? started);
      },
    );

    app.get(
      '/executions',
      {
        schema: {
          operationId: 'listExecutions',
          summary: 'List executions, newest first, filtered by status and workflow.',
          tags,
          querystring: z.strictObject({
            ...pageQuery,
            status: executionStatus.optional(),
            workflowId: resourceId.optional(),
          }),
          response: { 200: executionPageSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const { after, limit, status, workflowId } = request.query;
        const page = await deps.store.executions.list(workspaceOf(request), {
          limit,
          ...(after ? { after } : {}),
          ...(status ? { status } : {}),
          ...(workflowId ? { workflowId } : {}),
        });
        return { items: page.items.map(executionOf), ...(page.next ? { next: page.next } : {}) };
      },
    );

    app.get(
      '/executions/:id',
      {
        schema: {
          operationId: 'getExecution',
          summary: 'An execution with its node runs, in completion order.',
          tags,
          params: idParams,
          response: { 200: executionDetailSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const execution = await current(workspaceOf(request), request.params.id);
        const runs = await deps.store.nodeRuns.list(execution.id);
        return { ...executionOf(execution), nodeRuns: runs.map(nodeRunOf) };
      },
    );

    app.post(
      '/executions/:id/cancel',
      {
        ...idempotency,
        schema: {
          operationId: 'cancelExecution',
          headers: idempotencyHeaders,
          summary: 'Cancel an execution; one that has finished is left as it is (200).',
          tags,
          params: idParams,
          response: { 200: executionSchema, 202: accepted, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const workspaceId = workspaceOf(request);
        const execution = await current(workspaceId, request.params.id);
        if (isFinished(execution)) return reply.status(200).send(executionOf(execution));
        // Running here: abort it now. Elsewhere or queued: its runner sees the flag in the store.
        if (!deps.worker.cancel(execution.id, 'cancelled through the API')) {
          await deps.store.executions.requestCancel(workspaceId, execution.id);
        }
        return reply.status(202).send(executionOf(await current(workspaceId, execution.id)));
      },
    );

    app.post(
      '/executions/:id/retry',
      {
        ...idempotency,
        schema: {
          operationId: 'retryExecution',
          headers: idempotencyHeaders,
          summary: 'Run a dead-lettered execution again from the start, as a new execution.',
          tags,
          params: idParams,
          response: { 202: accepted, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const workspaceId = workspaceOf(request);
        const { id } = request.params;
        await current(workspaceId, id);
        return answerStarted(reply, await deps.executions.retryDeadLetter(workspaceId, id));
      },
    );

    app.post(
      '/executions/:id/replay',
      {
        ...idempotency,
        schema: {
          operationId: 'replayExecution',
          headers: idempotencyHeaders,
          summary:
            'A new execution that reuses the recorded outputs upstream of `fromNode` and runs the rest.',
          tags,
          params: idParams,
          body: z.strictObject({ fromNode: z.string().min(1) }),
          response: { 202: accepted, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const replay = await deps.executions.replay(
          workspaceOf(request),
          request.params.id,
          request.body.fromNode,
        );
        return answerStarted(reply, replay);
      },
    );
  };
}
