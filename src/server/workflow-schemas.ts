/** @module The workflow resource's shapes: what a client sends to create, import and edit, and what it gets back. */
import { z } from 'zod';
import type { StoredWorkflow } from '../store/ports.ts';
import { isoOf, isoTime, pageOf, resourceId } from './common-schemas.ts';

export const definitionSchema = z
  .record(z.string(), z.unknown())
  .describe('A workflow definition document (the workflow file as JSON; see schema/workflow-v1.json).');

const name = z.string().min(1).max(200);
const description = z.string().max(5000).nullable();

export const createWorkflowBody = z.strictObject({
  id: resourceId.optional().describe('Chosen by the server when absent.'),
  name: name.optional().describe("Defaults to the definition's `name`."),
  description: description.optional(),
  definition: definitionSchema,
});

export const importWorkflowBody = z.strictObject({
  id: resourceId.optional(),
  name: name.optional(),
  description: description.optional(),
  format: z.enum(['json', 'yaml']).default('yaml'),
  text: z.string().min(1).describe('The workflow file, as JSON or YAML text.'),
});

export const updateWorkflowBody = z.strictObject({
  name: name.optional(),
  description: description.optional(),
  definition: definitionSchema.optional(),
});

const workflowFields = {
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  latestVersion: z.int().nullable().describe('The newest published version; null before the first.'),
  createdAt: isoTime,
  updatedAt: isoTime,
};

export const workflowSummarySchema = z.object(workflowFields).meta({ id: 'WorkflowSummary' });

export const workflowSchema = z
  .object({ ...workflowFields, definition: z.unknown().describe('The draft definition.') })
  .meta({ id: 'Workflow' });

export const workflowPageSchema = pageOf(workflowSummarySchema);

export const problemItemSchema = z.object({
  severity: z.enum(['error', 'warning']),
  path: z.string(),
  code: z.string(),
  message: z.string(),
  hint: z.string(),
});

export const validationSchema = z.object({
  valid: z.boolean().describe('True when no problem is an error (warnings allowed).'),
  problems: z.array(problemItemSchema),
});

export function workflowSummaryOf(workflow: StoredWorkflow): z.output<typeof workflowSummarySchema> {
  return {
    id: workflow.id,
    name: workflow.name,
    description: workflow.description,
    latestVersion: workflow.latestVersion,
    createdAt: isoOf(workflow.createdAt),
    updatedAt: isoOf(workflow.updatedAt),
  };
}

export function workflowOf(workflow: StoredWorkflow): z.output<typeof workflowSchema> {
  return { ...workflowSummaryOf(workflow), definition: workflow.draft };
}
