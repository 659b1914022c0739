/**
 * @module Turns an Authorization header into a Principal: a JWT access token (signature, issuer,
 * audience, expiry, and its session not signed out) or an API key (hash, not revoked, not expired).
 * A user's role is read afresh on each request, so a changed role or a removed member takes effect
 * at once. An API key, used by programs many times a second, is verified once per TRUST_MS
 * (verified-keys.ts): its revocation or its owner's change of role takes effect at once when made
 * through this process (`keysChanged`), and within TRUST_MS when made through another.
 */
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { Store } from '../../store/ports.ts';
import type { AccessTokens } from '../auth/access-tokens.ts';
import { hashToken, looksLikeApiKey, parseApiKey, safeEqualHex } from '../auth/opaque-tokens.ts';
import { grantsOf, keyGrants } from '../permissions.ts';
import type { Principal } from './principal.ts';
import { type VerifiedKey, verifiedKeys } from './verified-keys.ts';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/i;
/** Writing last-used on every request would turn reads into writes; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

export class Authenticator {
  private readonly touched = new Map<string, number>();
  private readonly trustedKeys: ReturnType<typeof verifiedKeys>;

  private readonly store: Store;
  private readonly tokens: AccessTokens;
  private readonly now: () => number;

  constructor(store: Store, tokens: AccessTokens, now: () => number) {
    this.store = store;
    this.tokens = tokens;
    this.now = now;
    this.trustedKeys = verifiedKeys(now);
  }

  /** The bearer credential of an Authorization header value, or undefined when there is none. */
  static bearerOf(header: string | undefined): string | undefined {
    if (header === undefined || header === '') return undefined;
    const match = BEARER.exec(header);
    if (!match) {
      throw new SwitchyardError('SY_AUTH_INVALID_TOKEN', 'the Authorization header is not `Bearer <token>`');
    }
    return match[1];
  }

  async authenticate(credential: string): Promise<Principal> {
    return looksLikeApiKey(credential) ? this.apiKey(credential) : this.accessToken(credential);
  }

  private async accessToken(token: string): Promise<Principal> {
    const claims = await this.tokens.verify(token);
    if (await this.store.refreshTokens.familyRevoked(claims.sessionId)) {
      throw new SwitchyardError('SY_AUTH_INVALID_TOKEN', 'this session was signed out');
    }
    const role = await this.store.workspaces.role(claims.workspaceId, claims.userId);
    if (!role)
      throw new SwitchyardError(
        'SY_AUTH_INVALID_TOKEN',
        'the account is no longer a member of this workspace',
      );
    return {
      kind: 'user',
      userId: claims.userId,
      sessionId: claims.sessionId,
      workspaceId: claims.workspaceId,
      role,
      permissions: grantsOf(role),
    };
  }

  /** Call after revoking a key, or changing or removing a member: cached keys are verified again. */
  keysChanged(): void {
    this.trustedKeys.invalidateAll();
  }

  private async apiKey(token: string): Promise<Principal> {
    const hash = hashToken(token);
    return (await this.trustedKeys.get(hash, () => this.readKey(token, hash))).principal;
  }

  private async readKey(token: string, hash: string): Promise<VerifiedKey> {
    const parsed = parseApiKey(token);
    const key = parsed && (await this.store.apiKeys.find(parsed.id));
    if (!key || !safeEqualHex(hash, key.hash) || key.revokedAt !== null) {
      throw new SwitchyardError('SY_AUTH_INVALID_TOKEN', 'the API key is unknown or revoked');
    }
    const now = this.now();
    if (key.expiresAt !== null && key.expiresAt <= now) {
      throw new SwitchyardError('SY_AUTH_TOKEN_EXPIRED', 'the API key has expired', {
        hint: 'Create a new API key; expired keys cannot be renewed.',
      });
    }
    const role = await this.store.workspaces.role(key.workspaceId, key.userId);
    if (!role)
      throw new SwitchyardError('SY_AUTH_INVALID_TOKEN', "the API key's owner is no longer a member");
    if (now - (this.touched.get(key.id) ?? 0) >= TOUCH_EVERY_MS) {
      this.touched.set(key.id, now);
      await this.store.apiKeys.touch(key.id, now);
    }
    const principal: Principal = {
      kind: 'key',
      userId: key.userId,
      keyId: key.id,
      workspaceId: key.workspaceId,
      role,
      permissions: keyGrants(role, key.scopes),
    };
    return { principal, expiresAt: key.expiresAt };
  }
}
