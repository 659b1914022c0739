/**
 * @module Answering a webhook from its workflow (`respond: node`): the respond node's status, headers
 * and body; or, when the execution finished without one, its output (200) or its failure (problem);
 * or 504 when neither came in time, 503 when the server stops first — the execution goes on.
 */
import type { FastifyReply } from 'fastify';
import type { WorkflowResponse } from '../nodes/context.ts';
import type { StoredExecution } from '../store/ports.ts';
import type { ServerDeps } from './deps.ts';
import { executionLocation } from './locations.ts';
import { problemOf, sendProblem } from './problem.ts';

/** Framing belongs to this server, not to the workflow. */
const FRAMING_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
]);

/** `execution` must have been `expect`ed by the response hub before it could run (`onCreated`). */
export async function answerFromWorkflow(
  deps: ServerDeps,
  reply: FastifyReply,
  execution: StoredExecution,
  timeoutMs: number,
): Promise<FastifyReply> {
  const { responses } = deps;
  const response = await responses.wait(execution.id, timeoutMs);
  if (response === 'timeout') {
    responses.forget(execution.id);
    return sendExecutionProblem(
      reply,
      'SY_WEBHOOK_TIMEOUT',
      `no respond node answered within ${timeoutMs} ms; execution ${execution.id} goes on`,
      execution.id,
    );
  }
  if (response === 'stopping') {
    return sendExecutionProblem(
      reply,
      'SY_SERVER_STOPPING',
      `the server is stopping before execution ${execution.id} answered; it goes on when the server starts again`,
      execution.id,
    );
  }
  if (response) return sendWorkflowResponse(reply, response, execution.id);
  const finished = await deps.store.executions.get(execution.workspaceId, execution.id);
  if (finished?.status === 'succeeded') {
    return sendJson(reply.status(200).header('location', executionLocation(execution.id)), finished.output);
  }
  return sendExecutionProblem(
    reply,
    'SY_WEBHOOK_EXECUTION_FAILED',
    `execution ${execution.id} ended ${finished?.status ?? 'unknown'}: ${finished?.error?.message ?? 'no error recorded'}`,
    execution.id,
  );
}

function sendWorkflowResponse(
  reply: FastifyReply,
  response: WorkflowResponse,
  executionId: string,
): FastifyReply {
  reply.status(response.status).header('x-switchyard-execution', executionId);
  for (const [name, value] of Object.entries(response.headers)) {
    if (!FRAMING_HEADERS.has(name.toLowerCase())) reply.header(name, value);
  }
  if (typeof response.body === 'string') {
    if (!reply.hasHeader('content-type')) reply.type('text/plain; charset=utf-8');
    return reply.serializer((payload) => payload as string).send(response.body);
  }
  return sendJson(reply, response.body);
}

function sendJson(reply: FastifyReply, value: unknown): FastifyReply {
  if (!reply.hasHeader('content-type')) reply.type('application/json; charset=utf-8');
  return reply.serializer((payload) => payload as string).send(JSON.stringify(value ?? null));
}

function sendExecutionProblem(
  reply: FastifyReply,
  code: 'SY_WEBHOOK_TIMEOUT' | 'SY_WEBHOOK_EXECUTION_FAILED' | 'SY_SERVER_STOPPING',
  detail: string,
  executionId: string,
): FastifyReply {
  // An extension member (RFC 9457 §3.2): the caller can follow the execution.
  const problem = Object.assign(problemOf(code, detail), { executionId });
  return sendProblem(reply.header('location', executionLocation(executionId)), problem);
}
