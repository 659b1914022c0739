/**
 * @module The storage port of conversations: a chat with a workflow, and its messages in the order
 * they were said (seq per conversation, assigned by the store). Every read and write is scoped by
 * workspace, so another workspace's conversation reads as absent.
 */

import type { Page, PageRequest } from './page.ts';

export type MessageRole = 'user' | 'assistant' | 'system' | 'tool';

export interface StoredConversation {
  readonly id: string;
  readonly workspaceId: string;
  /** The workflow that answers (its chat trigger). */
  readonly workflowId: string;
  readonly title: string | null;
  /** `user:<id>` or `key:<id>`. */
  readonly createdBy: string;
  readonly createdAt: number;
  /** When the last message was added (the creation time before any). */
  readonly updatedAt: number;
  /** A running summary of the messages up to `summaryThroughSeq` (agents' memory), if any. */
  readonly summary: string | null;
  readonly summaryThroughSeq: number;
}

export interface NewConversation {
  readonly id: string;
  readonly workspaceId: string;
  readonly workflowId: string;
  readonly title?: string | null;
  readonly createdBy: string;
  readonly now: number;
}

export interface StoredMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly workspaceId: string;
  /** 1, 2, 3… per conversation: the order the messages were added. */
  readonly seq: number;
  readonly role: MessageRole;
  readonly content: string;
  /** The execution that produced (assistant) or received (user) the message. */
  readonly executionId: string | null;
  /** The model that answered, when one did. */
  readonly model: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Millionths of a US dollar. */
  readonly costMicros: number;
  readonly createdAt: number;
}

export interface NewMessage {
  readonly id: string;
  readonly role: MessageRole;
  readonly content: string;
  readonly executionId?: string | null;
  readonly model?: string | null;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly costMicros?: number;
  readonly now: number;
}

export interface MessagePageRequest {
  /** Only messages after this seq (0 or absent: from the first). */
  readonly afterSeq?: number;
  /** 1–500. */
  readonly limit: number;
}

export interface MessagePage {
  readonly items: readonly StoredMessage[];
  /** Pass as `afterSeq` for the next page; absent on the last page. */
  readonly nextSeq?: number;
}

export interface ConversationRepository {
  create(conversation: NewConversation): Promise<StoredConversation>;
  get(workspaceId: string, id: string): Promise<StoredConversation | undefined>;
  /** Newest first. */
  list(
    workspaceId: string,
    filter: PageRequest & { readonly workflowId?: string },
  ): Promise<Page<StoredConversation>>;
  /** Deletes the conversation and its messages. */
  delete(workspaceId: string, id: string): Promise<boolean>;
  /**
   * Adds a message as the conversation's next seq (last + 1, atomically even when called
   * concurrently) and touches its `updatedAt`; undefined when the conversation does not exist.
   */
  append(
    workspaceId: string,
    conversationId: string,
    message: NewMessage,
  ): Promise<StoredMessage | undefined>;
  /** Oldest first, by seq. */
  messages(workspaceId: string, conversationId: string, page: MessagePageRequest): Promise<MessagePage>;
  /** Stores a newer running summary; a summary through an earlier seq than the stored one is ignored. */
  saveSummary(
    workspaceId: string,
    conversationId: string,
    summary: { readonly text: string; readonly throughSeq: number },
  ): Promise<boolean>;
  /** The last `maxMessages` messages (before `beforeSeq` when given), oldest first: a chat's memory. */
  recent(
    workspaceId: string,
    conversationId: string,
    window: { readonly maxMessages: number; readonly beforeSeq?: number },
  ): Promise<StoredMessage[]>;
}
