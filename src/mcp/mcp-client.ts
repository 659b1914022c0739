/**
 * @module A connection to an MCP server through the official SDK client: over Streamable HTTP,
 * every request through the SSRF-guarded outbound client, or over stdio, only for a command and
 * arguments on the operator's allow-list (spawned without a shell, with the SDK's minimal
 * environment, so the server's own secrets do not leak into it). It lists the server's tools and
 * calls them: the arguments are checked against the tool's input schema first, and every request
 * is bounded in time. Nothing starts a process but `connectMcp` itself: reading or importing a
 * workflow never gets here.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  CallToolResultSchema,
  ErrorCode,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { OutboundFetch } from '../nodes/context.ts';
import { guardedMcpFetch } from './guarded-fetch.ts';
import { assertStdioAllowed, type StdioCommand } from './stdio-allow.ts';
import { type ArgumentsCheck, argumentsCheck } from './tool-arguments.ts';

export type McpTarget =
  | { readonly kind: 'http'; readonly url: string; readonly headers?: Readonly<Record<string, string>> }
  | ({ readonly kind: 'stdio' } & StdioCommand);

export interface McpClientOptions {
  /** The guarded fetch (of the workspace's allow-list): the only way HTTP leaves. */
  readonly outbound: OutboundFetch;
  /** Commands an operator allows to start (`stdioAllowFromEnv()`); empty: stdio is refused. */
  readonly stdioAllow: readonly StdioCommand[];
  /** Longest any one request may take (connecting, listing, a call); 30 s by default. */
  readonly timeoutMs?: number;
}

export interface McpTool {
  readonly name: string;
  readonly description?: string;
  readonly inputSchema: JsonSchemaType;
}

export interface McpToolResult {
  readonly content: CallToolResult['content'];
  readonly structuredContent?: Record<string, unknown>;
  /** The tool ran and reports a failure, for the model to read: an answer, not an exception. */
  readonly isError: boolean;
}

export interface McpCallOptions {
  /** Lower than the connection's `timeoutMs`, never higher. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface McpConnection {
  listTools(): Promise<readonly McpTool[]>;
  /** Rejects with SY_INPUT_INVALID, before anything is sent, when the arguments break the input schema. */
  callTool(name: string, args: Record<string, unknown>, options?: McpCallOptions): Promise<McpToolResult>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** A server that pages its tool list without end is not followed for ever. */
const MAX_TOOL_PAGES = 20;
const CLIENT_INFO = { name: 'switchyard', version: '1.0.0' };

interface KnownTool {
  readonly tool: McpTool;
  check?: ArgumentsCheck;
}

export async function connectMcp(target: McpTarget, options: McpClientOptions): Promise<McpConnection> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const where = describeTarget(target);
  const client = new Client(CLIENT_INFO);
  try {
    await client.connect(transportFor(target, options, timeoutMs), { timeout: timeoutMs });
  } catch (error) {
    await client.close();
    throw translated(error, `connecting to ${where}`, timeoutMs);
  }

  let known: Map<string, KnownTool> | undefined;
  const listTools = async (): Promise<readonly McpTool[]> => {
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const answer = await client
        .listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs })
        .catch((error: unknown) => {
          throw translated(error, `listing the tools of ${where}`, timeoutMs);
        });
      tools.push(...answer.tools.map(toolOf));
      cursor = answer.nextCursor;
      if (cursor === undefined) break;
    }
    known = new Map(tools.map((tool) => [tool.name, { tool }]));
    return tools;
  };
  const toolNamed = async (name: string): Promise<KnownTool> => {
    // The list may be stale (servers change their tools): read it again before calling a name unknown.
    if (!known?.has(name)) await listTools();
    const found = known?.get(name);
    if (found) return found;
    throw new SwitchyardError('SY_INPUT_INVALID', `${where} has no tool named "${name}"`, {
      hint: `Call one of its tools: ${[...(known?.keys() ?? [])].join(', ') || '(it offers none)'}.`,
      details: { tool: name },
    });
  };

  return {
    listTools,
    async callTool(name, args, call = {}) {
      const known = await toolNamed(name);
      known.check ??= argumentsCheck(name, known.tool.inputSchema);
      known.check(args);
      const limit = Math.min(call.timeoutMs ?? timeoutMs, timeoutMs);
      try {
        const answer = await client.callTool({ name, arguments: args }, CallToolResultSchema, {
          timeout: limit,
          ...(call.signal ? { signal: call.signal } : {}),
        });
        // The SDK checked this schema already; its declared type still admits the old result form.
        const result = CallToolResultSchema.parse(answer);
        return {
          content: result.content,
          ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}),
          isError: result.isError === true,
        };
      } catch (error) {
        if (call.signal?.aborted) throw call.signal.reason;
        throw translated(error, `calling tool "${name}" of ${where}`, limit);
      }
    },
    close: () => client.close(),
  };
}

/** Refuses a stdio command that is not allowed before anything is spawned. */
function transportFor(target: McpTarget, options: McpClientOptions, timeoutMs: number): Transport {
  if (target.kind === 'stdio') {
    assertStdioAllowed(target, options.stdioAllow);
    return new StdioClientTransport({
      command: target.command,
      args: [...target.args],
      // An operator's own program: its diagnostics belong with the server's.
      stderr: 'inherit',
    });
  }
  return new StreamableHTTPClientTransport(new URL(target.url), {
    fetch: guardedMcpFetch(options.outbound, timeoutMs),
    ...(target.headers ? { requestInit: { headers: { ...target.headers } } } : {}),
  });
}

function toolOf(tool: { name: string; description?: string | undefined; inputSchema: object }): McpTool {
  return {
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    inputSchema: tool.inputSchema as JsonSchemaType,
  };
}

function describeTarget(target: McpTarget): string {
  if (target.kind === 'stdio') return `the MCP server ${JSON.stringify([target.command, ...target.args])}`;
  const url = URL.parse(target.url);
  return `the MCP server at ${url ? `${url.origin}${url.pathname}` : 'an invalid URL'}`;
}

/** Errors of the SDK and the transports as Switchyard errors; the guard's own pass through. */
function translated(error: unknown, what: string, timeoutMs: number): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new SwitchyardError('SY_OUTBOUND_TIMEOUT', `${what} took longer than ${timeoutMs} ms`, {
      details: { timeoutMs },
    });
  }
  if (error instanceof McpError) {
    return new SwitchyardError('SY_OUTBOUND_FAILED', `${what} failed: ${error.message}`, {
      cause: error,
      retryable: false,
      details: { mcpCode: error.code },
    });
  }
  if (error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0) {
    return new SwitchyardError('SY_OUTBOUND_STATUS', `${what}: the server answered ${error.code}`, {
      cause: error,
      details: { status: error.code },
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SwitchyardError('SY_OUTBOUND_FAILED', `${what} failed: ${message}`, { cause: error });
}
