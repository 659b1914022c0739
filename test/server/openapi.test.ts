/**
 * The OpenAPI document: valid OpenAPI 3.1 (checked by a real validator), one operationId per route,
 * and a client driven from it — every path called here is looked up by operationId in the served
 * document, so a renamed or removed route breaks this test.
 */
import { validate } from '@readme/openapi-parser';
import createClient from 'openapi-fetch';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hello, startServer, type TestServer } from './fixture.ts';

let server: TestServer;
let document: OpenAPIV3_1.Document;
beforeAll(async () => {
  server = await startServer();
  document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as OpenAPIV3_1.Document;
});
afterAll(() => server.close());

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** operationId → method and path template, read from the served document. */
function operations(doc: OpenAPIV3_1.Document): Map<string, { method: Method; path: string }> {
  const found = new Map<string, { method: Method; path: string }>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operationId = item?.[method]?.operationId;
      if (operationId) found.set(operationId, { method, path });
    }
  }
  return found;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator is not a rubber stamp: the same document with a broken operation fails.
    const broken = structuredClone(document) as { paths: Record<string, Record<string, unknown>> };
    broken.paths['/healthz'] = { get: { responses: 'none' } };
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('gives every route an operationId, and documents its problems', () => {
    const ops = operations(document);
    expect([...ops.keys()].sort()).toEqual(
      [
        'addMember',
        'cancelExecution',
        'changeMemberRole',
        'createApiKey',
        'createChatCompletion',
        'decideApproval',
        'getApproval',
        'listApprovals',
        'createConversation',
        'deleteConversation',
        'getConversation',
        'listConversationMessages',
        'listConversations',
        'postConversationMessage',
        'listAgentMessages',
        'createCredential',
        'createEmbeddings',
        'deleteBudget',
        'getUsage',
        'listBudgets',
        'listModels',
        'setBudget',
        'createSchedule',
        'deleteCredential',
        'getCredential',
        'getWorkspace',
        'listApiKeys',
        'listAuditEvents',
        'listCredentials',
        'listMembers',
        'logIn',
        'logOut',
        'refreshSession',
        'removeMember',
        'revokeApiKey',
        'signUp',
        'updateCredential',
        'updateWorkspace',
        'whoAmI',
        'createWorkflow',
        'deleteSchedule',
        'deleteWorkflow',
        'diffVersions',
        'exportWorkflow',
        'getExecution',
        'getSchedule',
        'getVersion',
        'getWorkflow',
        'health',
        'importWorkflow',
        'listExecutions',
        'listNodeTypes',
        'listSchedules',
        'listVersions',
        'listWorkflows',
        'publishVersion',
        'ready',
        'replayExecution',
        'restoreVersion',
        'retryExecution',
        'startExecution',
        'streamExecutionEvents',
        'updateSchedule',
        'updateWorkflow',
        'validateWorkflow',
      ].sort(),
    );
    const start = document.paths?.['/api/v1/workflows/{id}/executions']?.post as
      | { parameters?: { in: string; name: string }[] }
      | undefined;
    expect(start?.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key' })]),
    );
    const create = document.paths?.['/api/v1/workflows']?.post;
    expect(create?.responses?.['4XX']).toMatchObject({ content: { 'application/problem+json': {} } });
    expect(Object.keys(document.paths ?? {}).some((p) => p.includes('/docs'))).toBe(false);
    // A body that may be absent is documented as optional, not as "required, may be null".
    expect(document.paths?.['/api/v1/workflows/{id}/versions']?.post?.requestBody).toMatchObject({
      required: false,
      content: { 'application/json': { schema: { type: 'object' } } },
    });
    expect(create?.requestBody).toMatchObject({ required: true });
  });

  it('serves a docs page', async () => {
    const page = await fetch(`${server.url}/api/v1/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('drives the API through a client built from the document', async () => {
    const ops = operations(document);
    const path = (operationId: string) => {
      const op = ops.get(operationId);
      if (!op) throw new Error(`the document has no operation ${operationId}`);
      return op.path;
    };
    // biome-ignore lint/suspicious/noExplicitAny: paths typed loosely from the served document, not generated types.
    const client = createClient<Record<string, any>>({
      baseUrl: server.url,
      headers: { authorization: `Bearer ${server.token}` },
    });

    const created = await client.POST(path('createWorkflow'), { body: { id: 'typed', definition: hello } });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ id: 'typed', name: 'hello' });

    const published = await client.POST(path('publishVersion'), {
      params: { path: { id: 'typed' } },
      body: {},
    });
    expect(published.response.status).toBe(201);

    const started = await client.POST(path('startExecution'), {
      params: { path: { id: 'typed' }, query: { wait: 'true' } },
      body: { input: { name: 'Typed' } },
    });
    expect(started.response.status).toBe(200);
    expect(started.data).toMatchObject({ status: 'succeeded', output: { message: 'Hello, Typed!' } });

    const fetched = await client.GET(path('getExecution'), { params: { path: { id: started.data.id } } });
    expect(fetched.data.nodeRuns).toHaveLength(3);

    const missing = await client.GET(path('getWorkflow'), { params: { path: { id: 'absent' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ code: 'SY_WORKFLOW_NOT_FOUND' });

    const listed = await client.GET(path('listWorkflows'), { params: { query: { limit: 1 } } });
    expect(listed.data.items).toHaveLength(1);
  });
});
