/**
 * @module A model's tool arguments against the tool's JSON Schema, before the call. The validator
 * (Ajv, through the MCP SDK) is loaded with the first agent's first tool call, not at start.
 */
export async function checkArguments(
  tool: string,
  schema: Readonly<Record<string, unknown>>,
  args: unknown,
): Promise<void> {
  const { argumentsCheck } = await import('../../mcp/tool-arguments.ts');
  argumentsCheck(
    tool,
    schema as Parameters<typeof argumentsCheck>[1],
  )((args ?? {}) as Record<string, unknown>);
}
