/**
 * @module A chat reply as Server-Sent Events: `started` (the execution id, for WebSocket clients
 * too), `delta` per piece of text the workflow's nodes stream (`node.progress` with `data.delta`),
 * then `message` (the stored reply) and `done` — or `error` with a problem. The reply is stored
 * even when the client goes away mid-stream: the turn ends the same with or without a listener.
 */
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { ExecutionEvent } from '../runtime/events.ts';
import { awaitOutcome } from './await-outcome.ts';
import { messageOf } from './chat-schemas.ts';
import { endTurn, type Turn } from './chat-turn.ts';
import type { ServerDeps } from './deps.ts';
import { SSE_CONTENT_TYPE } from './live-sse.ts';
import { streamExecutionEvents } from './live-stream.ts';
import type { LiveStreams } from './live-streams.ts';
import { problemOf } from './problem.ts';

export interface ChatStreamOptions {
  readonly heartbeatMs: number;
  /** How long the whole turn may take, as for a waiting answer. */
  readonly maxWaitMs: number;
  /** Aborted when the server closes. */
  readonly streams: LiveStreams;
  readonly log: FastifyBaseLogger;
}

export async function streamTurn(
  deps: ServerDeps,
  reply: FastifyReply,
  turn: Turn,
  options: ChatStreamOptions,
): Promise<void> {
  const { execution } = turn;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': `${SSE_CONTENT_TYPE}; charset=utf-8`,
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // JSON.stringify never emits a newline, so `data` is always one line.
  const send = (event: string, data: unknown) => {
    if (!raw.destroyed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const closing = options.streams.open();
  const clientGone = new AbortController();
  raw.once('close', () => clientGone.abort());
  const deadline = Date.now() + options.maxWaitMs;
  // A comment: proxies see traffic and keep the line open; EventSource clients see nothing.
  const heartbeat = setInterval(() => raw.destroyed || raw.write(': ping\n\n'), options.heartbeatMs);
  try {
    send('started', { executionId: execution.id, message: messageOf(turn.message) });
    await streamExecutionEvents(deps, {
      workspaceId: execution.workspaceId,
      executionId: execution.id,
      after: 0,
      signal: AbortSignal.any([closing.signal, clientGone.signal, AbortSignal.timeout(options.maxWaitMs)]),
      send: (event) => {
        const delta = deltaOf(event);
        if (delta !== undefined) send('delta', { text: delta });
      },
    });
    // The reply is made of the stored outcome, which the worker writes after the last event.
    const outcome = await awaitOutcome(
      deps,
      execution.workspaceId,
      execution.id,
      Math.max(0, deadline - Date.now()),
      closing.signal,
    );
    const end = await endTurn(deps, turn, outcome);
    if (end.ok) {
      send('message', messageOf(end.reply));
      send('done', { executionId: execution.id });
    } else {
      send('error', end.problem);
    }
  } catch (error) {
    // Headers are sent: the failure can only be told in the stream.
    options.log.error({ err: error, executionId: execution.id }, 'chat stream failed');
    send('error', {
      ...problemOf('SY_INTERNAL', 'An unexpected error occurred; it has been logged.'),
      executionId: execution.id,
    });
  } finally {
    clearInterval(heartbeat);
    options.streams.close(closing);
    if (!raw.destroyed) raw.end();
  }
}

/** The text a node streamed (an llm node's answer as it arrives), if the event carries some. */
function deltaOf(event: ExecutionEvent): string | undefined {
  if (event.type !== 'node.progress') return undefined;
  const data = event.data;
  if (typeof data !== 'object' || data === null || !('delta' in data)) return undefined;
  return typeof data.delta === 'string' && data.delta !== '' ? data.delta : undefined;
}
