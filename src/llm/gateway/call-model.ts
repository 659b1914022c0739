/**
 * @module One attempt at one model, streamed so that the first-token, idle and total timeouts
 * apply. The answer counts only if the model said it finished; a stream that ends or breaks
 * without its finish is a failure (retried whole by the chain), never a truncated success.
 */
import type { LanguageModel, ModelMessage, ToolSet } from 'ai';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { ProviderFailure } from '../reliability/retry-policy.ts';
import { withStreamTimeouts } from '../reliability/timeouts.ts';
import type { LlmMessage, LlmRequest, LlmToolCall, LlmUsage } from './types.ts';

export interface Timeouts {
  readonly firstTokenMs: number;
  readonly idleMs: number;
  readonly totalMs: number;
}

export interface Attempt {
  readonly text: string;
  readonly toolCalls: readonly LlmToolCall[];
  readonly object?: unknown;
  readonly finishReason: string;
  readonly usage: LlmUsage;
}

const COMPLETE = new Set(['stop', 'length', 'tool-calls', 'content-filter']);

export async function callModel(options: {
  readonly model: LanguageModel;
  readonly request: LlmRequest;
  readonly messages: readonly LlmMessage[];
  readonly maxOutputTokens: number;
  readonly timeouts: Timeouts;
  readonly signal: AbortSignal;
  readonly onDelta?: (text: string) => void;
}): Promise<Attempt> {
  const { request } = options;
  // Loaded on first call, not at start: the SDK is a sizeable import.
  const { generateText, jsonSchema, Output, streamText, tool } = await import('ai');
  const abort = new AbortController();
  const signal = AbortSignal.any([options.signal, abort.signal]);
  // The SDK takes system text apart from the conversation.
  const instructions = options.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const settings = {
    model: options.model,
    ...(instructions === '' ? {} : { instructions }),
    messages: options.messages.flatMap(toModelMessage),
    maxOutputTokens: options.maxOutputTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.topP === undefined ? {} : { topP: request.topP }),
    ...(request.stop ? { stopSequences: [...request.stop] } : {}),
    ...(request.tools && request.tools.length > 0 ? { tools: toolSet(request, tool, jsonSchema) } : {}),
    ...(request.responseSchema
      ? { output: Output.object({ schema: jsonSchema(request.responseSchema) }) }
      : {}),
    // The gateway's chain retries, with breakers and fallbacks; the SDK must not retry underneath it.
    maxRetries: 0,
  };
  if (!options.onDelta) {
    // Nobody watches the text arrive: one plain answer is cheaper than a stream; the total timeout still holds.
    const total = AbortSignal.timeout(options.timeouts.totalMs);
    try {
      const answer = await generateText({ ...settings, abortSignal: AbortSignal.any([signal, total]) });
      const finishReason = answer.finishReason;
      if (!COMPLETE.has(finishReason)) {
        throw new ProviderFailure({
          kind: 'stream-broken',
          message: `the answer ended without finishing (${finishReason})`,
        });
      }
      return {
        text: answer.text,
        toolCalls: answer.toolCalls.map((call) => ({
          id: call.toolCallId,
          name: call.toolName,
          input: call.input,
        })),
        ...(request.responseSchema
          ? {
              object: await structuredOutput(
                Promise.resolve().then(() => answer.output),
                answer.text,
              ),
            }
          : {}),
        finishReason,
        usage: {
          inputTokens: answer.totalUsage.inputTokens ?? 0,
          outputTokens: answer.totalUsage.outputTokens ?? 0,
          cachedInputTokens: answer.totalUsage.inputTokenDetails?.cacheReadTokens ?? 0,
        },
      };
    } catch (error) {
      if (total.aborted && !options.signal.aborted) {
        throw new SwitchyardError('SY_LLM_TIMEOUT', `no answer within ${options.timeouts.totalMs} ms`, {
          cause: error,
        });
      }
      throw asRequestError(error) ?? error;
    }
  }
  const result = streamText({
    ...settings,
    abortSignal: signal,
    // Failures arrive as stream parts and are handled below; the SDK's default would print them.
    onError: () => {},
  });
  let text = '';
  const toolCalls: LlmToolCall[] = [];
  let finishReason: string | undefined;
  let usage: LlmUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  const parts = withStreamTimeouts(result.fullStream, {
    firstChunkMs: options.timeouts.firstTokenMs,
    idleMs: options.timeouts.idleMs,
    totalMs: options.timeouts.totalMs,
    signal: options.signal,
    onAbort: (reason) => abort.abort(reason),
  });
  for await (const part of parts) {
    switch (part.type) {
      case 'text-delta':
        text += part.text;
        options.onDelta?.(part.text);
        break;
      case 'tool-call':
        toolCalls.push({ id: part.toolCallId, name: part.toolName, input: part.input });
        break;
      case 'error':
        throw asRequestError(part.error) ?? part.error;
      case 'finish':
        finishReason = part.finishReason;
        usage = {
          inputTokens: part.totalUsage.inputTokens ?? 0,
          outputTokens: part.totalUsage.outputTokens ?? 0,
          cachedInputTokens: part.totalUsage.inputTokenDetails?.cacheReadTokens ?? 0,
        };
        break;
      default:
        break;
    }
  }
  if (finishReason === undefined || !COMPLETE.has(finishReason)) {
    throw new ProviderFailure({
      kind: 'stream-broken',
      message: `the answer ended without finishing (${finishReason ?? 'no finish'}) after ${text.length} characters`,
    });
  }
  return {
    text,
    toolCalls,
    ...(request.responseSchema ? { object: await structuredOutput(result.output, text) } : {}),
    finishReason,
    usage,
  };
}

