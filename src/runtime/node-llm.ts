/**
 * @module `ctx.llm`: the gateway bound to one node run — its workspace, workflow, execution and node
 * go to the ledger and budgets, its signal cancels the call. Without a gateway, calls fail clearly.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { LlmGateway } from '../llm/gateway/llm-gateway.ts';
import type { NodeLlm } from '../nodes/context.ts';

export function nodeLlm(
  gateway: LlmGateway | undefined,
  bound: {
    readonly workspaceId: string;
    readonly workflowId: string | undefined;
    readonly executionId: string;
    readonly nodeId: string;
    readonly signal: AbortSignal;
  },
): NodeLlm {
  const context = {
    workspaceId: bound.workspaceId,
    ...(bound.workflowId === undefined ? {} : { workflowId: bound.workflowId }),
    executionId: bound.executionId,
    nodeId: bound.nodeId,
    signal: bound.signal,
  };
  const available = (): LlmGateway => {
    if (!gateway) {
      throw new SwitchyardError('SY_LLM_UNAVAILABLE', 'no LLM gateway is set up where this workflow runs', {
        hint: 'Run it through `switchyard serve` (or `switchyard run --durable`), which configure the gateway.',
        retryable: false,
      });
    }
    return gateway;
  };
  return {
    generate: async (request, options = {}) =>
      available().generate(request, {
        ...context,
        ...(options.onDelta ? { onDelta: options.onDelta } : {}),
        ...(options.onDecision ? { onDecision: options.onDecision } : {}),
      }),
    embed: async (request) => available().embed(request, context),
  };
}
