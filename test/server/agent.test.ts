/**
 * The agent node against the local model server, scripted to call tools: the tool loop, arguments
 * refused before a call and corrected by the model, a structured finish, the step limit, and a
 * restart mid-loop that repeats no finished model call or tool call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseLlmConfig } from '../../src/llm/config/load-llm-config.ts';
import { type MockLlmServer, startMockLlmServer } from '../../src/llm/mock/mock-llm-server.ts';
import { call, published, startServer, type TestServer, testKeyRing, until } from './fixture.ts';

let upstream: MockLlmServer;
const llmConfig = () =>
  parseLlmConfig(
    {
      providers: [{ id: 'local', kind: 'openai-compatible', baseUrl: `${upstream.url}/v1` }],
      models: [
        {
          id: 'thinker',
          provider: 'local',
          model: 'mock-thinker',
          price: { inputPerMTok: 0, outputPerMTok: 0 },
        },
      ],
      retry: { maxAttempts: 1, baseMs: 1, maxMs: 1 },
    },
    'test',
  );

beforeAll(async () => {
  upstream = await startMockLlmServer();
});
afterAll(() => upstream.close());

const weatherTool = {
  kind: 'code',
  name: 'get_weather',
  description: 'The weather in a city now.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  source: 'return { city: input.city, celsius: input.city.length };',
};

const agentWorkflow = (params: Record<string, unknown>) => ({
  format: 'switchyard/v1',
  name: 'agent',
  nodes: [
    { id: 'start', type: 'start' },
    {
      id: 'agent',
      type: 'agent',
      params: { model: 'thinker', prompt: 'What is the weather in {{ city }}?', ...params },
    },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'agent' },
    { from: 'agent', to: 'done' },
  ],
});

async function run(server: TestServer, workflowId: string, input: unknown) {
  return (await call(server, 'POST', `/api/v1/workflows/${workflowId}/executions?wait=true`, { input })).body;
}

describe('the agent node', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ maxWaitMs: 10_000 }, { llm: llmConfig() });
  });
  afterAll(() => server.close());

  it('calls a tool, reads its result, and answers', async () => {
    upstream.setScript({
      rules: [{ times: 1, reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] } }],
    });
    const execution = await run(server, await published(server, agentWorkflow({ tools: [weatherTool] })), {
      city: 'Oslo',
    });
    expect(execution.error ?? null).toBeNull();
    expect(execution.output).toMatchObject({
      steps: 2,
      toolCalls: [{ step: 1, tool: 'get_weather', isError: false }],
    });
    expect(execution.output.text).toContain('"celsius":4');

    const trace = await call(server, 'GET', `/api/v1/executions/${execution.id}/messages`);
    expect(
      trace.body.items.map((m: { from: string; to: string; type: string }) => `${m.type} ${m.from}→${m.to}`),
    ).toEqual([
      'task workflow→agent:agent',
      'tool-calls model:thinker→agent:agent',
      'tool-call agent:agent→tool:get_weather',
      'tool-result tool:get_weather→agent:agent',
      'answer model:thinker→agent:agent',
      'result agent:agent→workflow',
    ]);
    expect(new Set(trace.body.items.map((m: { correlationId: string }) => m.correlationId)).size).toBe(1);
    expect(trace.body.items[2].payload).toEqual({ arguments: { city: 'Oslo' } });
  });

  it('refuses malformed arguments before the call, and the model corrects itself', async () => {
    upstream.setScript({
      rules: [
        { times: 1, reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 42 } }] } },
        { times: 1, reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Lima' } }] } },
      ],
    });
    const before = upstream.requests.length;
    const execution = await run(server, await published(server, agentWorkflow({ tools: [weatherTool] })), {
      city: 'Lima',
    });
    expect(execution.output.toolCalls).toEqual([
      { step: 1, tool: 'get_weather', isError: true },
      { step: 2, tool: 'get_weather', isError: false },
    ]);
    // The model was told which argument was wrong, in its next request.
    const second = JSON.stringify(upstream.requests[before + 1]?.body);
    expect(second).toMatch(/city must be string/);
    expect(execution.output.text).toContain('"celsius":4');
  });

  it('ends with a structured result through its finish tool', async () => {
    upstream.setScript({
      rules: [
        {
          times: 1,
          reply: { toolCalls: [{ name: 'finish', arguments: { verdict: 'sunny', confidence: 0.9 } }] },
        },
      ],
    });
    const execution = await run(
      server,
      await published(
        server,
        agentWorkflow({
          finishTool: {
            parameters: {
              type: 'object',
              properties: { verdict: { type: 'string' }, confidence: { type: 'number' } },
              required: ['verdict'],
            },
          },
        }),
      ),
      { city: 'Rome' },
    );
    expect(execution.output).toMatchObject({ result: { verdict: 'sunny', confidence: 0.9 }, steps: 1 });
  });

  it('calls a tool on an MCP server, through the workspace allow-list', async () => {
    const invocations: string[] = [];
    const http = createServer(async (req, res) => {
      const mcp = new McpServer({ name: 'calculator', version: '1.0.0' });
      mcp.registerTool(
        'add',
        { description: 'Adds.', inputSchema: { a: z.number(), b: z.number() } },
        async ({ a, b }) => {
          invocations.push(`${a}+${b}`);
          return { content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } };
        },
      );
      const transport = new StreamableHTTPServerTransport({});
      res.on('close', () => void transport.close());
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const mcpTool = {
        kind: 'mcp',
        name: 'add',
        description: 'Adds two numbers.',
        parameters: {
          type: 'object',
          properties: { a: { type: 'number' }, b: { type: 'number' } },
          required: ['a', 'b'],
        },
        server: { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp` },
      };
      const workflowId = await published(server, agentWorkflow({ tools: [mcpTool] }));
      upstream.setScript({
        rules: [{ times: 2, reply: { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] } }],
      });
      // Loopback is private: refused until the workspace allows it — the model reads the refusal.
      const refused = await run(server, workflowId, { city: 'none' });
      expect(refused.output.toolCalls[0]).toMatchObject({ isError: true });
      expect(invocations).toEqual([]);

      await call(server, 'PATCH', '/api/v1/workspace', { outboundAllow: ['127.0.0.1'] });
      upstream.setScript({
        rules: [{ times: 1, reply: { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] } }],
      });
      const allowed = await run(server, workflowId, { city: 'none' });
      expect(allowed.output.text).toContain('"sum":5');
      expect(invocations).toEqual(['2+3']);
    } finally {
      await call(server, 'PATCH', '/api/v1/workspace', { outboundAllow: [] });
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });

  it('remembers the conversation: a window of recent messages, the rest summarised', async () => {
    upstream.setScript({ rules: [] });
    const before = upstream.requests.length;
    const history = [
      { role: 'user', content: 'my name is Ada' },
      { role: 'assistant', content: 'hello Ada' },
      { role: 'user', content: 'I live in Oslo' },
      { role: 'assistant', content: 'noted' },
    ];
    const execution = await run(
      server,
      await published(
        server,
        agentWorkflow({ memory: { history: '{{ history }}', maxMessages: 2, summarize: true } }),
      ),
      { city: 'Oslo', history },
    );
    expect(execution.status).toBe('succeeded');
    const [summary, answer] = upstream.requests.slice(before).map((r) => JSON.stringify(r.body));
    expect(summary).toContain('user: my name is Ada\\nassistant: hello Ada');
    expect(answer).toContain('Earlier in this conversation: Echo: user: my name is Ada');
    expect(answer).toContain('I live in Oslo');
    expect(answer).not.toContain('"content":"hello Ada"');
  });

  it('stops a runaway agent at its step limit', async () => {
    upstream.setScript({
      rules: [{ reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Loop' } }] } }],
    });
    const execution = await run(
      server,
      await published(server, agentWorkflow({ tools: [weatherTool], maxSteps: 3 })),
      {
        city: 'Loop',
      },
    );
    expect(execution.status).toBe('failed');
    expect(execution.error).toMatchObject({ code: 'SY_AGENT_STEP_LIMIT' });
    expect(execution.error.details.toolCalls).toHaveLength(3);
  });
});

describe('an agent across a restart', () => {
  let tools: Server;
  let toolUrl: string;
  const toolCalls: string[] = [];
  let release: (() => void) | undefined;
  beforeAll(async () => {
    // The second tool call hangs until the test lets it go: the server is stopped meanwhile.
    tools = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      toolCalls.push(url.searchParams.get('city') ?? '');
      const answer = () => response.end(JSON.stringify({ city: url.searchParams.get('city'), ok: true }));
      if (url.searchParams.get('city') === 'Slow' && toolCalls.filter((c) => c === 'Slow').length === 1) {
        release = answer;
        response.on('close', () => {
          release = undefined;
        });
      } else answer();
    });
    await new Promise<void>((resolve) => tools.listen(0, '127.0.0.1', resolve));
    toolUrl = `http://127.0.0.1:${(tools.address() as AddressInfo).port}/weather`;
  });
  afterAll(() => new Promise<void>((resolve) => tools.close(() => resolve())));

  it('resumes without repeating a finished model call or tool call', async () => {
    upstream.setScript({
      rules: [
        { times: 1, reply: { toolCalls: [{ name: 'lookup', arguments: { city: 'Fast' } }] } },
        { times: 1, reply: { toolCalls: [{ name: 'lookup', arguments: { city: 'Slow' } }] } },
      ],
    });
    const httpTool = {
      kind: 'http',
      name: 'lookup',
      description: 'Look a city up.',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      url: toolUrl,
      timeoutMs: 60_000,
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-agent-restart-'));
    const keyRing = testKeyRing();
    try {
      const first = await startServer({}, { dataDir, keyRing, llm: llmConfig() });
      await call(first, 'PATCH', '/api/v1/workspace', { outboundAllow: ['127.0.0.1'] });
      const workflowId = await published(first, agentWorkflow({ tools: [httpTool], maxSteps: 5 }));
      const started = await call(first, 'POST', `/api/v1/workflows/${workflowId}/executions`, {
        input: { city: 'X' },
      });
      const modelCallsBefore = upstream.requests.length;
      await until(async () => (release ? true : undefined));
      expect(toolCalls).toEqual(['Fast', 'Slow']);
      expect(upstream.requests.length - modelCallsBefore).toBe(2);
      await first.close();

      const second = await startServer({}, { dataDir, keyRing, llm: llmConfig() });
      try {
        const done = await until(async () => {
          const answer = await call(second, 'GET', `/api/v1/executions/${started.body.id}`);
          return ['succeeded', 'failed'].includes(answer.body.status) ? answer.body : undefined;
        }, 20_000);
        expect(done.error ?? null).toBeNull();
        expect(done.status).toBe('succeeded');
        // Model calls 1 and 2 and the first tool call were recorded: only the unfinished tool call and
        // the final model call ran again.
        expect(toolCalls).toEqual(['Fast', 'Slow', 'Slow']);
        expect(upstream.requests.length - modelCallsBefore).toBe(3);
        expect(done.output).toMatchObject({ steps: 3 });
        // The replayed steps re-sent their messages with the same ids: the trace shows each once.
        const trace = await call(second, 'GET', `/api/v1/executions/${started.body.id}/messages`);
        const calls = trace.body.items.filter((m: { type: string }) => m.type === 'tool-call');
        expect(
          calls.map((m: { payload: { arguments: { city: string } } }) => m.payload.arguments.city),
        ).toEqual(['Fast', 'Slow']);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
