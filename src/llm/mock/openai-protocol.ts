/**
 * @module The OpenAI Chat Completions wire format: reading a request, and writing an answer as a
 * `chat.completion`, as `chat.completion.chunk` events ending in `[DONE]`, or as an error body.
 */
import { type ChatRequest, type Content, estimateTokens, piecesOf } from './answer.ts';
import type { ChatProtocol } from './protocol.ts';
import { dataFrame, type Frame } from './sse.ts';
import { isRecord, positiveIntegerOf, textOf } from './values.ts';

export const openAiProtocol: ChatProtocol = {
  name: 'openai',
  responseIdPrefix: 'chatcmpl-mock',
  toolIdPrefix: 'call_mock',
  read: readOpenAiChat,
  completion: openAiCompletion,
  frames: openAiFrames,
  error: openAiError,
};

/** The request as the model sees it, or why it is not a chat request. */
export function readOpenAiChat(body: unknown): ChatRequest | string {
  if (!isRecord(body)) return 'The request body must be a JSON object.';
  const { model, messages } = body;
  if (typeof model !== 'string' || model === '') return 'you must provide a model parameter';
  if (!Array.isArray(messages)) return "'messages' is a required property";
  let promptChars = 0;
  let lastUserText = '';
  let toolResults: string[] = [];
  for (const message of messages) {
    if (!isRecord(message)) return 'Each message must be an object.';
    const text = textOf(message.content);
    promptChars += text.length;
    if (message.role === 'tool') {
      toolResults.push(text);
      continue;
    }
    toolResults = [];
    if (message.role === 'user') lastUserText = text;
  }
  return {
    model,
    protocol: 'openai',
    stream: body.stream === true,
    includeUsage: isRecord(body.stream_options) && body.stream_options.include_usage === true,
    lastUserText,
    toolResultText: toolResults.length > 0 ? toolResults.join('\n') : undefined,
    promptTokens: estimateTokens(promptChars),
    maxTokens: positiveIntegerOf(body.max_completion_tokens) ?? positiveIntegerOf(body.max_tokens),
    jsonSchema: jsonSchemaOf(body.response_format),
  };
}

function jsonSchemaOf(format: unknown): unknown {
  if (!isRecord(format)) return undefined;
  if (format.type === 'json_object') return { type: 'object' };
  if (format.type !== 'json_schema' || !isRecord(format.json_schema)) return undefined;
  return format.json_schema.schema ?? { type: 'object' };
}

function finishReasonOf(content: Content): string {
  if (content.kind === 'tools') return 'tool_calls';
  return content.truncated ? 'length' : 'stop';
}

function usageOf(request: ChatRequest, content: Content) {
  return {
    prompt_tokens: request.promptTokens,
    completion_tokens: content.outputTokens,
    total_tokens: request.promptTokens + content.outputTokens,
  };
}

export function openAiCompletion(request: ChatRequest, content: Content, id: string): unknown {
  const message =
    content.kind === 'text'
      ? { role: 'assistant', content: content.text, refusal: null }
      : {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: content.calls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.argumentsJson },
          })),
        };
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(content) }],
    usage: usageOf(request, content),
    system_fingerprint: null,
  };
}

export function openAiFrames(request: ChatRequest, content: Content, id: string): Frame[] {
  const created = Math.floor(Date.now() / 1000);
  // With include_usage every chunk says `usage: null` until the last, as the API does.
  const usage = request.includeUsage ? { usage: null } : {};
  const chunk = (kind: Frame['kind'], delta: unknown, finishReason: string | null = null): Frame =>
    dataFrame(kind, {
      id,
      object: 'chat.completion.chunk',
      created,
      model: request.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...usage,
    });
  const frames: Frame[] = [];
  if (content.kind === 'text') {
    frames.push(chunk('other', { role: 'assistant', content: '', refusal: null }));
    for (const piece of piecesOf(content.text, content.pace.chunkSize)) {
      frames.push(chunk('delta', { content: piece }));
    }
  } else {
    frames.push(chunk('other', { role: 'assistant', content: null, refusal: null }));
    content.calls.forEach((call, index) => {
      frames.push(
        chunk('other', {
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
          ],
        }),
      );
      for (const piece of piecesOf(call.argumentsJson, content.pace.chunkSize)) {
        frames.push(chunk('delta', { tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
  }
  frames.push(chunk('other', {}, finishReasonOf(content)));
  if (request.includeUsage) {
    frames.push(
      dataFrame('other', {
        id,
        object: 'chat.completion.chunk',
        created,
        model: request.model,
        system_fingerprint: null,
        choices: [],
        usage: usageOf(request, content),
      }),
    );
  }
  frames.push({ kind: 'other', data: 'data: [DONE]\n\n' });
  return frames;
}

/** OpenAI's error body; `type` and `code` follow what the API sends for that status. */
export function openAiError(status: number, message: string, type?: string): unknown {
  const fallback =
    status === 429
      ? { type: 'requests', code: 'rate_limit_exceeded' }
      : status >= 500
        ? { type: 'server_error', code: null }
        : status === 401
          ? { type: 'invalid_request_error', code: 'invalid_api_key' }
          : { type: 'invalid_request_error', code: null };
  return { error: { message, type: type ?? fallback.type, param: null, code: fallback.code } };
}

export function openAiModels(names: readonly string[]): unknown {
  return {
    object: 'list',
    data: names.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'switchyard-mock' })),
  };
}
