/**
 * Switchyard as an MCP server, driven by the official MCP client over Streamable HTTP with the
 * API's bearer credentials: the tools are the caller's workspace's published workflows that opt in
 * (an entry node `start` with id `mcp`), and calling one runs the workflow.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, hello, published, slow, startServer, type TestServer } from './fixture.ts';

const greeter = {
  format: 'switchyard/v1',
  name: 'greeter',
  description: 'A workflow that greets.',
  nodes: [
    { id: 'mcp', type: 'start', description: 'Greets someone by name.' },
    { id: 'greet', type: 'set', params: { fields: { greeting: 'Hello, {{ name }}!' } } },
    { id: 'done', type: 'end', params: { output: '{{ { "message": greeting } }}' } },
  ],
  edges: [
    { from: 'mcp', to: 'greet' },
    { from: 'greet', to: 'done' },
  ],
};

const failing = {
  format: 'switchyard/v1',
  name: 'failing',
  nodes: [
    { id: 'mcp', type: 'start' },
    { id: 'boom', type: 'fail', params: { message: 'on purpose' } },
  ],
  edges: [{ from: 'mcp', to: 'boom' }],
};

/** The same workflow as a slow one, opted in. */
const slowTool = {
  ...slow,
  nodes: slow.nodes.map((node) => (node.id === 'start' ? { ...node, id: 'mcp' } : node)),
  edges: slow.edges.map((edge) => (edge.from === 'start' ? { ...edge, from: 'mcp' } : edge)),
};

let server: TestServer;
let otherToken: string;

beforeAll(async () => {
  server = await startServer({ maxWaitMs: 10_000 }, { settings: { signup: 'open' } });
  await published(server, greeter, 'greeter');
  await published(server, failing, 'failing-tool');
  await published(server, hello, 'not-a-tool');
  // Opted in, but only a draft: nothing published, nothing to run.
  const draft = await call(server, 'POST', '/api/v1/workflows', { definition: greeter, id: 'draft-only' });
  expect(draft.status).toBe(201);
  const other = await call(
    server,
    'POST',
    '/api/v1/auth/signup',
    { email: 'other@example.com', password: 'another passphrase' },
    { token: null },
  );
  expect(other.status).toBe(201);
  otherToken = other.body.accessToken;
  const theirs = await call(
    server,
    'POST',
    '/api/v1/workflows',
    { definition: greeter, id: 'theirs' },
    { token: otherToken },
  );
  expect(theirs.status).toBe(201);
  expect(
    (await call(server, 'POST', '/api/v1/workflows/theirs/versions', {}, { token: otherToken })).status,
  ).toBe(201);
});
afterAll(() => server.close());

async function connect(target: TestServer, token: string): Promise<Client> {
  const client = new Client({ name: 'switchyard-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${target.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const mcpHeaders = { accept: 'application/json, text/event-stream' };

describe('Switchyard as an MCP server', () => {
  it("lists the caller's workspace's published workflows that opt in, and no others", async () => {
    const client = await connect(server, server.token);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['failing-tool', 'greeter']);
      expect(tools.find((tool) => tool.name === 'greeter')).toMatchObject({
        title: 'greeter',
        description: 'Greets someone by name.',
        inputSchema: { type: 'object' },
      });
      expect(client.getServerVersion()?.name).toBe('switchyard');
    } finally {
      await client.close();
    }
    const theirs = await connect(server, otherToken);
    try {
      expect((await theirs.listTools()).tools.map((tool) => tool.name)).toEqual(['theirs']);
      await expect(theirs.callTool({ name: 'greeter', arguments: { name: 'Eve' } })).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
      });
    } finally {
      await theirs.close();
    }
  });

  it('calls a tool: runs the workflow from its mcp entry with the arguments as input, and returns its output', async () => {
    const client = await connect(server, server.token);
    try {
      const result = await client.callTool({ name: 'greeter', arguments: { name: 'Ada' } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ message: 'Hello, Ada!' });
      expect(result.content).toEqual([{ type: 'text', text: '{"message":"Hello, Ada!"}' }]);
      const executionId = (result._meta as { executionId: string }).executionId;
      const execution = await call(server, 'GET', `/api/v1/executions/${executionId}`);
      expect(execution.body).toMatchObject({
        workflowId: 'greeter',
        workflowVersion: 1,
        entry: 'mcp',
        status: 'succeeded',
        input: { name: 'Ada' },
        trigger: { kind: 'mcp', tool: 'greeter' },
      });
    } finally {
      await client.close();
    }
  });

  it('answers a failing workflow with an error result carrying the Switchyard code', async () => {
    const client = await connect(server, server.token);
    try {
      const result = await client.callTool({ name: 'failing-tool', arguments: {} });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toMatchObject({
        error: { code: 'SY_FAIL_NODE', message: expect.stringContaining('on purpose') },
      });
      expect(result.content).toEqual([
        { type: 'text', text: expect.stringMatching(/^SY_FAIL_NODE: .*on purpose/) },
      ]);
    } finally {
      await client.close();
    }
  });

  it('refuses a workflow that does not opt in, or is not published, as an unknown tool', async () => {
    const client = await connect(server, server.token);
    try {
      for (const name of ['not-a-tool', 'draft-only', 'nothing-at-all']) {
        await expect(client.callTool({ name, arguments: {} })).rejects.toMatchObject({
          code: ErrorCode.InvalidParams,
          message: expect.stringContaining(`no tool named "${name}"`),
        });
      }
    } finally {
      await client.close();
    }
  });

  it('refuses a caller without a token (401) or without the run permission (403), at the HTTP level', async () => {
    const anonymous = await call(server, 'POST', '/mcp', initialize, { token: null, headers: mcpHeaders });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('SY_AUTH_REQUIRED');
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expect(connect(server, 'not-a-token')).rejects.toThrow(/401/);
    const key = await call(server, 'POST', '/api/v1/api-keys', { name: 'reader', scopes: ['read'] });
    expect(key.status).toBe(201);
    const reader = await call(server, 'POST', '/mcp', initialize, {
      token: key.body.key,
      headers: mcpHeaders,
    });
    expect(reader.status).toBe(403);
    expect(reader.body.code).toBe('SY_AUTH_FORBIDDEN');
    const allowed = await call(server, 'POST', '/mcp', initialize, { headers: mcpHeaders });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-correlation-id')).toBeTruthy();
  });

  it('has no sessions: GET and DELETE answer 405 to a caller, 401 to anyone else', async () => {
    for (const method of ['GET', 'DELETE']) {
      expect((await call(server, method, '/mcp', undefined, { token: null })).status).toBe(401);
      const answer = await call(server, method, '/mcp');
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
    }
  });
});

describe('a tool call that outlasts the wait', () => {
  it('returns an error result naming the execution, which goes on', async () => {
    const quick = await startServer({ maxWaitMs: 300 });
    try {
      await published(quick, slowTool, 'slow-tool');
      const client = await connect(quick, quick.token);
      try {
        const result = await client.callTool({ name: 'slow-tool', arguments: {} });
        expect(result.isError).toBe(true);
        expect(result.structuredContent).toMatchObject({
          error: { code: 'SY_EXEC_TIMEOUT', message: expect.stringContaining('goes on as execution') },
        });
        const executionId = (result._meta as { executionId: string }).executionId;
        const execution = await call(quick, 'GET', `/api/v1/executions/${executionId}`);
        expect(execution.body.status).toBe('running');
      } finally {
        await client.close();
      }
    } finally {
      await quick.close();
    }
  });
});
