/**
 * @module /api/v1/auth: sign-up (the first account, or anyone when sign-up is open), sign-in,
 * refresh and sign-out, and who-am-I. Access tokens go in the answer body; refresh tokens only in
 * the HttpOnly cookie, never in a body a script could read.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { SessionTokens } from '../../security/identity/accounts.ts';
import { Authenticator } from '../../security/identity/authenticator.ts';
import { actorOf } from '../../security/identity/principal.ts';
import { PERMISSIONS, ROLES } from '../../security/permissions.ts';
import { isoOf, problemAnswers, resourceId } from '../common-schemas.ts';
import type { ServerDeps } from '../deps.ts';
import { principalOf } from './request-principal.ts';
import { clearSessionCookies, refreshCookieOf, setSessionCookies } from './session-cookies.ts';

const tags = ['auth'];
const email = z.string().min(3).max(320).describe('The account e-mail address (case does not matter).');
const password = z.string().min(1).max(1024);

const sessionSchema = z
  .object({
    accessToken: z.string().describe('Send as `Authorization: Bearer <accessToken>`.'),
    tokenType: z.literal('Bearer'),
    expiresAt: z.iso.datetime(),
    user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
    workspaceId: z.string(),
    role: z.enum(ROLES),
  })
  .meta({ id: 'Session' });

const meSchema = z
  .object({
    kind: z.enum(['user', 'key']),
    userId: z.string(),
    keyId: z.string().optional(),
    workspaceId: z.string(),
    role: z.enum(ROLES),
    permissions: z.array(z.enum(PERMISSIONS)),
  })
  .meta({ id: 'Me' });

function sessionOf(tokens: SessionTokens) {
  return {
    accessToken: tokens.accessToken,
    tokenType: 'Bearer' as const,
    expiresAt: isoOf(tokens.accessExpiresAt),
    user: tokens.user,
    workspaceId: tokens.workspaceId,
    role: tokens.role,
  };
}

export function authRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const { accounts } = deps.security;
  return async (app) => {
    app.post(
      '/auth/signup',
      {
        schema: {
          operationId: 'signUp',
          summary: 'Create an account. The first account becomes admin; later ones need open sign-up.',
          tags,
          security: [],
          body: z.strictObject({ email, password, name: z.string().min(1).max(200).optional() }),
          response: { 201: sessionSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const { email, password, name } = request.body;
        const tokens = await accounts.signUp({ email, password, ...(name ? { name } : {}) }, request.ip);
        setSessionCookies(reply, tokens.refreshToken, tokens.refreshExpiresAt);
        return reply.code(201).send(sessionOf(tokens));
      },
    );

    app.post(
      '/auth/login',
      {
        schema: {
          operationId: 'logIn',
          summary: 'Sign in with e-mail and password; sets the refresh cookie.',
          tags,
          security: [],
          body: z.strictObject({ email, password, workspaceId: resourceId.optional() }),
          response: { 200: sessionSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        try {
          const { email, password, workspaceId } = request.body;
          const tokens = await accounts.login(
            { email, password, ...(workspaceId ? { workspaceId } : {}) },
            request.ip,
          );
          setSessionCookies(reply, tokens.refreshToken, tokens.refreshExpiresAt);
          return sessionOf(tokens);
        } catch (error) {
          if (error instanceof SwitchyardError && error.code === 'SY_AUTH_LOCKED') {
            reply.header('retry-after', String(error.details?.retryAfterSeconds ?? 60));
          }
          throw error;
        }
      },
    );

    app.post(
      '/auth/refresh',
      {
        schema: {
          operationId: 'refreshSession',
          summary: 'Trade the refresh cookie (with X-CSRF-Token) for a new access token; the cookie rotates.',
          tags,
          security: [],
          body: z.strictObject({ workspaceId: resourceId.optional() }).nullish(),
          response: { 200: sessionSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const token = refreshCookieOf(request);
        if (token === undefined) {
          throw new SwitchyardError('SY_AUTH_REFRESH_INVALID', 'the request carries no refresh cookie');
        }
        try {
          const tokens = await accounts.refresh(token, request.ip, request.body?.workspaceId);
          setSessionCookies(reply, tokens.refreshToken, tokens.refreshExpiresAt);
          return sessionOf(tokens);
        } catch (error) {
          clearSessionCookies(reply);
          throw error;
        }
      },
    );

    app.post(
      '/auth/logout',
      {
        schema: {
          operationId: 'logOut',
          summary: 'End the session of the refresh cookie (with X-CSRF-Token) or of the bearer access token.',
          tags,
          security: [],
          response: { 204: z.null(), ...problemAnswers },
        },
      },
      async (request, reply) => {
        const refreshToken = refreshCookieOf(request);
        let sessionId: string | undefined;
        const bearer =
          refreshToken === undefined ? Authenticator.bearerOf(request.headers.authorization) : undefined;
        if (bearer !== undefined) {
          request.principal = await deps.security.authenticator.authenticate(bearer);
          sessionId = request.principal.sessionId;
        }
        await accounts.logout(
          { ...(refreshToken ? { refreshToken } : {}), ...(sessionId ? { sessionId } : {}) },
          actorOf(request.principal),
          request.ip,
        );
        clearSessionCookies(reply);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/auth/me',
      {
        schema: {
          operationId: 'whoAmI',
          summary: 'The caller: user or API key, workspace, role and permissions.',
          tags,
          response: { 200: meSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        return {
          kind: principal.kind,
          userId: principal.userId,
          ...(principal.keyId ? { keyId: principal.keyId } : {}),
          workspaceId: principal.workspaceId,
          role: principal.role,
          permissions: PERMISSIONS.filter((p) => principal.permissions.has(p)),
        };
      },
    );
  };
}
