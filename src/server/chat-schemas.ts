/** @module The shapes of /api/v1/conversations: a conversation, a message, and a turn's answer. */
import { z } from 'zod';
import type { StoredConversation, StoredMessage } from '../store/conversation-ports.ts';
import { isoOf } from './common-schemas.ts';

export const conversationSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    title: z.string().nullable(),
    createdBy: z.string().describe('`user:<id>` or `key:<id>`.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().describe('When the last message was added.'),
    summary: z
      .object({ text: z.string(), throughSeq: z.int() })
      .nullable()
      .describe('The running summary agents keep of the messages up to `throughSeq`, if any.'),
  })
  .meta({ id: 'Conversation' });

export const messageSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    seq: z.int().describe('1, 2, 3… in the order the messages were added.'),
    role: z.enum(['user', 'assistant', 'system', 'tool']),
    content: z.string(),
    executionId: z.string().nullable().describe('The execution the message went to (user) or came from.'),
    model: z.string().nullable(),
    inputTokens: z.int(),
    outputTokens: z.int(),
    costUsd: z.number(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ConversationMessage' });

export const turnSchema = z
  .object({
    executionId: z.string(),
    message: messageSchema.describe('The user’s message, as stored.'),
    reply: messageSchema.describe('The assistant’s reply, as stored.'),
  })
  .meta({ id: 'ChatTurn' });

export const conversationOf = (conversation: StoredConversation) => ({
  id: conversation.id,
  workflowId: conversation.workflowId,
  title: conversation.title,
  createdBy: conversation.createdBy,
  createdAt: isoOf(conversation.createdAt),
  updatedAt: isoOf(conversation.updatedAt),
  summary:
    conversation.summary === null
      ? null
      : { text: conversation.summary, throughSeq: conversation.summaryThroughSeq },
});

export const messageOf = (message: StoredMessage) => ({
  id: message.id,
  conversationId: message.conversationId,
  seq: message.seq,
  role: message.role,
  content: message.content,
  executionId: message.executionId,
  model: message.model,
  inputTokens: message.inputTokens,
  outputTokens: message.outputTokens,
  costUsd: message.costMicros / 1e6,
  createdAt: isoOf(message.createdAt),
});
