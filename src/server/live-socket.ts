/**
 * @module One WebSocket connection at /ws: the client subscribes to executions and unsubscribes;
 * each subscription streams history then live events, each once (live-stream.ts). Messages are
 * JSON, checked by Zod; a bad one answers an error frame and the connection stays open.
 */
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { ErrorCode } from '../errors/codes.ts';
import type { ExecutionEvent } from '../runtime/events.ts';
import { resourceId } from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';
import { streamExecutionEvents } from './live-stream.ts';
import type { LiveStreams } from './live-streams.ts';

export const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('subscribe'),
    executionId: resourceId,
    after: z.int().min(0).optional().describe('The last seq the client has; history after it is sent first.'),
  }),
  z.strictObject({ type: z.literal('unsubscribe'), executionId: resourceId }),
]);

export type ServerMessage =
  | { readonly type: 'event'; readonly event: ExecutionEvent }
  | { readonly type: 'subscribed' | 'unsubscribed'; readonly executionId: string }
  | {
      readonly type: 'error';
      readonly code: ErrorCode;
      readonly message: string;
      readonly executionId?: string;
    };

/** What this module needs of a `ws` socket (the package ships no types of its own). */
export interface LiveSocket {
  readonly readyState: number;
  send(data: string): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

const OPEN = 1;

export interface SocketContext {
  readonly deps: ServerDeps;
  readonly streams: LiveStreams;
  readonly workspaceId: string;
  readonly log: FastifyBaseLogger;
}

export function serveLiveSocket(socket: LiveSocket, context: SocketContext): void {
  const subscriptions = new Map<string, AbortController>();
  const send = (message: ServerMessage) => {
    if (socket.readyState === OPEN) socket.send(JSON.stringify(message));
  };
  const fail = (code: ErrorCode, message: string, executionId?: string) =>
    send({ type: 'error', code, message, ...(executionId === undefined ? {} : { executionId }) });

  const subscribe = async (executionId: string, after: number) => {
    if (subscriptions.has(executionId)) return fail('SY_HTTP_VALIDATION', 'already subscribed', executionId);
    // Reserved before the first await, so that an unsubscribe right behind it finds it.
    const gone = context.streams.open();
    subscriptions.set(executionId, gone);
    try {
      if (!(await context.deps.store.executions.get(context.workspaceId, executionId))) {
        return fail('SY_EXECUTION_NOT_FOUND', `no execution "${executionId}"`, executionId);
      }
      if (gone.signal.aborted) return;
      send({ type: 'subscribed', executionId });
      await streamExecutionEvents(context.deps, {
        workspaceId: context.workspaceId,
        executionId,
        after,
        signal: gone.signal,
        send: (event) => send({ type: 'event', event }),
      });
    } catch (error) {
      context.log.error({ err: error, executionId }, 'event subscription failed');
      fail('SY_INTERNAL', 'the event stream failed; subscribe again with `after`', executionId);
    } finally {
      if (subscriptions.get(executionId) === gone) subscriptions.delete(executionId);
      context.streams.close(gone);
    }
  };

  const unsubscribe = (executionId: string) => {
    const gone = subscriptions.get(executionId);
    if (!gone) return fail('SY_HTTP_VALIDATION', 'not subscribed', executionId);
    subscriptions.delete(executionId);
    gone.abort();
    send({ type: 'unsubscribed', executionId });
  };

  socket.on('message', (data) => {
    let json: unknown;
    try {
      json = JSON.parse(textOf(data));
    } catch {
      return fail('SY_HTTP_MALFORMED', 'a message is one JSON object');
    }
    const parsed = clientMessage.safeParse(json);
    if (!parsed.success) return fail('SY_HTTP_VALIDATION', z.prettifyError(parsed.error));
    const message = parsed.data;
    if (message.type === 'unsubscribe') return unsubscribe(message.executionId);
    // subscribe catches everything it throws: nothing floats unhandled.
    void subscribe(message.executionId, message.after ?? 0);
  });
  socket.on('close', () => {
    for (const gone of subscriptions.values()) gone.abort();
    subscriptions.clear();
  });
}

function textOf(data: unknown): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return String(data);
}
