/**
 * @module Enforces the route table: at start, every route must have an entry (or the server does
 * not start); on each request, before any handler, the caller is authenticated and its permission
 * checked. Refusals are audited. The WebSocket route also takes the token as a subprotocol
 * (`new WebSocket(url, ['switchyard', 'bearer.<token>'])`), because browsers cannot set headers on
 * a WebSocket; never in the URL, which ends up in logs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { Authenticator } from '../../security/identity/authenticator.ts';
import { actorOf } from '../../security/identity/principal.ts';
import type { ServerSecurity } from '../deps.ts';
import { type Requirement, requirementOf } from './route-permissions.ts';
import './request-principal.ts';

const SOCKET_ROUTE = '/api/v1/ws';
const PROTOCOL_TOKEN = /^bearer\.([A-Za-z0-9._~+/=-]{1,4096})$/;

export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly requirement: Requirement;
}

/** Returns the routes as they are registered, with what each requires (the route walk test reads it). */
export function enforceRouteTable(
  app: FastifyInstance,
  security: ServerSecurity,
): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const requirement = requirementOf(method, route.url);
      if (!requirement) {
        throw new Error(
          `route ${method} ${route.url} has no entry in ROUTE_REQUIREMENTS (src/server/auth/route-permissions.ts)`,
        );
      }
      routes.push({ method, url: route.url, requirement });
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined) return; // no such route: the 404 handler answers
    const requirement = requirementOf(request.method, url) as Requirement;
    if ('public' in requirement) return;
    try {
      const credential = credentialOf(request, url);
      if (credential === undefined) {
        reply.header('www-authenticate', 'Bearer realm="switchyard"');
        throw new SwitchyardError('SY_AUTH_REQUIRED', `${request.method} ${url} needs authentication`);
      }
      request.principal = await security.authenticator.authenticate(credential);
    } catch (error) {
      if (!reply.hasHeader('www-authenticate')) {
        reply.header('www-authenticate', 'Bearer realm="switchyard", error="invalid_token"');
      }
      throw error;
    }
    if ('permission' in requirement && !request.principal.permissions.has(requirement.permission)) {
      await security.audit.record({
        workspaceId: request.principal.workspaceId,
        actor: actorOf(request.principal),
        action: 'access.denied',
        target: `${request.method} ${url}`,
        outcome: 'denied',
        ip: request.ip,
        detail: { needs: requirement.permission, role: request.principal.role },
      });
      throw new SwitchyardError(
        'SY_AUTH_FORBIDDEN',
        `${request.method} ${url} needs the "${requirement.permission}" permission, which this ${request.principal.kind === 'key' ? 'API key' : `${request.principal.role} role`} lacks`,
      );
    }
  });
  // A refused WebSocket upgrade is answered on the raw socket, which nothing else would ever close:
  // left open, every such request would hold a socket and stop the server from shutting down.
  app.addHook('onResponse', async (request, reply) => {
    if (request.headers.upgrade !== undefined && reply.statusCode !== 101) request.raw.socket.destroy();
  });
  return routes;
}

function credentialOf(request: FastifyRequest, url: string): string | undefined {
  const fromHeader = Authenticator.bearerOf(request.headers.authorization);
  if (fromHeader !== undefined || url !== SOCKET_ROUTE) return fromHeader;
  const protocols = request.headers['sec-websocket-protocol']?.split(',') ?? [];
  for (const protocol of protocols) {
    const match = PROTOCOL_TOKEN.exec(protocol.trim());
    if (match) return match[1];
  }
  return undefined;
}
