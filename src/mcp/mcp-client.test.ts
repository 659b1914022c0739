/**
 * The MCP client against real servers: an McpServer over Streamable HTTP on a local port (reached
 * through the SSRF guard, with the loopback allowed on purpose), and one over stdio started from
 * the operator's allow-list.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOutboundClient, type OutboundClient } from '../net/outbound-client.ts';
import { connectMcp, type McpConnection } from './mcp-client.ts';
import { STDIO_ALLOW_VARIABLE, stdioAllowFromEnv } from './stdio-allow.ts';

const STDIO_SERVER = fileURLToPath(new URL('../../test/support/mcp-stdio-server.ts', import.meta.url));

/** What the remote server saw: HTTP requests by method, and tool invocations by name. */
let requests: string[] = [];
let invocations: string[] = [];

function remote(): McpServer {
  const mcp = new McpServer({ name: 'remote', version: '1.0.0' });
  mcp.registerTool(
    'add',
    {
      description: 'Adds two numbers.',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
    },
    async ({ a, b }) => {
      invocations.push('add');
      return { content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } };
    },
  );
  mcp.registerTool('slow', { description: 'Takes two seconds.' }, async () => {
    invocations.push('slow');
    await sleep(2000);
    return { content: [{ type: 'text', text: 'done' }] };
  });
  return mcp;
}

let http: Server;
let url: string;
let loopback: OutboundClient;
let strict: OutboundClient;
let dir: string;

beforeAll(async () => {
  // Stateless, answering with SSE (the SDK's default): the buffered guard must read those streams.
  http = createServer(async (req, res) => {
    requests.push(req.method ?? '?');
    const server = remote();
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  loopback = createOutboundClient({ allow: ['127.0.0.1'] });
  strict = createOutboundClient({ allow: [] });
  dir = mkdtempSync(join(tmpdir(), 'switchyard-mcp-'));
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
  await loopback.close();
  await strict.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  requests = [];
  invocations = [];
});

async function connectHttp(): Promise<McpConnection> {
  return connectMcp({ kind: 'http', url }, { outbound: loopback.fetch, stdioAllow: [], timeoutMs: 5000 });
}

describe('an MCP server over Streamable HTTP, through the SSRF guard', () => {
  it('lists the tools with their input schemas and calls one', async () => {
    const connection = await connectHttp();
    try {
      const tools = await connection.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'slow']);
      expect(tools.find((tool) => tool.name === 'add')?.inputSchema).toMatchObject({
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
      });
      const result = await connection.callTool('add', { a: 2, b: 3 });
      expect(result).toEqual({
        content: [{ type: 'text', text: '5' }],
        structuredContent: { sum: 5 },
        isError: false,
      });
      expect(invocations).toEqual(['add']);
      // The never-ending GET stream is refused before the network (the guard buffers bodies).
      expect(requests.every((method) => method === 'POST')).toBe(true);
    } finally {
      await connection.close();
    }
  });

  it('refuses arguments that break the input schema before anything is sent, naming the field', async () => {
    const connection = await connectHttp();
    try {
      await connection.listTools();
      const sent = requests.length;
      await expect(connection.callTool('add', { a: 'two', b: 3 })).rejects.toMatchObject({
        code: 'SY_INPUT_INVALID',
        message: expect.stringMatching(/tool "add".*arguments\/a must be number/),
      });
      await expect(connection.callTool('add', { a: 1 })).rejects.toMatchObject({
        code: 'SY_INPUT_INVALID',
        message: expect.stringContaining("arguments must have required property 'b'"),
      });
      await expect(connection.callTool('subtract', { a: 1, b: 2 })).rejects.toMatchObject({
        code: 'SY_INPUT_INVALID',
        message: expect.stringContaining('no tool named "subtract"'),
      });
      expect(invocations).toEqual([]);
      // Only the re-read of the list for the unknown name went out.
      expect(requests.length).toBe(sent + 1);
    } finally {
      await connection.close();
    }
  });

  it('gives up on a call that takes longer than its timeout', async () => {
    const connection = await connectHttp();
    try {
      const started = Date.now();
      await expect(connection.callTool('slow', {}, { timeoutMs: 200 })).rejects.toMatchObject({
        code: 'SY_OUTBOUND_TIMEOUT',
      });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(invocations).toEqual(['slow']);
    } finally {
      await connection.close();
    }
  });

  it('cannot reach the loopback under the default policy', async () => {
    await expect(
      connectMcp({ kind: 'http', url }, { outbound: strict.fetch, stdioAllow: [], timeoutMs: 5000 }),
    ).rejects.toMatchObject({ code: 'SY_OUTBOUND_BLOCKED', message: expect.stringContaining('loopback') });
    expect(requests).toEqual([]);
  });
});

describe('an MCP server over stdio', () => {
  it('starts a command on the allow-list and calls its tools', async () => {
    const marker = join(dir, 'allowed');
    const command = { command: process.execPath, args: [STDIO_SERVER, marker] };
    const connection = await connectMcp(
      { kind: 'stdio', ...command },
      { outbound: strict.fetch, stdioAllow: [command], timeoutMs: 10_000 },
    );
    try {
      expect(existsSync(marker)).toBe(true);
      expect((await connection.listTools()).map((tool) => tool.name)).toEqual(['echo']);
      expect(await connection.callTool('echo', { text: 'hi' })).toMatchObject({
        content: [{ type: 'text', text: 'echo: hi' }],
        isError: false,
      });
      await expect(connection.callTool('echo', { text: 7 })).rejects.toMatchObject({
        code: 'SY_INPUT_INVALID',
      });
    } finally {
      await connection.close();
    }
  });

  it('refuses any other command or arguments without starting anything', async () => {
    const marker = join(dir, 'refused');
    const allowed = { command: process.execPath, args: [STDIO_SERVER, join(dir, 'allowed')] };
    for (const wanted of [
      { command: process.execPath, args: [STDIO_SERVER, marker] },
      { command: 'node', args: allowed.args },
      { command: process.execPath, args: [...allowed.args, marker] },
    ]) {
      await expect(
        connectMcp({ kind: 'stdio', ...wanted }, { outbound: strict.fetch, stdioAllow: [allowed] }),
      ).rejects.toMatchObject({
        code: 'SY_OUTBOUND_BLOCKED',
        message: expect.stringContaining("not on the operator's stdio allow-list"),
      });
    }
    await sleep(300);
    expect(existsSync(marker)).toBe(false);
  });

  it('reads the allow-list from the environment, and refuses a malformed one', () => {
    expect(stdioAllowFromEnv({})).toEqual([]);
    expect(
      stdioAllowFromEnv({ [STDIO_ALLOW_VARIABLE]: '[{"command": "/usr/bin/mcp-time", "args": ["--utc"]}]' }),
    ).toEqual([{ command: '/usr/bin/mcp-time', args: ['--utc'] }]);
    for (const bad of ['{', '[{"command": ""}]', '[{"command": "x", "shell": true}]']) {
      expect(() => stdioAllowFromEnv({ [STDIO_ALLOW_VARIABLE]: bad })).toThrow(
        expect.objectContaining({ code: 'SY_CONFIG_INVALID' }),
      );
    }
  });
});
