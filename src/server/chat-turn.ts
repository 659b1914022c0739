/**
 * @module One turn of a conversation: the user's message starts the workflow at its chat node with
 * the recent history, and the execution's outcome becomes the assistant's message — or a problem,
 * in which case no reply is stored. Both answer modes (wait, stream) go through here.
 */
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { ChatTurn } from '../nodes/chat.ts';
import type { StoredConversation, StoredMessage } from '../store/conversation-ports.ts';
import type { StoredExecution } from '../store/ports.ts';
import { replyOf } from './chat-reply.ts';
import { chatTargetOf } from './chat-target.ts';
import type { ServerDeps } from './deps.ts';
import { type Problem, problemOf } from './problem.ts';

export interface Turn {
  readonly conversation: StoredConversation;
  /** The user's message, as stored. */
  readonly message: StoredMessage;
  readonly execution: StoredExecution;
}

/** A problem that names the execution (an RFC 9457 extension member), so the caller can follow it. */
export type TurnProblem = Problem & { readonly executionId: string };

/** Messages handed to one turn to fold into the running summary, at most. */
const MAX_EARLIER_MESSAGES = 200;

export type TurnEnd =
  | { readonly ok: true; readonly reply: StoredMessage }
  | { readonly ok: false; readonly problem: TurnProblem };

export const conversationNotFound = (id: string) =>
  new SwitchyardError('SY_CONVERSATION_NOT_FOUND', `no conversation "${id}" in this workspace`);

export async function beginTurn(
  deps: ServerDeps,
  request: {
    readonly workspaceId: string;
    readonly conversationId: string;
    readonly content: string;
    readonly correlationId: string;
  },
): Promise<Turn> {
  const { store } = deps;
  const { workspaceId, conversationId, content } = request;
  const conversation = await store.conversations.get(workspaceId, conversationId);
  if (!conversation) throw conversationNotFound(conversationId);
  const target = await chatTargetOf(store, workspaceId, conversation.workflowId);
  const recent = await store.conversations.recent(workspaceId, conversationId, {
    maxMessages: target.params.historyMessages,
  });
  const history: ChatTurn[] = recent.map(({ role, content: said, seq }) => ({ role, content: said, seq }));
  // What is neither in the window nor in the running summary yet: an agent with memory folds it in.
  const windowStart = recent[0]?.seq ?? Number.POSITIVE_INFINITY;
  const earlier: ChatTurn[] =
    windowStart - 1 > conversation.summaryThroughSeq
      ? (
          await store.conversations.messages(workspaceId, conversationId, {
            afterSeq: conversation.summaryThroughSeq,
            limit: MAX_EARLIER_MESSAGES,
          })
        ).items
          .filter((said) => said.seq < windowStart)
          .map(({ role, content: said, seq }) => ({ role, content: said, seq }))
      : [];
  const summary =
    conversation.summary === null
      ? null
      : { text: conversation.summary, throughSeq: conversation.summaryThroughSeq };
  // Started before the message is stored, so that the message can name the execution it went to,
  // and a start that fails leaves nothing behind.
  const execution = await deps.executions.start({
    workspaceId,
    workflowId: conversation.workflowId,
    version: target.version,
    entry: target.nodeId,
    input: { conversationId, message: content, history, summary, earlier },
    trigger: { kind: 'chat', conversationId },
    correlationId: request.correlationId,
  });
  const message = await store.conversations.append(workspaceId, conversationId, {
    id: randomUUID(),
    role: 'user',
    content,
    executionId: execution.id,
    now: deps.clock.now(),
  });
  if (!message) throw conversationNotFound(conversationId);
  return { conversation, message, execution };
}

/** Stores the reply of a succeeded execution; otherwise says why there is none. */
export async function endTurn(
  deps: ServerDeps,
  turn: Turn,
  outcome: StoredExecution | undefined,
): Promise<TurnEnd> {
  const executionId = turn.execution.id;
  const problem = (code: Parameters<typeof problemOf>[0], detail: string): TurnEnd => ({
    ok: false,
    problem: { ...problemOf(code, detail), executionId },
  });
  if (outcome?.status === 'succeeded') {
    const reply = await deps.store.conversations.append(turn.conversation.workspaceId, turn.conversation.id, {
      id: randomUUID(),
      role: 'assistant',
      executionId,
      ...replyOf(outcome.output),
      now: deps.clock.now(),
    });
    if (reply) return { ok: true, reply };
    return problem(
      'SY_CONVERSATION_NOT_FOUND',
      `conversation "${turn.conversation.id}" was deleted meanwhile`,
    );
  }
  if (outcome?.status === 'failed' || outcome?.status === 'cancelled') {
    return problem(
      'SY_CHAT_REPLY_FAILED',
      `execution ${executionId} ended ${outcome.status}: ${outcome.error?.message ?? 'no error recorded'}`,
    );
  }
  return problem(
    'SY_CHAT_REPLY_TIMEOUT',
    `execution ${executionId} did not finish in time (it is ${outcome?.status ?? 'gone'}); no reply was stored`,
  );
}
