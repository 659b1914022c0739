/**
 * @module Runs one tool call of an agent. Whatever goes wrong — an unknown tool, arguments that
 * break the schema, a failed request — comes back as an error result the model reads and can act
 * on, not as a failure of the node.
 */
import { SwitchyardError, toErrorData } from '../../errors/switchyard-error.ts';
import type { LlmToolCall } from '../../llm/gateway/types.ts';
import type { NodeContext } from '../context.ts';
import { httpParams, sendHttp } from '../http.ts';
import { checkArguments } from './check-arguments.ts';
import type { ToolSpec } from './tool-specs.ts';

/** What the model sees of a result: bounded, so one verbose tool cannot flood the context window. */
const MAX_RESULT_CHARS = 20_000;

export interface ToolOutcome {
  readonly content: string;
  readonly isError: boolean;
}

export async function runTool(
  ctx: NodeContext,
  tools: readonly ToolSpec[],
  call: LlmToolCall,
  idempotencyKey: string,
): Promise<ToolOutcome> {
  const tool = tools.find((candidate) => candidate.name === call.name);
  if (!tool) {
    return failure(
      new SwitchyardError(
        'SY_INPUT_INVALID',
        `there is no tool "${call.name}"; the tools are: ${tools.map((t) => t.name).join(', ')}`,
      ),
    );
  }
  const args = (call.input ?? {}) as Record<string, unknown>;
  try {
    await checkArguments(tool.name, tool.parameters, args);
    const timeout = AbortSignal.timeout(tool.timeoutMs);
    const result = await withTimeout(run(ctx, tool, args, idempotencyKey), timeout, tool);
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return {
      content: text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}… (cut)` : text,
      isError: false,
    };
  } catch (error) {
    // Stopped, not failed: nothing to tell the model, and nothing to record; the call runs again on resume.
    if (ctx.signal.aborted) throw error;
    return failure(error);
  }
}

async function run(ctx: NodeContext, tool: ToolSpec, args: Record<string, unknown>, idempotencyKey: string) {
  switch (tool.kind) {
    case 'workflow':
      return ctx.runWorkflow(tool.workflow, args);
    case 'code':
      return ctx.code.run({ source: tool.source, input: args, limits: { timeoutMs: tool.timeoutMs } });
    case 'mcp': {
      const result = await ctx.mcpCall(tool.server, tool.tool ?? tool.name, args, {
        timeoutMs: tool.timeoutMs,
      });
      if (result.isError)
        throw new SwitchyardError('SY_OUTBOUND_STATUS', `the MCP tool reported a failure: ${result.text}`);
      return result.text;
    }
    case 'http': {
      const rest = { ...args };
      const url = tool.url.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
        const value = rest[name];
        delete rest[name];
        return encodeURIComponent(value === undefined ? '' : String(value));
      });
      const reads = tool.method === 'GET' || tool.method === 'DELETE';
      const response = await sendHttp(
        ctx,
        httpParams.parse({
          method: tool.method,
          url,
          // Repeated after a crash, the same call carries the same key: the service can do it once.
          headers: { 'idempotency-key': idempotencyKey, ...tool.headers },
          ...(reads ? { query: scalars(rest) } : { body: rest }),
          timeoutMs: tool.timeoutMs,
          failOnStatus: false,
          ...(tool.credential ? { credential: tool.credential, auth: tool.auth ?? 'bearer' } : {}),
        }),
      );
      return { status: response.status, body: response.body };
    }
  }
}

function scalars(args: Record<string, unknown>): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => [
      name,
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value),
    ]),
  );
}

function withTimeout<T>(work: Promise<T>, signal: AbortSignal, tool: ToolSpec): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timedOut = () =>
      reject(
        new SwitchyardError('SY_NODE_TIMEOUT', `tool "${tool.name}" took longer than ${tool.timeoutMs} ms`),
      );
    signal.addEventListener('abort', timedOut, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', timedOut));
  });
}

function failure(error: unknown): ToolOutcome {
  const data = toErrorData(error);
  return { content: `${data.code}: ${data.message}${data.hint ? ` (${data.hint})` : ''}`, isError: true };
}
