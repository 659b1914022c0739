/**
 * @module Closing the HTTP server for a stop: no new connections; requests under way finish, for up
 * to `graceMs`, after which whatever is still open is cut. Node's own close waits for a connection
 * that was accepted but has sent nothing yet (a browser's speculative connection, a balancer's
 * probe) until its headers time out, a minute or more (nodejs/node#63452, open in Node 24): such
 * connections are closed at once here. They are known by never having sent a byte.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

const REAP_EVERY_MS = 50;

export interface GracefulClose {
  /** Resolves once the server is closed; `onCut` hears how many connections the deadline cut. */
  close(graceMs: number, onCut: (connections: number) => void): Promise<void>;
}

/** To be called before the server listens, so that it sees every connection. */
export function gracefulClose(app: FastifyInstance): GracefulClose {
  const open = new Set<Socket>();
  let closing = false;
  app.server.on('connection', (socket: Socket) => {
    // Accepted in the moment between the stop and the listener closing: nothing will serve it.
    if (closing) {
      socket.destroy();
      return;
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return {
    async close(graceMs, onCut) {
      closing = true;
      const closed = app.close();
      for (const socket of open) if (socket.bytesRead === 0) socket.destroy();
      // A connection whose request finishes now stays open for keep-alive: reaped once it is idle.
      const reaper = setInterval(() => app.server.closeIdleConnections(), REAP_EVERY_MS);
      const deadline = setTimeout(() => {
        onCut(open.size);
        app.server.closeAllConnections();
      }, graceMs);
      try {
        await closed;
      } finally {
        clearInterval(reaper);
        clearTimeout(deadline);
      }
    },
  };
}
