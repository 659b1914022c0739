import { describe, expect, it } from 'vitest';
import type { Store } from '../../store/ports.ts';
import type { Role, StoredApiKey } from '../../store/security-ports.ts';
import type { AccessTokens } from '../auth/access-tokens.ts';
import { hashToken, newApiKey } from '../auth/opaque-tokens.ts';
import { Authenticator } from './authenticator.ts';
import { REFRESH_AFTER_MS, TRUST_MS } from './verified-keys.ts';

/** A store holding one key and its owner's role, counting the reads an API key costs. */
function setup(options: { expiresAt?: number } = {}) {
  const made = newApiKey();
  let key: StoredApiKey = {
    id: made.id,
    workspaceId: 'ws',
    userId: 'user',
    name: 'ci',
    prefix: made.prefix,
    hash: made.hash,
    scopes: ['read', 'run'],
    createdAt: 0,
    expiresAt: options.expiresAt ?? null,
    revokedAt: null,
    lastUsedAt: null,
  };
  let role: Role | undefined = 'editor';
  const reads = { keys: 0, roles: 0 };
  // While set, reading the owner's role waits for it: a change can come in between.
  let roleRead: Promise<void> | undefined;
  const store = {
    apiKeys: {
      find: async (id: string) => {
        reads.keys++;
        return id === key.id ? key : undefined;
      },
      touch: async () => {},
    },
    workspaces: {
      role: async () => {
        reads.roles++;
        const read = role;
        await roleRead;
        return read;
      },
    },
  } as unknown as Store;
  let now = 1_000_000;
  const authenticator = new Authenticator(store, {} as AccessTokens, () => now);
  return {
    token: made.token,
    authenticator,
    reads,
    advance: (ms: number) => {
      now += ms;
    },
    revokeElsewhere: () => {
      key = { ...key, revokedAt: now };
    },
    setRoleElsewhere: (next: Role | undefined) => {
      role = next;
    },
    holdRoleReads: () => {
      let release = () => {};
      roleRead = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        roleRead = undefined;
        release();
      };
    },
  };
}

describe('API keys verified recently', () => {
  it('are trusted for TRUST_MS without reading the store, then read again', async () => {
    const { token, authenticator, reads, advance } = setup();
    const first = await authenticator.authenticate(token);
    expect(first).toMatchObject({ kind: 'key', workspaceId: 'ws', role: 'editor' });
    advance(REFRESH_AFTER_MS - 1);
    expect(await authenticator.authenticate(token)).toBe(first);
    expect(reads).toEqual({ keys: 1, roles: 1 });
    advance(TRUST_MS - REFRESH_AFTER_MS + 1);
    await authenticator.authenticate(token);
    expect(reads).toEqual({ keys: 2, roles: 2 });
  });

  it('are verified again in the background near the end of their trust: a steady caller never waits', async () => {
    const { token, authenticator, reads, advance, holdRoleReads, revokeElsewhere } = setup();
    const first = await authenticator.authenticate(token);
    advance(REFRESH_AFTER_MS);
    const release = holdRoleReads();
    // Answered from what was verified, while the key is read again; callers meanwhile share that read.
    expect(await authenticator.authenticate(token)).toBe(first);
    expect(await authenticator.authenticate(token)).toBe(first);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toEqual({ keys: 2, roles: 2 });
    release();
    await new Promise((resolve) => setImmediate(resolve));
    // Trusted afresh from the background read: no read at the old entry's end.
    advance(TRUST_MS - REFRESH_AFTER_MS);
    await authenticator.authenticate(token);
    expect(reads).toEqual({ keys: 2, roles: 2 });
    // A background read that finds the key revoked ends its trust at once.
    advance(2 * REFRESH_AFTER_MS - TRUST_MS);
    revokeElsewhere();
    await authenticator.authenticate(token);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(authenticator.authenticate(token)).rejects.toMatchObject({ code: 'SY_AUTH_INVALID_TOKEN' });
  });

  it('share one read among callers that come while a key is being read', async () => {
    const { token, authenticator, reads, holdRoleReads } = setup();
    const release = holdRoleReads();
    const callers = [1, 2, 3].map(() => authenticator.authenticate(token));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const principals = await Promise.all(callers);
    expect(new Set(principals).size).toBe(1);
    expect(reads).toEqual({ keys: 1, roles: 1 });
  });

  it('lose a revocation or a role change made elsewhere for at most TRUST_MS', async () => {
    const { token, authenticator, advance, revokeElsewhere, setRoleElsewhere } = setup();
    await authenticator.authenticate(token);
    setRoleElsewhere('viewer');
    advance(TRUST_MS);
    expect((await authenticator.authenticate(token)).role).toBe('viewer');
    revokeElsewhere();
    advance(TRUST_MS - 1);
    await expect(authenticator.authenticate(token)).resolves.toMatchObject({ kind: 'key' });
    advance(1);
    await expect(authenticator.authenticate(token)).rejects.toMatchObject({ code: 'SY_AUTH_INVALID_TOKEN' });
  });

  it('are verified again at once after a change in this process', async () => {
    const { token, authenticator, revokeElsewhere } = setup();
    await authenticator.authenticate(token);
    revokeElsewhere();
    authenticator.keysChanged();
    await expect(authenticator.authenticate(token)).rejects.toMatchObject({ code: 'SY_AUTH_INVALID_TOKEN' });
  });

  it('do not keep a verification that a change in this process overtook', async () => {
    const { token, authenticator, reads, holdRoleReads, setRoleElsewhere } = setup();
    const release = holdRoleReads();
    const during = authenticator.authenticate(token);
    await new Promise((resolve) => setImmediate(resolve));
    setRoleElsewhere('viewer');
    authenticator.keysChanged();
    release();
    expect((await during).role).toBe('editor');
    // Read again, not answered from what was read before the change.
    expect((await authenticator.authenticate(token)).role).toBe('viewer');
    expect(reads.roles).toBe(2);
  });

  it('never match another secret with the same key id, and honour the expiry while trusted', async () => {
    const { token, authenticator, advance } = setup({ expiresAt: 1_000_000 + TRUST_MS / 2 });
    await authenticator.authenticate(token);
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(hashToken(forged)).not.toBe(hashToken(token));
    await expect(authenticator.authenticate(forged)).rejects.toMatchObject({ code: 'SY_AUTH_INVALID_TOKEN' });
    advance(TRUST_MS / 2);
    await expect(authenticator.authenticate(token)).rejects.toMatchObject({ code: 'SY_AUTH_TOKEN_EXPIRED' });
  });
});
