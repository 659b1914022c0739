/**
 * @module One tool call on an MCP server, for a node: connects (over Streamable HTTP through the
 * workspace's SSRF-guarded client, or over stdio when the operator's allow-list names the exact
 * command), calls, and lets go. The result comes back as text for the model.
 */
import type { McpServerRef, OutboundFetch } from '../nodes/context.ts';
import type { StdioCommand } from './stdio-allow.ts';

export interface McpCaller {
  call(
    workspaceId: string,
    server: McpServerRef,
    tool: string,
    args: Record<string, unknown>,
    options: { readonly timeoutMs: number; readonly signal: AbortSignal },
  ): Promise<{ readonly text: string; readonly isError: boolean }>;
}

export function mcpCaller(
  outbound: (workspaceId: string) => OutboundFetch,
  stdioAllow: readonly StdioCommand[],
): McpCaller {
  return {
    async call(workspaceId, server, tool, args, options) {
      // The MCP SDK is loaded with the first MCP tool call, not at start.
      const { connectMcp } = await import('./mcp-client.ts');
      const connection = await connectMcp(
        'url' in server
          ? { kind: 'http', url: server.url, ...(server.headers ? { headers: server.headers } : {}) }
          : { kind: 'stdio', command: server.command, args: [...server.args] },
        { outbound: outbound(workspaceId), stdioAllow, timeoutMs: options.timeoutMs },
      );
      try {
        const result = await connection.callTool(tool, args, {
          timeoutMs: options.timeoutMs,
          signal: options.signal,
        });
        const text =
          result.structuredContent !== undefined
            ? JSON.stringify(result.structuredContent)
            : result.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');
        return { text, isError: result.isError };
      } finally {
        await connection.close();
      }
    },
  };
}
