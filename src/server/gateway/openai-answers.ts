/** @module Gateway results in OpenAI's shapes: completions, stream chunks, usage, finish reasons. */
import type { LlmResult, LlmToolCall } from '../../llm/gateway/types.ts';

const FINISH: Readonly<Record<string, string>> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
};

export function finishReasonOf(result: LlmResult): string {
  return FINISH[result.finishReason] ?? 'stop';
}

export function usageOf(result: LlmResult) {
  return {
    prompt_tokens: result.usage.inputTokens,
    completion_tokens: result.usage.outputTokens,
    total_tokens: result.usage.inputTokens + result.usage.outputTokens,
  };
}

function toolCallsOf(calls: readonly LlmToolCall[]) {
  return calls.map((call, index) => ({
    index,
    id: call.id,
    type: 'function' as const,
    function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) },
  }));
}

export function completionOf(id: string, created: number, result: LlmResult) {
  const toolCalls = toolCallsOf(result.toolCalls).map(({ index: _index, ...call }) => call);
  return {
    id,
    object: 'chat.completion' as const,
    created,
    model: result.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: result.toolCalls.length > 0 && result.text === '' ? null : result.text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          refusal: null,
        },
        logprobs: null,
        finish_reason: finishReasonOf(result),
      },
    ],
    usage: usageOf(result),
  };
}

export function chunkOf(
  id: string,
  created: number,
  model: string,
  delta: Record<string, unknown>,
  finish: string | null,
) {
  return {
    id,
    object: 'chat.completion.chunk' as const,
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
}

export function toolCallDeltas(calls: readonly LlmToolCall[]) {
  return toolCallsOf(calls);
}
