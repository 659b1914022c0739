/**
 * @module Sign-up, sign-in, refresh and sign-out: passwords checked with argon2id behind a per-account
 * and per-address throttle, sessions of rotating refresh tokens, short-lived access tokens. Every
 * outcome is audited; no message tells an unknown account from a wrong password.
 */
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { Store } from '../../store/ports.ts';
import type { Role, StoredUser } from '../../store/security-ports.ts';
import type { AccessTokens } from '../auth/access-tokens.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import { hashToken, newRefreshToken } from '../auth/opaque-tokens.ts';
import { hashPassword, passwordProblem, verifyNothing, verifyPassword } from '../auth/passwords.ts';
import type { AuditLog } from './audit-log.ts';

/** first-only: sign-up is open until the first (admin) account exists; open: anyone, into a workspace of their own. */
export type SignupPolicy = 'first-only' | 'open' | 'closed';

export interface SessionTokens {
  readonly accessToken: string;
  readonly accessExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: number;
  readonly user: { readonly id: string; readonly email: string; readonly name: string };
  readonly workspaceId: string;
  readonly role: Role;
}

export interface AccountsOptions {
  readonly store: Store;
  readonly tokens: AccessTokens;
  readonly throttle: LoginThrottle;
  readonly audit: AuditLog;
  readonly now: () => number;
  readonly signup: SignupPolicy;
  readonly refreshTtlMs: number;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export class Accounts {
  private readonly options: AccountsOptions;

  constructor(options: AccountsOptions) {
    this.options = options;
  }

  async signUp(
    input: { email: string; password: string; name?: string },
    ip: string,
  ): Promise<SessionTokens> {
    const { store, audit, now } = this.options;
    const email = normaliseEmail(input.email);
    if (!(await this.signupOpen())) {
      await audit.record({
        workspaceId: null,
        actor: 'anonymous',
        action: 'auth.signup',
        outcome: 'denied',
        ip,
        detail: { email },
      });
      throw new SwitchyardError('SY_AUTH_SIGNUP_CLOSED', 'sign-up is closed on this server');
    }
    const weakness = passwordProblem(input.password, { email });
    if (weakness) throw new SwitchyardError('SY_AUTH_WEAK_PASSWORD', weakness, { path: 'password' });
    const userId = randomUUID();
    const created = await store.users.create(
      {
        id: userId,
        email,
        name: input.name ?? email.split('@')[0]!,
        passwordHash: await hashPassword(input.password),
        now: now(),
      },
      {
        firstAdminOf: 'default',
        ...(this.options.signup === 'open'
          ? { ownWorkspace: { id: `ws-${userId}`, name: `${email}'s workspace` } }
          : {}),
      },
    );
    if (created === 'exists') {
      throw new SwitchyardError('SY_USER_EXISTS', 'an account with this e-mail address exists already', {
        path: 'email',
      });
    }
    const session = await this.startSession(created.user, undefined, ip);
    await audit.record({
      workspaceId: session.workspaceId,
      actor: `user:${userId}`,
      action: 'auth.signup',
      outcome: 'success',
      ip,
      detail: { email, firstUser: created.first },
    });
    return session;
  }

  async login(
    input: { email: string; password: string; workspaceId?: string },
    ip: string,
  ): Promise<SessionTokens> {
    const { store, throttle, audit } = this.options;
    const email = normaliseEmail(input.email);
    const verdict = throttle.check(email, ip);
    if (!verdict.allowed) {
      await audit.record({
        workspaceId: null,
        actor: 'anonymous',
        action: 'auth.login',
        outcome: 'denied',
        ip,
        detail: { email, locked: verdict.reason },
      });
      throw new SwitchyardError(
        'SY_AUTH_LOCKED',
        `too many failed sign-ins from this ${verdict.reason === 'ip' ? 'address' : 'account'}`,
        {
          details: { retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000) },
        },
      );
    }
    const user = await store.users.findByEmail(email);
    const valid = user
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyNothing(input.password);
    if (!user || !valid) {
      const lock = throttle.recordFailure(email, ip);
      const workspaceId = user
        ? ((await store.workspaces.membershipsOf(user.id))[0]?.workspaceId ?? null)
        : null;
      await audit.record({
        workspaceId,
        actor: user ? `user:${user.id}` : 'anonymous',
        action: 'auth.login',
        outcome: 'failure',
        ip,
        detail: { email },
      });
      if (lock.locked) {
        await audit.record({
          workspaceId,
          actor: 'anonymous',
          action: 'auth.lockout',
          outcome: 'denied',
          ip,
          detail: { email, reason: lock.reason, until: lock.untilMs },
        });
      }
      throw new SwitchyardError('SY_AUTH_BAD_CREDENTIALS', 'the e-mail address or password is wrong');
    }
    throttle.recordSuccess(email, ip);
    const session = await this.startSession(user, input.workspaceId, ip);
    await audit.record({
      workspaceId: session.workspaceId,
      actor: `user:${user.id}`,
      action: 'auth.login',
      outcome: 'success',
      ip,
    });
    return session;
  }

