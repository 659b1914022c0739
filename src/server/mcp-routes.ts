/**
 * @module /mcp: Switchyard as an MCP server over Streamable HTTP, for the same bearer tokens and API
 * keys as the API (the auth hook has authenticated the caller and checked `run` before any handler).
 *
 * Stateless, the SDK's documented pattern: a fresh McpServer and transport per POST, closed with the
 * response. Each request carries its own credential and the tools are read from the store, so
 * sessions would hold nothing worth keeping; without them any instance behind a load balancer can
 * answer, and there is no session memory to bound or expire. Answers are JSON, not SSE: a tool call
 * sends back its one result. Without sessions there is no stream to open (GET) and nothing to end
 * (DELETE): both answer 405, as the specification allows. The routes are JSON-RPC, not REST, and
 * stay out of the OpenAPI document.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { WorkflowTools } from '../mcp/workflow-tools.ts';
import { awaitOutcome } from './await-outcome.ts';
import { DEFAULT_LIMITS, type ServerDeps } from './deps.ts';
import { workspaceOf } from './workspace.ts';

const MCP_PATH = '/mcp';
/**
 * How long a tool call waits for its workflow: under the 60 s that MCP clients (the official SDK's
 * among them) wait for an answer by default, so the caller gets ours, naming the execution.
 */
const MCP_WAIT_MS = 50_000;

export function mcpRoutes(deps: ServerDeps, version: string): FastifyPluginAsync {
  // The MCP SDK is loaded with the first MCP request, not at start (it weighs ~150 ms and ~40 MB).
  let loaded: Promise<McpParts> | undefined;
  const parts = () => {
    loaded ??= loadMcpParts(deps);
    return loaded;
  };

  return async (app) => {
    app.post(MCP_PATH, { schema: { hide: true } }, async (request, reply) => {
      const { tools, workflowMcpServer, StreamableHTTPServerTransport } = await parts();
      const server = workflowMcpServer(
        tools,
        { workspaceId: workspaceOf(request), correlationId: request.id },
        version,
      );
      // No sessionIdGenerator: stateless.
      const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
      // The transport writes the raw response: keep the headers the hooks set (correlation id,
      // rate limits), which Fastify would otherwise send only with a reply of its own.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(name, value);
      }
      reply.hijack();
      reply.raw.once('close', () => {
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (error) {
        request.log.error({ err: error }, 'MCP request failed');
        if (!reply.raw.headersSent) {
          reply.raw
            .writeHead(500, { 'content-type': 'application/json' })
            .end(rpcError(-32603, 'Internal error; it has been logged.'));
        }
      }
    });
    for (const method of ['GET', 'DELETE'] as const) {
      app.route({
        method,
        url: MCP_PATH,
        schema: { hide: true },
        handler: async (_request, reply) => noSessions(reply),
      });
    }
  };
}

interface McpParts {
  readonly tools: WorkflowTools;
  readonly workflowMcpServer: typeof import('../mcp/mcp-server.ts').workflowMcpServer;
  readonly StreamableHTTPServerTransport: typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js').StreamableHTTPServerTransport;
}

async function loadMcpParts(deps: ServerDeps): Promise<McpParts> {
  const [{ workflowTools }, { workflowMcpServer }, { StreamableHTTPServerTransport }] = await Promise.all([
    import('../mcp/workflow-tools.ts'),
    import('../mcp/mcp-server.ts'),
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
  ]);
  const tools = workflowTools({
    store: deps.store,
    start: (request) => deps.executions.start(request),
    awaitOutcome: (workspaceId, executionId, timeoutMs, signal) =>
      awaitOutcome(deps, workspaceId, executionId, timeoutMs, signal),
    waitMs: Math.min(deps.limits?.maxWaitMs ?? DEFAULT_LIMITS.maxWaitMs, MCP_WAIT_MS),
  });
  return { tools, workflowMcpServer, StreamableHTTPServerTransport };
}

function noSessions(reply: FastifyReply) {
  return reply
    .status(405)
    .header('allow', 'POST')
    .type('application/json')
    .send(rpcError(-32000, 'Method not allowed: this server is stateless (no sessions, no stream to open).'));
}

function rpcError(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
}
