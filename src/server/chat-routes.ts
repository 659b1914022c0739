/**
 * @module /api/v1/conversations: chats with workflows that have a `chat` trigger. Posting a message
 * runs the workflow once and stores its answer as the reply: answered whole when it finishes, or
 * streamed as Server-Sent Events with `?stream=true` (chat-stream.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../security/identity/principal.ts';
import { principalOf } from './auth/request-principal.ts';
import { awaitOutcome } from './await-outcome.ts';
import { conversationOf, conversationSchema, messageOf, messageSchema, turnSchema } from './chat-schemas.ts';
import { streamTurn } from './chat-stream.ts';
import { chatTargetOf } from './chat-target.ts';
import { beginTurn, conversationNotFound, endTurn } from './chat-turn.ts';
import { idParams, pageOf, pageQuery, problemAnswers, queryFlag, resourceId } from './common-schemas.ts';
import { DEFAULT_LIMITS, type ServerDeps } from './deps.ts';
import { HEARTBEAT_MS, SSE_CONTENT_TYPE } from './live-sse.ts';
import { LiveStreams } from './live-streams.ts';
import { conversationLocation, executionLocation } from './locations.ts';
import { sendProblem } from './problem.ts';

const tags = ['chat'];
const seqText = z.string().regex(/^\d{1,15}$/, 'a seq: a whole number, 0 or more');

export interface ChatRouteOptions {
  /** Between `: ping` comments on a streamed reply. */
  readonly heartbeatMs?: number;
}

