/**
 * @module Switchyard as an MCP server for one caller: the official SDK's McpServer, whose tools
 * are the caller's workspace's opted-in workflows (workflow-tools.ts). The tools are read from the
 * store on each request rather than registered up front, so the low-level handlers the SDK
 * documents for this (`mcp.server.setRequestHandler`) answer `tools/list` and `tools/call`.
 * A workflow that fails is a tool result with `isError` and the Switchyard error code, for the model
 * to read; an unknown tool or a bad cursor is a protocol error, as the MCP specification says.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { SwitchyardError, toErrorData } from '../errors/switchyard-error.ts';
import { WORKFLOW_TOOL_INPUT_SCHEMA, type WorkflowTools } from './workflow-tools.ts';

export interface McpCaller {
  readonly workspaceId: string;
  /** The HTTP request's correlation id: the executions a call starts carry it. */
  readonly correlationId: string;
}

export function workflowMcpServer(tools: WorkflowTools, caller: McpCaller, version: string): McpServer {
  const mcp = new McpServer(
    { name: 'switchyard', version },
    {
      capabilities: { tools: {} },
      instructions: 'Each tool runs a published Switchyard workflow with the arguments as its input.',
    },
  );
  mcp.server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    const page = await tools.list(caller.workspaceId, request.params?.cursor).catch(asProtocolError);
    return {
      tools: page.tools.map((tool) => ({
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: WORKFLOW_TOOL_INPUT_SCHEMA,
      })),
      ...(page.next === undefined ? {} : { nextCursor: page.next }),
    };
  });
  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name } = request.params;
    const tool = await tools.find(caller.workspaceId, name);
    if (!tool) {
      throw new McpError(ErrorCode.InvalidParams, `no tool named "${name}" in this workspace`, {
        code: 'SY_WORKFLOW_NOT_FOUND',
      });
    }
    try {
      const outcome = await tools.run(caller.workspaceId, tool, request.params.arguments ?? {}, {
        correlationId: caller.correlationId,
        signal: extra.signal,
      });
      if (outcome.ok) return successOf(outcome.output, outcome.executionId);
      return failureOf(outcome.error, outcome.executionId);
    } catch (error) {
      // The start itself failed (say, the version is gone): still a result the model can read.
      return failureOf(toErrorData(error));
    }
  });
  return mcp;
}

function successOf(output: unknown, executionId: string): CallToolResult {
  return {
    content: [{ type: 'text', text: typeof output === 'string' ? output : JSON.stringify(output ?? null) }],
    // Structured content must be an object; other outputs travel as text only.
    ...(isRecord(output) ? { structuredContent: output } : {}),
    _meta: { executionId },
  };
}

function failureOf(
  error: { readonly code: string; readonly message: string; readonly hint?: string },
  executionId?: string,
): CallToolResult {
  const { code, message, hint } = error;
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${message}${hint ? `\nHint: ${hint}` : ''}` }],
    structuredContent: { error: { code, message, ...(hint ? { hint } : {}) } },
    ...(executionId === undefined ? {} : { _meta: { executionId } }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A bad cursor is the client's mistake; anything else stays an internal error. */
function asProtocolError(error: unknown): never {
  if (error instanceof SwitchyardError && error.code === 'SY_INPUT_INVALID') {
    throw new McpError(ErrorCode.InvalidParams, error.message, { code: error.code });
  }
  throw error;
}
