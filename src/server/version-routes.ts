/** @module /api/v1/workflows/{id}/versions: publish the draft, list and read versions, diff, restore. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { StoredVersion } from '../store/ports.ts';
import { idParams, isoOf, isoTime, problemAnswers, resourceId } from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';
import { idempotencyHeaders, idempotent } from './idempotency.ts';
import { versionLocation } from './locations.ts';
import { existing } from './workflow-routes.ts';
import { workflowOf, workflowSchema } from './workflow-schemas.ts';
import { workspaceOf } from './workspace.ts';

const tags = ['versions'];

const versionFields = {
  workflowId: z.string(),
  version: z.int().min(1),
  note: z.string().nullable(),
  createdAt: isoTime,
};
const versionSummarySchema = z.object(versionFields).meta({ id: 'VersionSummary' });
const versionSchema = z
  .object({ ...versionFields, definition: z.unknown().describe('The immutable definition.') })
  .meta({ id: 'Version' });

const versionParams = z.strictObject({ id: resourceId, version: z.coerce.number().int().min(1) });

const revision = z
  .union([z.literal('draft'), z.string().regex(/^[1-9]\d*$/, 'a version number or `draft`')])
  .describe('A version number, or `draft`.');

const diffSchema = z.object({
  nodes: z.object({
    added: z.array(z.string()),
    removed: z.array(z.string()),
    changed: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })),
  }),
  edges: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }),
  fields: z.array(z.string()).describe('Other top-level fields that differ.'),
  identical: z.boolean(),
});

function summaryOf(version: StoredVersion) {
  return {
    workflowId: version.workflowId,
    version: version.version,
    note: version.note,
    createdAt: isoOf(version.createdAt),
  };
}

export function versionRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const idempotency = idempotent(deps);
  return async (app) => {
    app.post(
      '/workflows/:id/versions',
      {
        ...idempotency,
        schema: {
          operationId: 'publishVersion',
          headers: idempotencyHeaders,
          summary:
            'Publish the draft as the next immutable version (422 with every problem if it is invalid).',
          tags,
          params: idParams,
          // Fastify validates an absent body as null.
          body: z.strictObject({ note: z.string().max(2000).optional() }).nullish(),
          response: { 201: versionSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const published = await deps.versions.publish(
          workspaceOf(request),
          request.params.id,
          request.body?.note,
        );
        return reply
          .status(201)
          .header('location', versionLocation(published.workflowId, published.version))
          .send({ ...summaryOf(published), definition: published.definition });
      },
    );

    app.get(
      '/workflows/:id/versions',
      {
        schema: {
          operationId: 'listVersions',
          summary: 'Every published version, oldest first.',
          tags,
          params: idParams,
          response: { 200: z.object({ items: z.array(versionSummarySchema) }), ...problemAnswers },
        },
      },
      async (request) => {
        const workspaceId = workspaceOf(request);
        await existing(deps, workspaceId, request.params.id);
        const versions = await deps.store.workflows.listVersions(workspaceId, request.params.id);
        return { items: versions.map(summaryOf) };
      },
    );

    app.get(
      '/workflows/:id/versions/:version',
      {
        schema: {
          operationId: 'getVersion',
          summary: 'One published version with its definition.',
          tags,
          params: versionParams,
          response: { 200: versionSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const { id, version } = request.params;
        const workspaceId = workspaceOf(request);
        await existing(deps, workspaceId, id);
        const stored = await deps.store.workflows.getVersion(workspaceId, id, version);
        if (!stored)
          throw new SwitchyardError(
            'SY_WORKFLOW_NOT_PUBLISHED',
            `workflow "${id}" has no version ${version}`,
          );
        return { ...summaryOf(stored), definition: stored.definition };
      },
    );

    app.get(
      '/workflows/:id/diff',
      {
        schema: {
          operationId: 'diffVersions',
          summary: 'What changed between two versions, or a version and the draft.',
          tags,
          params: idParams,
          querystring: z.strictObject({ from: revision, to: revision.default('draft') }),
          response: { 200: diffSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const { from, to } = request.query;
        const diff = await deps.versions.diff(
          workspaceOf(request),
          request.params.id,
          revisionOf(from),
          revisionOf(to),
        );
        return {
          nodes: {
            added: [...diff.nodes.added],
            removed: [...diff.nodes.removed],
            changed: diff.nodes.changed.map((change) => ({ id: change.id, fields: [...change.fields] })),
          },
          edges: { added: [...diff.edges.added], removed: [...diff.edges.removed] },
          fields: [...diff.fields],
          identical: diff.identical,
        };
      },
    );

    app.post(
      '/workflows/:id/versions/:version/restore',
      {
        schema: {
          operationId: 'restoreVersion',
          summary: 'Copy a version into the draft; publish it to make it the newest version again.',
          tags,
          params: versionParams,
          response: { 200: workflowSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const { id, version } = request.params;
        return workflowOf(await deps.versions.restore(workspaceOf(request), id, version));
      },
    );
  };
}

function revisionOf(value: string): number | 'draft' {
  return value === 'draft' ? 'draft' : Number(value);
}
