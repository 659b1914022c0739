/** @module /api/v1/workflows: create (from a definition or from JSON/YAML text), list, get, edit, delete, validate, export. */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { validateWorkflow } from '../core/validate.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { yaml } from '../json/yaml.ts';
import { actorOf } from '../security/identity/principal.ts';
import type { StoredWorkflow } from '../store/ports.ts';
import { parseWorkflowText } from '../workflow-file/parse-text.ts';
import { principalOf } from './auth/request-principal.ts';
import { idParams, pageQuery, problemAnswers } from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';
import { idempotencyHeaders, idempotent } from './idempotency.ts';
import { workflowLocation } from './locations.ts';
import {
  createWorkflowBody,
  importWorkflowBody,
  updateWorkflowBody,
  validationSchema,
  workflowOf,
  workflowPageSchema,
  workflowSchema,
  workflowSummaryOf,
} from './workflow-schemas.ts';
import { workspaceOf } from './workspace.ts';

const tags = ['workflows'];

export function workflowRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const { store } = deps;
  const idempotency = idempotent(deps);

  async function create(
    workspaceId: string,
    fields: { id?: string | undefined; name?: string | undefined; description?: string | null | undefined },
    definition: Record<string, unknown>,
  ): Promise<StoredWorkflow> {
    const fallbackName = typeof definition.name === 'string' ? definition.name : 'untitled';
    return store.workflows.create({
      id: fields.id ?? randomUUID(),
      workspaceId,
      name: fields.name ?? fallbackName,
      description: fields.description ?? null,
      draft: definition,
      now: deps.clock.now(),
    });
  }

  return async (app) => {
    app.post(
      '/workflows',
      {
        ...idempotency,
        schema: {
          operationId: 'createWorkflow',
          headers: idempotencyHeaders,
          summary: 'Create a workflow from a definition document (stored as its draft).',
          tags,
          body: createWorkflowBody,
          response: { 201: workflowSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const { definition, ...fields } = request.body;
        const workflow = await create(workspaceOf(request), fields, definition);
        return reply.status(201).header('location', workflowLocation(workflow.id)).send(workflowOf(workflow));
      },
    );

    app.post(
      '/workflows/import',
      {
        ...idempotency,
        schema: {
          operationId: 'importWorkflow',
          headers: idempotencyHeaders,
          summary: 'Create a workflow from the text of a workflow file (JSON or YAML).',
          tags,
          body: importWorkflowBody,
          response: { 201: workflowSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const { text, format, ...fields } = request.body;
        const workflow = await create(workspaceOf(request), fields, documentOf(text, format));
        return reply.status(201).header('location', workflowLocation(workflow.id)).send(workflowOf(workflow));
      },
    );

    app.get(
      '/workflows',
      {
        schema: {
          operationId: 'listWorkflows',
          summary: 'List workflows, newest first.',
          tags,
          querystring: z.strictObject(pageQuery),
          response: { 200: workflowPageSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const { after, limit } = request.query;
        const page = await store.workflows.list(workspaceOf(request), { limit, ...(after ? { after } : {}) });
        return { items: page.items.map(workflowSummaryOf), ...(page.next ? { next: page.next } : {}) };
      },
    );

    app.get(
      '/workflows/:id',
      {
        schema: {
          operationId: 'getWorkflow',
          summary: 'Get a workflow with its draft definition.',
          tags,
          params: idParams,
          response: { 200: workflowSchema, ...problemAnswers },
        },
      },
      async (request) => workflowOf(await existing(deps, workspaceOf(request), request.params.id)),
    );

    app.patch(
      '/workflows/:id',
      {
        schema: {
          operationId: 'updateWorkflow',
          summary: 'Edit the draft: name, description, definition. Published versions never change.',
          tags,
          params: idParams,
          body: updateWorkflowBody,
          response: { 200: workflowSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const { name, description, definition } = request.body;
        const updated = await store.workflows.updateDraft(workspaceOf(request), request.params.id, {
          ...(name === undefined ? {} : { name }),
          ...(description === undefined ? {} : { description }),
          ...(definition === undefined ? {} : { draft: definition }),
          now: deps.clock.now(),
        });
        return workflowOf(found(updated, request.params.id));
      },
    );

    app.delete(
      '/workflows/:id',
      {
        schema: {
          operationId: 'deleteWorkflow',
          summary: 'Delete a workflow and its versions; its executions keep their data.',
          tags,
          params: idParams,
          response: { 204: z.null().describe('Deleted.'), ...problemAnswers },
        },
      },
      async (request, reply) => {
        const deleted = await store.workflows.delete(workspaceOf(request), request.params.id);
        if (!deleted) found(undefined, request.params.id);
        deps.executions.workflowDeleted();
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/workflows/:id/validate',
      {
        schema: {
          operationId: 'validateWorkflow',
          summary: 'Validate the draft: every problem with its path, code, message and hint.',
          tags,
          params: idParams,
          response: { 200: validationSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const workflow = await existing(deps, workspaceOf(request), request.params.id);
        const { problems } = validateWorkflow(workflow.draft, deps.catalog);
        return {
          valid: !problems.some((p) => p.severity === 'error'),
          problems: problems.map(({ severity, path, code, message, hint }) => ({
            severity,
            path,
            code,
            message,
            hint,
          })),
        };
      },
    );

    app.get(
      '/workflows/:id/export',
      {
        schema: {
          operationId: 'exportWorkflow',
          summary: 'The draft, or a version, as a workflow file (JSON or YAML).',
          tags,
          params: idParams,
          querystring: z.strictObject({
            format: z.enum(['json', 'yaml']).default('json'),
            version: z.coerce
              .number()
              .int()
              .min(1)
              .optional()
              .describe('A published version; the draft when absent.'),
          }),
          response: {
            200: {
              description: 'The workflow file.',
              content: {
                'application/json': { schema: z.record(z.string(), z.unknown()) },
                'application/yaml': { schema: z.string() },
              },
            },
            ...problemAnswers,
          },
        },
      },
      async (request, reply) => {
        const workflow = await existing(deps, workspaceOf(request), request.params.id);
        const { format, version } = request.query;
        const definition =
          version === undefined ? workflow.draft : (await versionOf(deps, workflow, version)).definition;
        const text =
          format === 'yaml' ? yaml().stringify(definition) : `${JSON.stringify(definition, null, 2)}\n`;
        const extension = format === 'yaml' ? 'yaml' : 'json';
        const principal = principalOf(request);
        await deps.security.audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'workflow.export',
          target: `workflow:${workflow.id}`,
          outcome: 'success',
          ip: request.ip,
          detail: { format, version: version ?? 'draft' },
        });
        return reply
          .type(format === 'yaml' ? 'application/yaml' : 'application/json')
          .header('content-disposition', `attachment; filename="${workflow.id}.${extension}"`)
          .serializer((payload) => payload as string)
          .send(text);
      },
    );
  };
}

export async function existing(deps: ServerDeps, workspaceId: string, id: string): Promise<StoredWorkflow> {
  return found(await deps.store.workflows.get(workspaceId, id), id);
}

function found(workflow: StoredWorkflow | undefined, id: string): StoredWorkflow {
  if (!workflow) throw new SwitchyardError('SY_WORKFLOW_NOT_FOUND', `no workflow "${id}"`);
  return workflow;
}

async function versionOf(deps: ServerDeps, workflow: StoredWorkflow, version: number) {
  const stored = await deps.store.workflows.getVersion(workflow.workspaceId, workflow.id, version);
  if (!stored) {
    throw new SwitchyardError(
      'SY_WORKFLOW_NOT_PUBLISHED',
      `workflow "${workflow.id}" has no version ${version}`,
    );
  }
  return stored;
}

function documentOf(text: string, format: 'json' | 'yaml'): Record<string, unknown> {
  const parsed = parseWorkflowText(text, format);
  if (!parsed.ok) {
    const at = parsed.position ? ` (line ${parsed.position.line}, column ${parsed.position.column})` : '';
    throw new SwitchyardError('SY_WF_PARSE', `${parsed.message}${at}`, {
      ...(parsed.position ? { details: { ...parsed.position } } : {}),
    });
  }
  if (parsed.document === null || typeof parsed.document !== 'object' || Array.isArray(parsed.document)) {
    throw new SwitchyardError(
      'SY_WF_SCHEMA',
      'a workflow file holds one object (format, name, nodes, edges)',
    );
  }
  return parsed.document as Record<string, unknown>;
}
