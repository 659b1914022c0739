/**
 * @module GET /executions/{id}/events: an execution's events as Server-Sent Events, resumable with
 * `Last-Event-ID` (or `?after=`), with a heartbeat comment so that proxies keep the line open.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { ExecutionEvent } from '../runtime/events.ts';
import { idParams, problemAnswers } from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';
import { streamExecutionEvents } from './live-stream.ts';
import type { LiveStreams } from './live-streams.ts';
import { workspaceOf } from './workspace.ts';

export const SSE_CONTENT_TYPE = 'text/event-stream';
export const HEARTBEAT_MS = 15_000;

const seqText = z.string().regex(/^\d{1,15}$/, 'a seq: a whole number, 0 or more');

export interface SseOptions {
  readonly heartbeatMs: number;
  readonly streams: LiveStreams;
}

/** One SSE message; JSON.stringify never emits a newline, so `data` is always one line. */
export function sseMessage(event: ExecutionEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function sseRoutes(deps: ServerDeps, options: SseOptions): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/executions/:id/events',
      {
        schema: {
          operationId: 'streamExecutionEvents',
          summary:
            'The execution’s events as Server-Sent Events: history, then live, each once; ends after `execution.finished`.',
          description:
            'Each message is `id: <seq>`, `event: <type>`, `data: <the event as JSON>`. Resume with `Last-Event-ID` (or `?after=<seq>`; the header wins). A `: ping` comment comes every 15 s.',
          tags: ['executions'],
          params: idParams,
          querystring: z.strictObject({
            after: seqText.optional().describe('Send only events after this seq.'),
          }),
          headers: z.looseObject({ 'last-event-id': seqText.optional().describe('The last seq received.') }),
          response: {
            200: {
              description: 'The event stream.',
              content: { [SSE_CONTENT_TYPE]: { schema: z.string().describe('text/event-stream messages') } },
            },
            ...problemAnswers,
          },
        },
      },
      async (request, reply) => {
        const workspaceId = workspaceOf(request);
        const { id } = request.params;
        // Checked before the stream starts, so that an unknown id is a 404 problem, not an empty stream.
        if (!(await deps.store.executions.get(workspaceId, id))) {
          throw new SwitchyardError('SY_EXECUTION_NOT_FOUND', `no execution "${id}"`);
        }
        const after = Number(request.headers['last-event-id'] ?? request.query.after ?? 0);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': `${SSE_CONTENT_TYPE}; charset=utf-8`,
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          // nginx buffers responses unless told not to; events would arrive in lumps.
          'x-accel-buffering': 'no',
        });
        const gone = options.streams.open();
        raw.once('close', () => gone.abort());
        const heartbeat = setInterval(() => raw.write(': ping\n\n'), options.heartbeatMs);
        try {
          await streamExecutionEvents(deps, {
            workspaceId,
            executionId: id,
            after,
            signal: gone.signal,
            send: (event) => raw.write(sseMessage(event)),
          });
        } catch (error) {
          // Headers are sent: all that is left is to end the stream; the client resumes from its last id.
          request.log.error({ err: error, executionId: id }, 'event stream failed');
        } finally {
          clearInterval(heartbeat);
          options.streams.close(gone);
          if (!raw.destroyed) raw.end();
        }
      },
    );
  };
}
