/**
 * @module The tools an agent may be given, as parameters: an HTTP request (through the SSRF-guarded
 * client), another workflow, code in the sandbox, or a tool on an MCP server. Each has a name, a description for the model,
 * a JSON Schema for its arguments and a timeout.
 */
import { z } from 'zod';

const common = {
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'letters, digits, `_` and `-`, starting with a letter'),
  description: z.string().min(1).max(2000).describe('What the tool does, for the model.'),
  parameters: z
    .record(z.string(), z.unknown())
    .default({ type: 'object', properties: {}, additionalProperties: true })
    .describe(
      "JSON Schema of the tool's arguments; the model's arguments are checked against it before the call.",
    ),
  timeoutMs: z.int().min(100).max(300_000).default(30_000),
};

export const toolSpec = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('http'),
    ...common,
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    url: z
      .string()
      .min(1)
      .max(8192)
      .describe(
        '`{name}` is replaced by that argument (URL-encoded); the other arguments go in the query (GET) or the JSON body.',
      ),
    headers: z.record(z.string(), z.string()).optional(),
    credential: z.string().min(1).optional(),
    auth: z.enum(['bearer', 'basic', 'header', 'query']).optional(),
  }),
  z.strictObject({
    kind: z.literal('workflow'),
    ...common,
    workflow: z
      .string()
      .min(1)
      .max(200)
      .describe('The workflow to run with the arguments as input (its id in the server).'),
  }),
  z.strictObject({
    kind: z.literal('mcp'),
    ...common,
    server: z
      .union([
        z.strictObject({ url: z.url(), headers: z.record(z.string(), z.string()).optional() }),
        z.strictObject({ command: z.string().min(1), args: z.array(z.string()).default([]) }),
      ])
      .describe(
        'Streamable HTTP by URL (through the SSRF guard), or a stdio command on the operator allow-list.',
      ),
    tool: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe("The server's name for the tool; `name` when absent."),
  }),
  z.strictObject({
    kind: z.literal('code'),
    ...common,
    source: z
      .string()
      .min(1)
      .max(200_000)
      .describe('Body of an async function; `input` holds the arguments.'),
  }),
]);

export type ToolSpec = z.output<typeof toolSpec>;
