/**
 * @module The workflow file format, version 1, as Zod schemas. The published JSON Schema
 * (schema/workflow-v1.json), the TypeScript types and file validation all come from here.
 */
import { z } from 'zod';

export const WORKFLOW_FORMAT = 'switchyard/v1';

export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const PORT_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
/** `node` or `node.port` — the short form of an edge end. */
export const ENDPOINT_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}(\.[A-Za-z_][A-Za-z0-9_-]{0,63})?$/;

export const nodeIdSchema = z
  .string()
  .regex(
    NODE_ID_PATTERN,
    'a node id starts with a letter or _, then letters, digits, _ or -, at most 64 characters',
  )
  .describe(
    'Unique id of the node within the workflow; edges and expressions ({{ $nodes.ID }}) refer to it.',
  );

export const retryPolicySchema = z
  .strictObject({
    attempts: z.int().min(1).max(100).default(3).describe('Total attempts, the first one included.'),
    backoffMs: z.int().min(0).max(86_400_000).default(1000).describe('Base delay before the second attempt.'),
    factor: z.number().min(1).max(10).default(2).describe('Growth of the delay per attempt.'),
    maxBackoffMs: z.int().min(0).max(86_400_000).default(60_000).describe('Cap on any one delay.'),
  })
  .describe(
    'Exponential backoff with full jitter: each delay is random in [0, min(cap, base × factor^(n-1))].',
  );

export const onErrorSchema = z
  .enum(['fail', 'continue', 'branch'])
  .describe(
    'fail: the execution fails. continue: the error object becomes the node output. branch: the error object leaves on the `error` port.',
  );

export const nodeSchema = z.strictObject({
  id: nodeIdSchema,
  type: z.string().min(1).describe('Node type, e.g. `condition`; `switchyard nodes` lists them.'),
  name: z.string().max(200).optional().describe('Human-readable label.'),
  description: z.string().max(2000).optional(),
  params: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("Parameters, checked against the type's schema."),
  retry: retryPolicySchema.optional(),
  timeoutMs: z.int().min(1).max(86_400_000).optional().describe('Time limit for one attempt.'),
  onError: onErrorSchema.default('fail'),
  position: z
    .strictObject({ x: z.number(), y: z.number() })
    .optional()
    .describe('Where the builder draws the node.'),
});

export const endpointSchema = z.union([
  z.string().regex(ENDPOINT_PATTERN, 'an edge end is `node` or `node.port`'),
  z.strictObject({ node: nodeIdSchema, port: z.string().regex(PORT_PATTERN).optional() }),
]);

export const edgeSchema = z.strictObject({
  from: endpointSchema.describe('Source node and output port (default `out`).'),
  to: endpointSchema.describe('Target node and input port (default `in`).'),
});

export const settingsSchema = z.strictObject({
  timeoutMs: z
    .int()
    .min(1)
    .max(31 * 86_400_000)
    .optional()
    .describe('Time limit for a whole execution.'),
  concurrency: z
    .int()
    .min(1)
    .max(1000)
    .default(16)
    .describe('Most node runs in flight at once in one execution.'),
});

export const workflowSchema = z.strictObject({
  $schema: z.string().optional(),
  format: z.literal(WORKFLOW_FORMAT).describe('Version of this file format.'),
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).optional(),
  settings: settingsSchema.default({ concurrency: 16 }),
  nodes: z.array(nodeSchema).min(1).max(100_000),
  edges: z.array(edgeSchema).max(200_000).default([]),
});

export type WorkflowDefinition = z.output<typeof workflowSchema>;
export type WorkflowInput = z.input<typeof workflowSchema>;
export type NodeDefinition = z.output<typeof nodeSchema>;
export type EdgeDefinition = z.output<typeof edgeSchema>;
export type Endpoint = z.output<typeof endpointSchema>;
export type RetryPolicy = z.output<typeof retryPolicySchema>;
export type OnError = z.output<typeof onErrorSchema>;
