/**
 * @module /api/v1/credentials: secrets that nodes use by name. Values go in and never come out:
 * answers carry only the name, type and field names. Every change is audited.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { actorOf } from '../../security/identity/principal.ts';
import type { CredentialMeta } from '../../store/security-ports.ts';
import { isoOf, pageOf, pageQuery, problemAnswers } from '../common-schemas.ts';
import type { ServerDeps } from '../deps.ts';
import { principalOf } from './request-principal.ts';

const tags = ['credentials'];
const credentialName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, `_`, `.` and `-`, at most 100')
  .describe('What nodes call it by, e.g. `github` in the http node’s `credential` parameter.');
const credentialType = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/)
  .describe(
    'bearer (`token`), basic (`username`, `password`), header or query (`name`, `value`), or your own.',
  );
const credentialData = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(16_384))
  .refine((data) => Object.keys(data).length >= 1 && Object.keys(data).length <= 20, {
    message: 'between 1 and 20 fields',
  })
  .describe('The secret fields. Write-only: never returned.');
const idParam = z.strictObject({ id: z.string().min(1).max(100) });

const credentialSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    fields: z.array(z.string()).describe('Which fields are set; their values are never returned.'),
    createdBy: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Credential' });

const credentialOf = (meta: CredentialMeta) => ({
  id: meta.id,
  name: meta.name,
  type: meta.type,
  fields: [...meta.fields],
  createdBy: meta.createdBy,
  createdAt: isoOf(meta.createdAt),
  updatedAt: isoOf(meta.updatedAt),
});

export function credentialRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const { store } = deps;
  const { vault, audit } = deps.security;
  const notFound = (id: string) =>
    new SwitchyardError('SY_CREDENTIAL_NOT_FOUND', `no credential "${id}" in this workspace`);

  return async (app) => {
    app.get(
      '/credentials',
      {
        schema: {
          operationId: 'listCredentials',
          summary: "The workspace's credentials, without their values.",
          tags,
          querystring: z.strictObject(pageQuery),
          response: { 200: pageOf(credentialSchema), ...problemAnswers },
        },
      },
      async (request) => {
        const { limit, after } = request.query;
        const page = await store.credentials.list(principalOf(request).workspaceId, {
          limit,
          ...(after ? { after } : {}),
        });
        return { items: page.items.map(credentialOf), ...(page.next ? { next: page.next } : {}) };
      },
    );

    app.post(
      '/credentials',
      {
        schema: {
          operationId: 'createCredential',
          summary: 'Store a credential, encrypted; its values can never be read back.',
          tags,
          body: z.strictObject({ name: credentialName, type: credentialType, data: credentialData }),
          response: { 201: credentialSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const meta = await vault.create(principal.workspaceId, request.body, `user:${principal.userId}`);
        await audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'credential.create',
          target: `credential:${meta.id}`,
          outcome: 'success',
          ip: request.ip,
          detail: { name: meta.name, type: meta.type },
        });
        return reply.code(201).send(credentialOf(meta));
      },
    );

    app.get(
      '/credentials/:id',
      {
        schema: {
          operationId: 'getCredential',
          summary: "A credential's name, type and field names (never the values).",
          tags,
          params: idParam,
          response: { 200: credentialSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const meta = await store.credentials.get(principalOf(request).workspaceId, request.params.id);
        if (!meta) throw notFound(request.params.id);
        return credentialOf(meta);
      },
    );

    app.patch(
      '/credentials/:id',
      {
        schema: {
          operationId: 'updateCredential',
          summary: 'Rename a credential or replace its values (all fields at once).',
          tags,
          params: idParam,
          body: z.strictObject({
            name: credentialName.optional(),
            type: credentialType.optional(),
            data: credentialData.optional(),
          }),
          response: { 200: credentialSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { name, type, data } = request.body;
        const meta = await vault.update(principal.workspaceId, request.params.id, {
          ...(name === undefined ? {} : { name }),
          ...(type === undefined ? {} : { type }),
          ...(data === undefined ? {} : { data }),
        });
        await audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'credential.update',
          target: `credential:${meta.id}`,
          outcome: 'success',
          ip: request.ip,
          detail: { name: meta.name, valuesChanged: data !== undefined },
        });
        return credentialOf(meta);
      },
    );

    app.delete(
      '/credentials/:id',
      {
        schema: {
          operationId: 'deleteCredential',
          summary: 'Delete a credential; nodes that name it fail with SY_CREDENTIAL_NOT_FOUND.',
          tags,
          params: idParam,
          response: { 204: z.null(), ...problemAnswers },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        if (!(await store.credentials.delete(principal.workspaceId, request.params.id))) {
          throw notFound(request.params.id);
        }
        await audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'credential.delete',
          target: `credential:${request.params.id}`,
          outcome: 'success',
          ip: request.ip,
        });
        return reply.code(204).send(null);
      },
    );
  };
}
