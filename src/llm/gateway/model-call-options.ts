/**
 * @module A gateway request as the call options of an AI SDK provider model (the SDK's language
 * model specification, v4): the prompt, the sampling settings, the tools and the response format.
 * The gateway calls the provider's model directly rather than through `generateText`/`streamText`:
 * those add per-call work the gateway does not use (prompt re-validation, telemetry events, a
 * tracing channel, step and tool-approval machinery, a chain of stream transforms) — measured
 * against the mock upstream, ~115 µs of CPU per plain call and ~0.75–2 ms per streamed one.
 */
import type { ProviderModel } from '../providers/model-factory.ts';
import type { LlmMessage, LlmRequest } from './types.ts';

export type CallOptions = Parameters<ProviderModel['doGenerate']>[0];
type Prompt = CallOptions['prompt'];
type PromptMessage = Prompt[number];

export function callOptionsOf(
  request: LlmRequest,
  messages: readonly LlmMessage[],
  maxOutputTokens: number,
  abortSignal: AbortSignal,
): CallOptions {
  const tools = request.tools ?? [];
  return {
    prompt: promptOf(messages),
    maxOutputTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.topP === undefined ? {} : { topP: request.topP }),
    ...(request.stop ? { stopSequences: [...request.stop] } : {}),
    ...(tools.length > 0
      ? {
          tools: tools.map((tool) => ({
            type: 'function' as const,
            name: tool.name,
            ...(tool.description ? { description: tool.description } : {}),
            inputSchema: tool.parameters,
          })),
          toolChoice: { type: 'auto' as const },
        }
      : {}),
    ...(request.responseSchema
      ? { responseFormat: { type: 'json' as const, schema: request.responseSchema } }
      : {}),
    abortSignal,
  };
}

/**
 * The system turns joined into one system message first (as the SDK does with `instructions`), the
 * other turns in order, consecutive tool results merged into one tool message.
 */
export function promptOf(messages: readonly LlmMessage[]): Prompt {
  const system = messages.flatMap((message) => (message.role === 'system' ? [message.content] : []));
  const prompt: PromptMessage[] = system.length > 0 ? [{ role: 'system', content: system.join('\n\n') }] : [];
  for (const message of messages) {
    const converted = messageOf(message);
    const last = prompt.at(-1);
    if (converted?.role === 'tool' && last?.role === 'tool') last.content.push(...converted.content);
    else if (converted) prompt.push(converted);
  }
  return prompt;
}

function messageOf(message: LlmMessage): PromptMessage | undefined {
  switch (message.role) {
    case 'system':
      return undefined;
    case 'user':
      return { role: 'user', content: [{ type: 'text', text: message.content }] };
    case 'assistant':
      return {
        role: 'assistant',
        content: [
          ...(message.content === '' && message.toolCalls?.length
            ? []
            : [{ type: 'text' as const, text: message.content }]),
          ...(message.toolCalls ?? []).map((call) => ({
            type: 'tool-call' as const,
            toolCallId: call.id,
            toolName: call.name,
            input: call.input,
          })),
        ],
      };
    case 'tool':
      return {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: message.toolCallId,
            toolName: message.toolName,
            output: { type: message.isError ? 'error-text' : 'text', value: message.content },
          },
        ],
      };
  }
}
