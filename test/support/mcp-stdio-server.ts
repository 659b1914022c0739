/**
 * @module A tiny MCP server over stdio for tests, run as `node mcp-stdio-server.ts [marker]`: one
 * tool, `echo`. With a marker path it first writes that file, so a test can tell that it was
 * started at all.
 */
import { writeFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const marker = process.argv[2];
if (marker !== undefined) writeFileSync(marker, String(process.pid));

const server = new McpServer({ name: 'stdio-echo', version: '1.0.0' });
server.registerTool(
  'echo',
  { description: 'Says the text back.', inputSchema: { text: z.string() } },
  async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }),
);
await server.connect(new StdioServerTransport());
