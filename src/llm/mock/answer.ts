/**
 * @module What the mock model answers to one chat request, protocol-neutral: the script's reply (or the
 * deterministic default) resolved into text, tool calls, an error or a drop, with its pacing and token counts.
 * The protocol modules only dress it in their wire shapes, so both protocols and both modes (streaming or
 * not) count and truncate alike.
 */
import { sampleOfSchema } from './json-sample.ts';
import type { MockReply, Protocol } from './script.ts';

/** A chat request, read from either protocol. */
export interface ChatRequest {
  readonly model: string;
  readonly protocol: Protocol;
  readonly stream: boolean;
  /** Whether a stream reports usage (always in Anthropic's; on request in OpenAI's). */
  readonly includeUsage: boolean;
  readonly lastUserText: string;
  /** The results of the tool calls the conversation ends with, if it does: the model's turn after a tool. */
  readonly toolResultText: string | undefined;
  readonly promptTokens: number;
  readonly maxTokens: number | undefined;
  /** The JSON Schema the client asked the answer to follow (OpenAI `response_format`). */
  readonly jsonSchema: unknown;
}

export interface Pace {
  readonly firstTokenDelayMs: number;
  readonly chunkDelayMs: number;
  readonly stallAfterChunks: number | undefined;
  readonly stallMs: number | undefined;
  readonly chunkSize: number;
  /** Destroy the socket halfway through the body. */
  readonly dropMidStream: boolean;
}

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly argumentsJson: string;
}

export type Answer =
  | {
      readonly kind: 'text';
      readonly text: string;
      readonly truncated: boolean;
      readonly outputTokens: number;
      readonly pace: Pace;
    }
  | {
      readonly kind: 'tools';
      readonly calls: readonly ToolCall[];
      readonly outputTokens: number;
      readonly pace: Pace;
    }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly message: string | undefined;
      readonly type: string | undefined;
      readonly retryAfterSeconds: number | undefined;
      readonly pace: Pace;
    }
  | { readonly kind: 'drop-before-headers'; readonly pace: Pace };

/** An answer that is content, which each protocol renders as a response or a stream. */
export type Content = Extract<Answer, { kind: 'text' | 'tools' }>;
export type Fault = Extract<Answer, { kind: 'error' | 'drop-before-headers' }>;

/** Small enough that short answers still stream in several deltas, large enough to stay cheap. */
const DEFAULT_CHUNK_SIZE = 4;

/** A cheap, deterministic stand-in for a tokenizer (about four characters a token). */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function paceOf(reply: MockReply | undefined): Pace {
  return {
    firstTokenDelayMs: reply?.firstTokenDelayMs ?? 0,
    chunkDelayMs: reply?.chunkDelayMs ?? 0,
    stallAfterChunks: reply?.stallAfterChunks,
    stallMs: reply?.stallMs,
    chunkSize: reply?.chunkSize ?? DEFAULT_CHUNK_SIZE,
    dropMidStream: reply !== undefined && 'drop' in reply && reply.drop === 'mid-stream',
  };
}

/** The reply's fault — an error status or a dropped connection — if it is one. */
export function faultOf(reply: MockReply | undefined): Fault | undefined {
  if (reply === undefined) return undefined;
  if ('error' in reply) {
    const { status, message, type, retryAfterSeconds } = reply.error;
    return { kind: 'error', status, message, type, retryAfterSeconds, pace: paceOf(reply) };
  }
  if ('drop' in reply && reply.drop === 'before-headers')
    return { kind: 'drop-before-headers', pace: paceOf(reply) };
  return undefined;
}

export function answerOf(request: ChatRequest, reply: MockReply | undefined, nextId: () => string): Answer {
  const fault = faultOf(reply);
  if (fault !== undefined) return fault;
  const pace = paceOf(reply);
  if (reply !== undefined && 'toolCalls' in reply) {
    const calls = reply.toolCalls.map((call) => ({
      id: nextId(),
      name: call.name,
      argumentsJson: JSON.stringify(call.arguments),
    }));
    const chars = calls.reduce((sum, call) => sum + call.name.length + call.argumentsJson.length, 0);
    return { kind: 'tools', calls, outputTokens: estimateTokens(chars), pace };
  }
  return textAnswer(request, replyText(request, reply), pace);
}

function replyText(request: ChatRequest, reply: MockReply | undefined): string {
  if (reply !== undefined && 'text' in reply) return reply.text;
  if (reply !== undefined && 'json' in reply) return JSON.stringify(reply.json);
  if (reply !== undefined && 'echo' in reply) return request.lastUserText;
  if (request.jsonSchema !== undefined) return JSON.stringify(sampleOfSchema(request.jsonSchema));
  if (request.toolResultText !== undefined) return `Tool result: ${request.toolResultText}`;
  return `Echo: ${request.lastUserText}`;
}

function textAnswer(request: ChatRequest, full: string, pace: Pace): Answer {
  const limit = request.maxTokens === undefined ? Number.POSITIVE_INFINITY : request.maxTokens * 4;
  const truncated = full.length > limit;
  const text = truncated ? full.slice(0, limit) : full;
  return { kind: 'text', text, truncated, outputTokens: estimateTokens(text.length), pace };
}

/** The text cut into deltas of `size` characters (code points, so no delta splits a surrogate pair). */
export function piecesOf(text: string, size: number): string[] {
  if (text.length <= size) return text === '' ? [] : [text];
  const chars = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces;
}

/** The characters an answer streams, which set how long its non-streamed twin takes. */
export function outputCharsOf(content: Content): number {
  if (content.kind === 'text') return content.text.length;
  return content.calls.reduce((sum, call) => sum + call.argumentsJson.length, 0);
}