export function chatRoutes(deps: ServerDeps, options: ChatRouteOptions = {}): FastifyPluginAsyncZod {
  const { store, clock } = deps;
  const maxWaitMs = deps.limits?.maxWaitMs ?? DEFAULT_LIMITS.maxWaitMs;

  return async (app) => {
    // Turns in progress would hold server.close() until their workflows answered.
    const turns = new LiveStreams();
    app.addHook('preClose', async () => turns.abortAll());

    app.post(
      '/conversations',
      {
        schema: {
          operationId: 'createConversation',
          summary: 'Start a conversation with a published workflow that has a `chat` trigger.',
          tags,
          body: z.strictObject({
            workflowId: resourceId,
            title: z.string().min(1).max(200).optional(),
          }),
          response: { 201: conversationSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const { workflowId, title } = request.body;
        // Refused now rather than on the first message: the workflow must be able to chat.
        await chatTargetOf(store, principal.workspaceId, workflowId);
        const conversation = await store.conversations.create({
          id: randomUUID(),
          workspaceId: principal.workspaceId,
          workflowId,
          title: title ?? null,
          createdBy: actorOf(principal),
          now: clock.now(),
        });
        await deps.security.audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'conversation.create',
          target: `conversation:${conversation.id}`,
          outcome: 'success',
          ip: request.ip,
          detail: { workflowId },
        });
        return reply
          .status(201)
          .header('location', conversationLocation(conversation.id))
          .send(conversationOf(conversation));
      },
    );

    app.get(
      '/conversations',
      {
        schema: {
          operationId: 'listConversations',
          summary: 'Conversations, newest first, optionally of one workflow.',
          tags,
          querystring: z.strictObject({ ...pageQuery, workflowId: resourceId.optional() }),
          response: { 200: pageOf(conversationSchema), ...problemAnswers },
        },
      },
      async (request) => {
        const { limit, after, workflowId } = request.query;
        const page = await store.conversations.list(principalOf(request).workspaceId, {
          limit,
          ...(after ? { after } : {}),
          ...(workflowId ? { workflowId } : {}),
        });
        return { items: page.items.map(conversationOf), ...(page.next ? { next: page.next } : {}) };
      },
    );

    app.get(
      '/conversations/:id',
      {
        schema: {
          operationId: 'getConversation',
          summary: 'One conversation.',
          tags,
          params: idParams,
          response: { 200: conversationSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const conversation = await store.conversations.get(
          principalOf(request).workspaceId,
          request.params.id,
        );
        if (!conversation) throw conversationNotFound(request.params.id);
        return conversationOf(conversation);
      },
    );

    app.delete(
      '/conversations/:id',
      {
        schema: {
          operationId: 'deleteConversation',
          summary: 'Delete a conversation with all its messages (their executions stay).',
          tags,
          params: idParams,
          response: { 204: z.null().describe('Deleted.'), ...problemAnswers },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        if (!(await store.conversations.delete(principal.workspaceId, request.params.id))) {
          throw conversationNotFound(request.params.id);
        }
        await deps.security.audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'conversation.delete',
          target: `conversation:${request.params.id}`,
          outcome: 'success',
          ip: request.ip,
        });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/conversations/:id/messages',
      {
        schema: {
          operationId: 'listConversationMessages',
          summary: 'A conversation’s messages, oldest first; page on with `after` = the `next` seq.',
          tags,
          params: idParams,
          querystring: z.strictObject({
            after: seqText
              .optional()
              .describe('Only messages after this seq (the `next` of the previous page).'),
            limit: pageQuery.limit,
          }),
          response: { 200: pageOf(messageSchema), ...problemAnswers },
        },
      },
      async (request) => {
        const workspaceId = principalOf(request).workspaceId;
        const { id } = request.params;
        if (!(await store.conversations.get(workspaceId, id))) throw conversationNotFound(id);
        const page = await store.conversations.messages(workspaceId, id, {
          limit: request.query.limit,
          afterSeq: Number(request.query.after ?? 0),
        });
        return {
          items: page.items.map(messageOf),
          ...(page.nextSeq === undefined ? {} : { next: String(page.nextSeq) }),
        };
      },
    );

    app.post(
      '/conversations/:id/messages',
      {
        schema: {
          operationId: 'postConversationMessage',
          summary:
            'Say something: the workflow runs from its chat node and its answer is stored as the reply.',
          description:
            'Without `stream`, answers when the workflow finishes (at most the server’s wait limit): both ' +
            'messages. With `stream=true`, answers `text/event-stream`: `started` (`executionId`, the user ' +
            'message), `delta` (`{ text }`, as the workflow streams its answer), then `message` (the stored ' +
            'reply) and `done`, or `error` (a problem). A failed workflow stores no reply.',
          tags,
          params: idParams,
          querystring: z.strictObject({
            stream: queryFlag.describe('`true`: stream the reply as Server-Sent Events.'),
          }),
          body: z.strictObject({ content: z.string().min(1).max(100_000) }),
          response: {
            200: {
              description: 'The turn: the user’s message and the reply (or, streamed, its events).',
              content: {
                'application/json': { schema: turnSchema },
                [SSE_CONTENT_TYPE]: { schema: z.string().describe('text/event-stream messages') },
              },
            },
            ...problemAnswers,
          },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const turn = await beginTurn(deps, {
          workspaceId: principal.workspaceId,
          conversationId: request.params.id,
          content: request.body.content,
          correlationId: request.id,
        });
        if (request.query.stream === 'true') {
          await streamTurn(deps, reply, turn, {
            heartbeatMs: options.heartbeatMs ?? HEARTBEAT_MS,
            maxWaitMs,
            streams: turns,
            log: request.log,
          });
          return reply;
        }
        // Not tied to the client: a reply that arrives after it went away is still stored.
        const waiting = turns.open();
        try {
          const outcome = await awaitOutcome(
            deps,
            principal.workspaceId,
            turn.execution.id,
            maxWaitMs,
            waiting.signal,
          );
          const end = await endTurn(deps, turn, outcome);
          reply.header('location', executionLocation(turn.execution.id));
          if (!end.ok) return sendProblem(reply, end.problem);
          return reply.status(200).send({
            executionId: turn.execution.id,
            message: messageOf(turn.message),
            reply: messageOf(end.reply),
          });
        } finally {
          turns.close(waiting);
        }
      },
    );
  };
}
