/**
 * @module The browser's session cookies: the refresh token HttpOnly (scripts never see it), Secure,
 * SameSite=Strict, sent only to the auth routes; and a CSRF token that scripts of our own origin
 * read and echo in X-CSRF-Token (double submit), checked wherever the refresh cookie authenticates.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SwitchyardError } from '../../errors/switchyard-error.ts';

export const REFRESH_COOKIE = 'sy_refresh';
export const CSRF_COOKIE = 'sy_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const AUTH_PATH = '/api/v1/auth';

export function setSessionCookies(reply: FastifyReply, refreshToken: string, expiresAt: number): void {
  const expires = new Date(expiresAt);
  reply.setCookie(REFRESH_COOKIE, refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: AUTH_PATH,
    expires,
  });
  reply.setCookie(CSRF_COOKIE, randomBytes(24).toString('base64url'), {
    httpOnly: false,
    secure: true,
    sameSite: 'strict',
    path: '/',
    expires,
  });
}

export function clearSessionCookies(reply: FastifyReply): void {
  reply.clearCookie(REFRESH_COOKIE, { path: AUTH_PATH, secure: true, httpOnly: true, sameSite: 'strict' });
  reply.clearCookie(CSRF_COOKIE, { path: '/', secure: true, sameSite: 'strict' });
}

/** The refresh token of a cookie-authenticated request, after the CSRF check; undefined without the cookie. */
export function refreshCookieOf(request: FastifyRequest): string | undefined {
  const token = request.cookies[REFRESH_COOKIE];
  if (token === undefined || token === '') return undefined;
  const cookie = request.cookies[CSRF_COOKIE] ?? '';
  const header = request.headers[CSRF_HEADER];
  if (typeof header !== 'string' || cookie === '' || !sameText(header, cookie)) {
    throw new SwitchyardError(
      'SY_AUTH_CSRF',
      `the ${CSRF_HEADER} header must repeat the ${CSRF_COOKIE} cookie`,
    );
  }
  return token;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