/** Our turns in the SDK's message shapes; system text travels as `instructions` instead. */
function toModelMessage(message: LlmMessage): ModelMessage[] {
  switch (message.role) {
    case 'system':
      return [];
    case 'user':
      return [{ role: 'user', content: message.content }];
    case 'assistant':
      if (!message.toolCalls?.length) return [{ role: 'assistant', content: message.content }];
      return [
        {
          role: 'assistant',
          content: [
            ...(message.content === '' ? [] : [{ type: 'text' as const, text: message.content }]),
            ...message.toolCalls.map((call) => ({
              type: 'tool-call' as const,
              toolCallId: call.id,
              toolName: call.name,
              input: call.input,
            })),
          ],
        },
      ];
    case 'tool':
      return [
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: message.toolCallId,
              toolName: message.toolName,
              output: message.isError
                ? { type: 'error-text', value: message.content }
                : { type: 'text', value: message.content },
            },
          ],
        },
      ];
  }
}

/** The SDK's own refusals of a malformed prompt or argument: the request's fault, no model can help. */
function asRequestError(error: unknown): SwitchyardError | undefined {
  if (!(error instanceof Error) || !/^AI_Invalid(Prompt|Argument)Error$/.test(error.name)) return undefined;
  return new SwitchyardError('SY_LLM_REQUEST_INVALID', error.message, { cause: error });
}

function toolSet(
  request: LlmRequest,
  tool: typeof import('ai').tool,
  jsonSchema: typeof import('ai').jsonSchema,
): ToolSet {
  const tools: ToolSet = {};
  for (const definition of request.tools ?? []) {
    tools[definition.name] = tool({
      ...(definition.description ? { description: definition.description } : {}),
      inputSchema: jsonSchema(definition.parameters),
    });
  }
  return tools;
}

async function structuredOutput(output: PromiseLike<unknown>, text: string): Promise<unknown> {
  try {
    return await output;
  } catch (error) {
    throw new SwitchyardError(
      'SY_LLM_OUTPUT_INVALID',
      'the model answered, but not with an object of the required schema',
      {
        cause: error,
        details: { answer: text.slice(0, 2000) },
      },
    );
  }
}
