/**
 * @module The Anthropic Messages wire format: reading a request, and writing an answer as a `message`, as
 * the event sequence `message_start`, `ping`, content blocks with their deltas, `message_delta`,
 * `message_stop`, or as an error body.
 */
import { type ChatRequest, type Content, estimateTokens, piecesOf } from './answer.ts';
import type { ChatProtocol } from './protocol.ts';
import { eventFrame, type Frame } from './sse.ts';
import { isRecord, positiveIntegerOf, textOf } from './values.ts';

export const anthropicProtocol: ChatProtocol = {
  name: 'anthropic',
  responseIdPrefix: 'msg_mock',
  toolIdPrefix: 'toolu_mock',
  read: readAnthropicMessages,
  completion: anthropicMessage,
  frames: anthropicFrames,
  error: anthropicError,
};

export function readAnthropicMessages(body: unknown): ChatRequest | string {
  if (!isRecord(body)) return 'The request body must be a JSON object.';
  const { model, messages } = body;
  if (typeof model !== 'string' || model === '') return 'model: Field required';
  if (!Array.isArray(messages)) return 'messages: Field required';
  let promptChars = textOf(body.system).length;
  let lastUserText = '';
  let toolResultText: string | undefined;
  for (const message of messages) {
    if (!isRecord(message)) return 'messages: each message must be an object';
    const text = textOf(message.content);
    const results = toolResultsOf(message.content);
    promptChars += text.length + (results?.length ?? 0);
    toolResultText = message.role === 'user' ? results : undefined;
    // A user turn that only carries tool results is the model's turn to go on, not a new question.
    if (message.role === 'user' && (text !== '' || results === undefined)) lastUserText = text;
  }
  return {
    model,
    protocol: 'anthropic',
    stream: body.stream === true,
    includeUsage: true,
    lastUserText,
    toolResultText,
    promptTokens: estimateTokens(promptChars),
    maxTokens: positiveIntegerOf(body.max_tokens),
    jsonSchema: undefined,
  };
}

function toolResultsOf(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  const results: string[] = [];
  for (const block of content) {
    if (isRecord(block) && block.type === 'tool_result') results.push(textOf(block.content));
  }
  return results.length > 0 ? results.join('\n') : undefined;
}

function stopReasonOf(content: Content): string {
  if (content.kind === 'tools') return 'tool_use';
  return content.truncated ? 'max_tokens' : 'end_turn';
}

export function anthropicMessage(request: ChatRequest, content: Content, id: string): unknown {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content:
      content.kind === 'text'
        ? [{ type: 'text', text: content.text }]
        : content.calls.map((call) => ({
            type: 'tool_use',
            id: call.id,
            name: call.name,
            input: JSON.parse(call.argumentsJson),
          })),
    stop_reason: stopReasonOf(content),
    stop_sequence: null,
    usage: {
      input_tokens: request.promptTokens,
      output_tokens: content.outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

export function anthropicFrames(request: ChatRequest, content: Content, id: string): Frame[] {
  const frames: Frame[] = [
    eventFrame('head', 'message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // The API reports a token or so here and the real count in `message_delta`.
        usage: { input_tokens: request.promptTokens, output_tokens: 1 },
      },
    }),
    eventFrame('head', 'ping', { type: 'ping' }),
  ];
  const block = (index: number, contentBlock: unknown, deltas: readonly unknown[]) => {
    frames.push(
      eventFrame('other', 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: contentBlock,
      }),
    );
    for (const delta of deltas) {
      frames.push(eventFrame('delta', 'content_block_delta', { type: 'content_block_delta', index, delta }));
    }
    frames.push(eventFrame('other', 'content_block_stop', { type: 'content_block_stop', index }));
  };
  const size = content.pace.chunkSize;
  if (content.kind === 'text') {
    block(
      0,
      { type: 'text', text: '' },
      piecesOf(content.text, size).map((text) => ({ type: 'text_delta', text })),
    );
  } else {
    content.calls.forEach((call, index) => {
      block(
        index,
        { type: 'tool_use', id: call.id, name: call.name, input: {} },
        piecesOf(call.argumentsJson, size).map((partial) => ({
          type: 'input_json_delta',
          partial_json: partial,
        })),
      );
    });
  }
  frames.push(
    eventFrame('other', 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReasonOf(content), stop_sequence: null },
      usage: { output_tokens: content.outputTokens },
    }),
    eventFrame('other', 'message_stop', { type: 'message_stop' }),
  );
  return frames;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function anthropicError(status: number, message: string, type?: string): unknown {
  const fallback = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type: type ?? fallback, message } };
}

export function anthropicModels(names: readonly string[]): unknown {
  return {
    data: names.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
    has_more: false,
    first_id: names[0] ?? null,
    last_id: names.at(-1) ?? null,
  };
}
