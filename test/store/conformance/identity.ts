/** Conformance: users, members and roles, refresh-token rotation, API keys, credentials, audit. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE } from '../../../src/store/ports.ts';
import type { NewUser, SealedCredential } from '../../../src/store/security-ports.ts';
import { T0 } from './builders.ts';
import type { StoreFixture } from './fixture.ts';

const user = (id: string, email = `${id}@example.com`): NewUser => ({
  id,
  email,
  name: id,
  passwordHash: `hash-of-${id}`,
  now: T0,
});
const placement = { firstAdminOf: DEFAULT_WORKSPACE };

const credential = (id: string, workspaceId: string, name: string): SealedCredential => ({
  id,
  workspaceId,
  name,
  type: 'bearer',
  fields: ['token'],
  keyId: 'k1',
  sealed: `sealed-${id}`,
  createdBy: null,
  createdAt: T0,
  updatedAt: T0,
});

export function identityConformance(fixture: StoreFixture): void {
  describe('identity and secrets', () => {
    it('makes the first user admin of the default workspace, and later ones admins of their own', async () => {
      const store = await fixture.open();
      const first = await store.users.create(user('u1'), placement);
      expect(first).toMatchObject({ first: true, user: { id: 'u1', email: 'u1@example.com' } });
      expect(await store.workspaces.role(DEFAULT_WORKSPACE, 'u1')).toBe('admin');

      const second = await store.users.create(user('u2'), {
        ...placement,
        ownWorkspace: { id: 'ws-u2', name: 'u2' },
      });
      expect(second).toMatchObject({ first: false });
      expect(await store.workspaces.role(DEFAULT_WORKSPACE, 'u2')).toBeUndefined();
      expect(await store.workspaces.role('ws-u2', 'u2')).toBe('admin');
      expect(await store.workspaces.get('ws-u2')).toMatchObject({ name: 'u2', outboundAllow: [] });

      const third = await store.users.create(user('u3'), placement);
      expect(third).toMatchObject({ first: false });
      expect(await store.workspaces.membershipsOf('u3')).toEqual([]);
      expect(await store.users.create(user('u4', 'U1@example.com'.toLowerCase()), placement)).toBe('exists');
      expect(await store.users.count()).toBe(3);
      expect((await store.users.findByEmail('U1@EXAMPLE.COM'))?.id).toBe('u1');
    });

    it('has exactly one first user when several sign up at once', async () => {
      const config = await fixture.database();
      const stores = fixture.shared
        ? await Promise.all([fixture.open(config), fixture.open(config), fixture.open(config)])
        : [await fixture.open(config)];
      const results = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          stores[i % stores.length]!.users.create(user(`u${i}`), placement),
        ),
      );
      const firsts = results.filter((result) => result !== 'exists' && result.first);
      expect(firsts).toHaveLength(1);
      const members = await stores[0]!.workspaces.members(DEFAULT_WORKSPACE);
      expect(members).toHaveLength(1);
      expect(members[0]).toMatchObject({ role: 'admin' });
    });

    it('changes roles but never leaves a workspace without an admin', async () => {
      const store = await fixture.open();
      await store.users.create(user('a'), placement);
      await store.users.create(user('b'), placement);
      expect(await store.workspaces.setRole(DEFAULT_WORKSPACE, 'a', 'viewer', T0)).toBe('last-admin');
      expect(await store.workspaces.removeMember(DEFAULT_WORKSPACE, 'a')).toBe('last-admin');
      expect(await store.workspaces.setRole(DEFAULT_WORKSPACE, 'b', 'editor', T0 + 1)).toBe('ok');
      expect(await store.workspaces.setRole(DEFAULT_WORKSPACE, 'b', 'admin', T0 + 2)).toBe('ok');
      expect(await store.workspaces.setRole(DEFAULT_WORKSPACE, 'a', 'viewer', T0 + 3)).toBe('ok');
      const members = await store.workspaces.members(DEFAULT_WORKSPACE);
      expect(members.map((m) => [m.userId, m.role, m.email])).toEqual([
        ['a', 'viewer', 'a@example.com'],
        ['b', 'admin', 'b@example.com'],
      ]);
      expect(await store.workspaces.removeMember(DEFAULT_WORKSPACE, 'a')).toBe('ok');
      expect(await store.workspaces.removeMember(DEFAULT_WORKSPACE, 'a')).toBe('absent');
      expect(await store.workspaces.setOutboundAllow(DEFAULT_WORKSPACE, ['10.0.0.0/8'])).toBe(true);
      expect((await store.workspaces.get(DEFAULT_WORKSPACE))?.outboundAllow).toEqual(['10.0.0.0/8']);
      expect(await store.workspaces.setOutboundAllow('nowhere', [])).toBe(false);
    });

    it('rotates refresh tokens once, and revokes the session when a used token comes back', async () => {
      const store = await fixture.open();
      await store.users.create(user('u1'), placement);
      const session = { familyId: 's1', userId: 'u1', workspaceId: DEFAULT_WORKSPACE };
      await store.refreshTokens.insert({ ...session, hash: 'h1', createdAt: T0, expiresAt: T0 + 1000 });

      const rotated = await store.refreshTokens.rotate('h1', { hash: 'h2', expiresAt: T0 + 2000 }, T0 + 10);
      expect(rotated).toMatchObject({ outcome: 'rotated', previous: { ...session, hash: 'h1' } });
      expect(await store.refreshTokens.familyRevoked('s1')).toBe(false);
      expect(await store.refreshTokens.familyOf('h2')).toBe('s1');

      // The stolen h1 is presented again: the session ends, and h2 with it.
      expect(await store.refreshTokens.rotate('h1', { hash: 'h3', expiresAt: T0 + 2000 }, T0 + 20)).toEqual({
        outcome: 'reused',
        familyId: 's1',
        userId: 'u1',
      });
      expect(await store.refreshTokens.familyRevoked('s1')).toBe(true);
      expect(await store.refreshTokens.rotate('h2', { hash: 'h4', expiresAt: T0 + 2000 }, T0 + 30)).toEqual({
        outcome: 'invalid',
      });
      expect(await store.refreshTokens.rotate('nope', { hash: 'h5', expiresAt: T0 }, T0)).toEqual({
        outcome: 'invalid',
      });
    });

    it('refuses expired refresh tokens and logs out by family', async () => {
      const store = await fixture.open();
      await store.users.create(user('u1'), placement);
      const base = { userId: 'u1', workspaceId: DEFAULT_WORKSPACE, createdAt: T0 };
      await store.refreshTokens.insert({ ...base, familyId: 's1', hash: 'old', expiresAt: T0 + 100 });
      expect(await store.refreshTokens.rotate('old', { hash: 'x', expiresAt: T0 + 900 }, T0 + 100)).toEqual({
        outcome: 'invalid',
      });
      await store.refreshTokens.insert({ ...base, familyId: 's2', hash: 'live', expiresAt: T0 + 1000 });
      await store.refreshTokens.revokeFamily('s2', T0 + 5);
      expect(await store.refreshTokens.familyRevoked('s2')).toBe(true);
      expect(await store.refreshTokens.familyRevoked('unknown')).toBe(true);
      expect(await store.refreshTokens.rotate('live', { hash: 'y', expiresAt: T0 + 900 }, T0 + 6)).toEqual({
        outcome: 'invalid',
      });
      expect(await store.refreshTokens.prune(T0 + 101)).toBe(1);
    });

    it('lets exactly one of two concurrent rotations of a token win', async () => {
      const config = await fixture.database();
      const [a, b] = fixture.shared
        ? await Promise.all([fixture.open(config), fixture.open(config)])
        : [await fixture.open(config), undefined];
      const other = b ?? a!;
      await a!.users.create(user('u1'), placement);
      await a!.refreshTokens.insert({
        familyId: 's1',
        userId: 'u1',
        workspaceId: DEFAULT_WORKSPACE,
        hash: 'h1',
        createdAt: T0,
        expiresAt: T0 + 1000,
      });
      const outcomes = await Promise.all([
        a!.refreshTokens.rotate('h1', { hash: 'ha', expiresAt: T0 + 900 }, T0 + 1),
        other.refreshTokens.rotate('h1', { hash: 'hb', expiresAt: T0 + 900 }, T0 + 1),
      ]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['reused', 'rotated']);
      expect(await a!.refreshTokens.familyRevoked('s1')).toBe(true);
    });

    it('keeps API keys to their workspace, revocable once', async () => {
      const store = await fixture.open();
      await store.users.create(user('u1'), placement);
      const key = {
        id: 'key_1',
        workspaceId: DEFAULT_WORKSPACE,
        userId: 'u1',
        name: 'ci',
        prefix: 'sy_key_1_abc',
        hash: 'f'.repeat(64),
        scopes: ['read', 'run'] as const,
        createdAt: T0,
        expiresAt: null,
      };
      expect(await store.apiKeys.create(key)).toMatchObject({ ...key, revokedAt: null, lastUsedAt: null });
      expect(await store.apiKeys.find('key_1')).toMatchObject({ scopes: ['read', 'run'] });
      expect(await store.apiKeys.get('elsewhere', 'key_1')).toBeUndefined();
      expect((await store.apiKeys.list('elsewhere', { limit: 10 })).items).toEqual([]);
      expect(await store.apiKeys.revoke('elsewhere', 'key_1', T0 + 1)).toBe(false);
      await store.apiKeys.touch('key_1', T0 + 2);
      expect(await store.apiKeys.revoke(DEFAULT_WORKSPACE, 'key_1', T0 + 3)).toBe(true);
      expect(await store.apiKeys.revoke(DEFAULT_WORKSPACE, 'key_1', T0 + 4)).toBe(false);
      expect(await store.apiKeys.get(DEFAULT_WORKSPACE, 'key_1')).toMatchObject({
        revokedAt: T0 + 3,
        lastUsedAt: T0 + 2,
      });
    });

    it('keeps credentials to their workspace, names unique per workspace, metadata apart from data', async () => {
      const store = await fixture.open();
      expect(await store.credentials.create(credential('c1', 'ws-a', 'github'))).toMatchObject({
        id: 'c1',
        name: 'github',
        fields: ['token'],
      });
      expect(await store.credentials.create(credential('c2', 'ws-a', 'github'))).toBe('exists');
      expect(await store.credentials.create(credential('c3', 'ws-b', 'github'))).toMatchObject({ id: 'c3' });

      const meta = await store.credentials.get('ws-a', 'c1');
      expect(meta).toBeDefined();
      expect(JSON.stringify(meta)).not.toContain('sealed-');
      expect(JSON.stringify(await store.credentials.list('ws-a', { limit: 10 }))).not.toContain('sealed-');
      expect(await store.credentials.get('ws-b', 'c1')).toBeUndefined();
      expect(await store.credentials.sealedByName('ws-a', 'github')).toMatchObject({
        id: 'c1',
        sealed: 'sealed-c1',
      });
      expect(await store.credentials.sealedByName('ws-b', 'github')).toMatchObject({ id: 'c3' });
      expect(await store.credentials.sealedById('ws-b', 'c1')).toBeUndefined();

      await store.credentials.create(credential('c4', 'ws-a', 'slack'));
      expect(await store.credentials.update('ws-a', 'c4', { name: 'github', now: T0 + 1 })).toBe('exists');
      expect(await store.credentials.update('ws-b', 'c4', { name: 'x', now: T0 + 1 })).toBeUndefined();
      expect(
        await store.credentials.update('ws-a', 'c4', {
          sealed: { sealed: 'sealed-new', keyId: 'k2', fields: ['user', 'password'] },
          now: T0 + 2,
        }),
      ).toMatchObject({ keyId: 'k2', fields: ['user', 'password'], updatedAt: T0 + 2 });
      expect(await store.credentials.delete('ws-b', 'c4')).toBe(false);
      expect(await store.credentials.delete('ws-a', 'c4')).toBe(true);
    });

    it('appends audit events and lists them per workspace, newest first, filtered', async () => {
      const store = await fixture.open();
      const event = (id: string, workspaceId: string | null, action: string, at: number) => ({
        id,
        workspaceId,
        actor: 'user:u1',
        action,
        target: null,
        outcome: 'success' as const,
        ip: '127.0.0.1',
        detail: { n: at },
        createdAt: at,
      });
      await store.audit.append(event('e1', 'ws-a', 'auth.login', T0));
      await store.audit.append(event('e2', 'ws-a', 'apikey.create', T0 + 1));
      await store.audit.append(event('e3', 'ws-b', 'auth.login', T0 + 2));
      await store.audit.append(event('e4', null, 'auth.login', T0 + 3));
      expect((await store.audit.list('ws-a', { limit: 10 })).items.map((e) => e.id)).toEqual(['e2', 'e1']);
      expect((await store.audit.list('ws-a', { limit: 10, action: 'auth.login' })).items).toEqual([
        event('e1', 'ws-a', 'auth.login', T0),
      ]);
      const page = await store.audit.list('ws-a', { limit: 1 });
      expect(page.items.map((e) => e.id)).toEqual(['e2']);
      expect(
        (await store.audit.list('ws-a', { limit: 1, after: page.next! })).items.map((e) => e.id),
      ).toEqual(['e1']);
    });
  });
}
