/**
 * @module Live execution events: SSE at /executions/{id}/events with Last-Event-ID resume, and one
 * WebSocket endpoint at /ws where a client subscribes to executions. Both stream history then live
 * events, each exactly once (live-stream.ts).
 */
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from './deps.ts';
import { type LiveSocket, serveLiveSocket } from './live-socket.ts';
import { HEARTBEAT_MS, sseRoutes } from './live-sse.ts';
import { LiveStreams } from './live-streams.ts';
import { workspaceOf } from './workspace.ts';

/** Client messages are a few ids; anything near this is not one of ours. */
const MAX_MESSAGE_BYTES = 64 * 1024;

export interface LiveEventOptions {
  /** Between `: ping` comments on an SSE stream. */
  readonly heartbeatMs?: number;
}

export function liveEventRoutes(deps: ServerDeps, options: LiveEventOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const streams = new LiveStreams();
    // Open streams would hold server.close() until their executions finished.
    app.addHook('preClose', async () => streams.abortAll());
    await app.register(sseRoutes(deps, { streams, heartbeatMs: options.heartbeatMs ?? HEARTBEAT_MS }));
    await app.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
    app.get('/ws', { websocket: true, schema: { hide: true } }, (socket: LiveSocket, request) => {
      serveLiveSocket(socket, { deps, streams, workspaceId: workspaceOf(request), log: request.log });
    });
  };
}
