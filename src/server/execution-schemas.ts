/** @module The execution resource's shapes: an execution as the API shows it (no lease internals) and its node runs. */
import { z } from 'zod';
import type { StoredExecution, StoredNodeRun } from '../store/ports.ts';
import { errorDataSchema, isoOf, isoOrNull, isoTime, pageOf } from './common-schemas.ts';

export const executionStatus = z.enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled']);

export const executionSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    workflowVersion: z.int(),
    status: executionStatus,
    trigger: z.looseObject({ kind: z.string() }),
    entry: z.string().nullable(),
    input: z.unknown(),
    output: z.unknown(),
    error: errorDataSchema.nullable(),
    correlationId: z.string().nullable(),
    parentId: z.string().nullable().describe('The execution that started this one (replay, retry…).'),
    replay: z.object({ executionId: z.string(), fromNode: z.string() }).nullable(),
    cancelRequested: z.boolean(),
    createdAt: isoTime,
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
  })
  .meta({ id: 'Execution' });

export const nodeRunSchema = z
  .object({
    nodeId: z.string(),
    scope: z.string().describe("Loop iteration scope ('' at the top level)."),
    seq: z.int(),
    status: z.enum(['succeeded', 'failed']),
    attempts: z.int(),
    input: z.unknown(),
    outputs: z.record(z.string(), z.unknown()).nullable(),
    error: errorDataSchema.nullable(),
    startedAt: isoTime,
    finishedAt: isoTime,
    tokensIn: z.number().nullable(),
    tokensOut: z.number().nullable(),
    costUsd: z.number().nullable(),
  })
  .meta({ id: 'NodeRun' });

export const executionDetailSchema = z
  .object({ ...executionSchema.shape, nodeRuns: z.array(nodeRunSchema) })
  .meta({ id: 'ExecutionDetail' });

export const executionPageSchema = pageOf(executionSchema);

export function executionOf(execution: StoredExecution): z.output<typeof executionSchema> {
  return {
    id: execution.id,
    workflowId: execution.workflowId,
    workflowVersion: execution.workflowVersion,
    status: execution.status,
    trigger: execution.trigger,
    entry: execution.entry,
    input: execution.input,
    output: execution.output,
    error: execution.error,
    correlationId: execution.correlationId,
    parentId: execution.parentId,
    replay: execution.replay,
    cancelRequested: execution.cancelRequested,
    createdAt: isoOf(execution.createdAt),
    startedAt: isoOrNull(execution.startedAt),
    finishedAt: isoOrNull(execution.finishedAt),
  };
}

export function nodeRunOf(run: StoredNodeRun): z.output<typeof nodeRunSchema> {
  return {
    nodeId: run.nodeId,
    scope: run.scope,
    seq: run.seq,
    status: run.status,
    attempts: run.attempts,
    input: run.input,
    outputs: run.outputs,
    error: run.error,
    startedAt: isoOf(run.startedAt),
    finishedAt: isoOf(run.finishedAt),
    tokensIn: run.tokensIn,
    tokensOut: run.tokensOut,
    costUsd: run.costUsd,
  };
}
