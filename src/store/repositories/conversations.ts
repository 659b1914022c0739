/**
 * @module Conversations and their messages. `append` touches the conversation row before it reads
 * the last seq: that takes the row lock (PostgreSQL) or the write lock (SQLite), so concurrent
 * appends line up and each gets the next seq; the unique (conversation, seq) pair backs it up.
 */
import type { Kysely, Selectable } from 'kysely';
import type {
  ConversationRepository,
  MessageRole,
  StoredConversation,
  StoredMessage,
} from '../conversation-ports.ts';
import { pageLimit } from '../paging.ts';
import type { ConversationMessagesTable, ConversationsTable, Database } from '../schema.ts';
import { newestFirstPage } from './newest-first.ts';

export function conversationRepository(db: Kysely<Database>): ConversationRepository {
  const messagesOf = (workspaceId: string, conversationId: string) =>
    db
      .selectFrom('conversation_messages')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('conversation_id', '=', conversationId);

  return {
    async create(conversation) {
      const row: ConversationsTable = {
        id: conversation.id,
        workspace_id: conversation.workspaceId,
        workflow_id: conversation.workflowId,
        title: conversation.title ?? null,
        created_by: conversation.createdBy,
        created_at: conversation.now,
        updated_at: conversation.now,
        summary: null,
        summary_through_seq: 0,
      };
      await db.insertInto('conversations').values(row).execute();
      return toConversation(row);
    },

    async get(workspaceId, id) {
      const row = await db
        .selectFrom('conversations')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toConversation(row);
    },

    list: (workspaceId, filter) =>
      newestFirstPage(
        db
          .selectFrom('conversations')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .$if(filter.workflowId !== undefined, (q) => q.where('workflow_id', '=', filter.workflowId!)),
        filter,
        'id',
        toConversation,
      ),

    async saveSummary(workspaceId, conversationId, summary) {
      const result = await db
        .updateTable('conversations')
        .set({ summary: summary.text, summary_through_seq: summary.throughSeq })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', conversationId)
        .where('summary_through_seq', '<', summary.throughSeq)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async delete(workspaceId, id) {
      const result = await db
        .deleteFrom('conversations')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    append(workspaceId, conversationId, message) {
      return db.transaction().execute(async (trx) => {
        const touched = await trx
          .updateTable('conversations')
          .set({ updated_at: message.now })
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', conversationId)
          .executeTakeFirst();
        if (touched.numUpdatedRows === 0n) return undefined;
        const last = await trx
          .selectFrom('conversation_messages')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('conversation_id', '=', conversationId)
          .executeTakeFirst();
        const row: ConversationMessagesTable = {
          id: message.id,
          conversation_id: conversationId,
          workspace_id: workspaceId,
          seq: Number(last?.seq ?? 0) + 1,
          role: message.role,
          content: message.content,
          execution_id: message.executionId ?? null,
          model: message.model ?? null,
          input_tokens: message.inputTokens ?? 0,
          output_tokens: message.outputTokens ?? 0,
          cost_micros: message.costMicros ?? 0,
          created_at: message.now,
        };
        await trx.insertInto('conversation_messages').values(row).execute();
        return toMessage(row);
      });
    },

    async messages(workspaceId, conversationId, page) {
      const limit = pageLimit(page);
      const rows = await messagesOf(workspaceId, conversationId)
        .where('seq', '>', page.afterSeq ?? 0)
        .orderBy('seq', 'asc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toMessage);
      const last = items.at(-1);
      return rows.length > limit && last ? { items, nextSeq: last.seq } : { items };
    },

    async recent(workspaceId, conversationId, window) {
      if (window.maxMessages < 1) return [];
      const rows = await messagesOf(workspaceId, conversationId)
        .$if(window.beforeSeq !== undefined, (q) => q.where('seq', '<', window.beforeSeq!))
        .orderBy('seq', 'desc')
        .limit(Math.trunc(window.maxMessages))
        .execute();
      return rows.reverse().map(toMessage);
    },
  };
}

function toConversation(row: Selectable<ConversationsTable>): StoredConversation {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    workflowId: row.workflow_id,
    title: row.title,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    summary: row.summary,
    summaryThroughSeq: row.summary_through_seq,
  };
}

function toMessage(row: Selectable<ConversationMessagesTable>): StoredMessage {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    workspaceId: row.workspace_id,
    seq: row.seq,
    role: row.role as MessageRole,
    content: row.content,
    executionId: row.execution_id,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costMicros: row.cost_micros,
    createdAt: row.created_at,
  };
}
