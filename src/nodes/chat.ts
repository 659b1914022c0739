/**
 * @module `chat`: the entry node of a chatbot. `POST /api/v1/conversations/{id}/messages` stores the
 * user's message and starts the workflow here with the conversation's recent messages; the
 * workflow's output becomes the assistant's reply (its `text`, usage, model and cost when present).
 */
import { z } from 'zod';
import { defineNode } from './node-type.ts';

export const DEFAULT_HISTORY_MESSAGES = 20;

export const chatParams = z.strictObject({
  historyMessages: z
    .int()
    .min(0)
    .max(500)
    .default(DEFAULT_HISTORY_MESSAGES)
    .describe('How many earlier messages of the conversation come along as `history`.'),
});

export type ChatParams = z.output<typeof chatParams>;

/** One earlier message, in the shape an llm node's `messages` takes. */
export interface ChatTurn {
  readonly role: 'user' | 'assistant' | 'system' | 'tool';
  readonly content: string;
  /** Its place in the conversation (1, 2, 3…). */
  readonly seq: number;
}

export const chatNode = defineNode({
  type: 'chat',
  title: 'Chat',
  description:
    'Starts the workflow for each message posted to one of its conversations; outputs ' +
    '{ conversationId, message, history, summary, earlier } — the message text; the latest earlier messages, ' +
    'oldest first, as { role, content, seq }; the running summary { text, throughSeq } (or null); and the ' +
    'older messages the summary does not cover yet (an agent with `memory.summarize` folds them in). ' +
    'The output (or its `text`) is stored as the reply.',
  category: 'trigger',
  params: chatParams,
  // The server reads it from the stored definition to fetch the history: it must be a literal.
  staticParams: ['historyMessages'],
  shape: { role: 'entry', inputs: [], outputs: ['out'], join: { kind: 'all' } },
  run: async (_ctx, { input }) => ({ out: input ?? null }),
});
