/**
 * @module What a chat workflow answered, as an assistant message: the output's `text` (or the output
 * itself as text), and — when an llm node's output reaches the end — its model, tokens and cost.
 */
import type { NewMessage } from '../store/conversation-ports.ts';

export type ReplyFields = Pick<
  NewMessage,
  'content' | 'model' | 'inputTokens' | 'outputTokens' | 'costMicros'
>;

export function replyOf(output: unknown): ReplyFields {
  const record = isRecord(output) ? output : {};
  const usage = isRecord(record.usage) ? record.usage : {};
  return {
    content:
      typeof record.text === 'string'
        ? record.text
        : typeof output === 'string'
          ? output
          : JSON.stringify(output ?? null),
    model: typeof record.model === 'string' ? record.model : null,
    inputTokens: count(usage.inputTokens),
    outputTokens: count(usage.outputTokens),
    // Micro-dollars: whole numbers add up exactly, where fractions of a dollar would drift.
    costMicros:
      typeof record.costUsd === 'number' && record.costUsd > 0 ? Math.round(record.costUsd * 1e6) : 0,
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