  /** Rotates the refresh token; a token used before ends its whole session (it was stolen or replayed). */
  async refresh(refreshToken: string, ip: string, workspaceId?: string): Promise<SessionTokens> {
    const { store, audit, now, refreshTtlMs, tokens } = this.options;
    const next = newRefreshToken();
    const refreshExpiresAt = now() + refreshTtlMs;
    const rotation = await store.refreshTokens.rotate(
      hashToken(refreshToken),
      { hash: next.hash, expiresAt: refreshExpiresAt },
      now(),
    );
    if (rotation.outcome === 'reused') {
      await audit.record({
        workspaceId: null,
        actor: `user:${rotation.userId}`,
        action: 'auth.refresh.reuse',
        outcome: 'denied',
        ip,
        detail: { session: rotation.familyId },
      });
      throw new SwitchyardError(
        'SY_AUTH_REFRESH_INVALID',
        'this refresh token was used before: the session is now signed out',
      );
    }
    if (rotation.outcome === 'invalid') {
      throw new SwitchyardError(
        'SY_AUTH_REFRESH_INVALID',
        'the refresh token is unknown, expired or signed out',
      );
    }
    const { previous } = rotation;
    const user = await store.users.get(previous.userId);
    const target = workspaceId ?? previous.workspaceId;
    const role = user && (await store.workspaces.role(target, user.id));
    if (!user || !role) {
      throw new SwitchyardError('SY_AUTH_FORBIDDEN', `you are not a member of workspace "${target}"`);
    }
    const access = await tokens.issue({ userId: user.id, workspaceId: target, sessionId: previous.familyId });
    return {
      accessToken: access.token,
      accessExpiresAt: access.expiresAt,
      refreshToken: next.token,
      refreshExpiresAt,
      user: { id: user.id, email: user.email, name: user.name },
      workspaceId: target,
      role,
    };
  }

  /** Ends the session of a refresh token or of an access token's session id; idempotent. */
  async logout(
    session: { refreshToken?: string; sessionId?: string },
    actor: string,
    ip: string,
  ): Promise<void> {
    const { store, audit, now } = this.options;
    const familyId =
      session.sessionId ??
      (session.refreshToken
        ? await store.refreshTokens.familyOf(hashToken(session.refreshToken))
        : undefined);
    if (!familyId) return;
    await store.refreshTokens.revokeFamily(familyId, now());
    await audit.record({
      workspaceId: null,
      actor,
      action: 'auth.logout',
      outcome: 'success',
      ip,
      detail: { session: familyId },
    });
  }

  private async signupOpen(): Promise<boolean> {
    if (this.options.signup === 'open') return true;
    if (this.options.signup === 'closed') return false;
    return (await this.options.store.users.count()) === 0;
  }

  private async startSession(
    user: StoredUser,
    requested: string | undefined,
    ip: string,
  ): Promise<SessionTokens> {
    const { store, tokens, now, refreshTtlMs, audit } = this.options;
    const memberships = await store.workspaces.membershipsOf(user.id);
    const membership =
      requested === undefined ? memberships[0] : memberships.find((m) => m.workspaceId === requested);
    if (!membership) {
      await audit.record({
        workspaceId: null,
        actor: `user:${user.id}`,
        action: 'auth.login',
        outcome: 'denied',
        ip,
        detail: { workspace: requested ?? null },
      });
      throw new SwitchyardError(
        'SY_AUTH_FORBIDDEN',
        requested === undefined
          ? 'your account belongs to no workspace yet'
          : `you are not a member of workspace "${requested}"`,
        { hint: 'Ask a workspace admin to add you (POST /api/v1/members).' },
      );
    }
    const familyId = randomUUID();
    const refresh = newRefreshToken();
    const refreshExpiresAt = now() + refreshTtlMs;
    await store.refreshTokens.insert({
      hash: refresh.hash,
      familyId,
      userId: user.id,
      workspaceId: membership.workspaceId,
      createdAt: now(),
      expiresAt: refreshExpiresAt,
    });
    const access = await tokens.issue({
      userId: user.id,
      workspaceId: membership.workspaceId,
      sessionId: familyId,
    });
    return {
      accessToken: access.token,
      accessExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshExpiresAt,
      user: { id: user.id, email: user.email, name: user.name },
      workspaceId: membership.workspaceId,
      role: membership.role,
    };
  }
}

export function normaliseEmail(email: string): string {
  const normal = email.trim().toLowerCase();
  if (!EMAIL.test(normal)) {
    throw new SwitchyardError('SY_HTTP_VALIDATION', 'this is not an e-mail address', { path: 'email' });
  }
  return normal;
}
