/**
 * @module The storage ports of identity and secrets: users, workspaces and their members, refresh
 * tokens, API keys, sealed credentials and the audit log. Like every port, each backend implements
 * them and passes the conformance suite; every workspace-owned record is read and written through
 * its workspace id, so another workspace's record reads as absent.
 */
import type { Page, PageRequest } from './page.ts';

export type Role = 'admin' | 'editor' | 'viewer';

export interface StoredUser {
  readonly id: string;
  /** Lower-cased. */
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly createdAt: number;
}

export interface NewUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly now: number;
}

export interface UserRepository {
  /**
   * Creates the user, or answers 'exists' when the e-mail address is taken. When this is the first
   * user of the server, makes it admin of `firstAdminOf` in the same transaction (exactly one first
   * user even when two sign up at once); otherwise, when `ownWorkspace` is given, creates that
   * workspace with the user as its admin.
   */
  create(
    user: NewUser,
    placement: {
      readonly firstAdminOf: string;
      readonly ownWorkspace?: { readonly id: string; readonly name: string };
    },
  ): Promise<{ readonly user: StoredUser; readonly first: boolean } | 'exists'>;
  get(id: string): Promise<StoredUser | undefined>;
  findByEmail(email: string): Promise<StoredUser | undefined>;
  count(): Promise<number>;
}

export interface StoredWorkspace {
  readonly id: string;
  readonly name: string;
  /** Hosts, `*.suffix` patterns and CIDRs that outbound requests may reach although private. */
  readonly outboundAllow: readonly string[];
  readonly createdAt: number;
}

export interface Membership {
  readonly workspaceId: string;
  readonly userId: string;
  readonly role: Role;
  readonly createdAt: number;
}

export interface Member extends Membership {
  readonly email: string;
  readonly name: string;
}

export interface WorkspaceRepository {
  get(id: string): Promise<StoredWorkspace | undefined>;
  setOutboundAllow(id: string, allow: readonly string[]): Promise<boolean>;
  /** The workspaces a user belongs to, oldest membership first. */
  membershipsOf(userId: string): Promise<Membership[]>;
  role(workspaceId: string, userId: string): Promise<Role | undefined>;
  members(workspaceId: string): Promise<Member[]>;
  /**
   * Adds the user or changes their role. Refuses ('last-admin') to demote the workspace's last admin,
   * so that a workspace always keeps someone who can manage it.
   */
  setRole(workspaceId: string, userId: string, role: Role, now: number): Promise<'ok' | 'last-admin'>;
  /** Removes the membership; refuses to remove the last admin. */
  removeMember(workspaceId: string, userId: string): Promise<'ok' | 'absent' | 'last-admin'>;
}

export interface StoredRefreshToken {
  readonly hash: string;
  /** One family per sign-in: every rotation stays in it, and reuse revokes all of it. */
  readonly familyId: string;
  readonly userId: string;
  readonly workspaceId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export type Rotation =
  | { readonly outcome: 'rotated'; readonly previous: StoredRefreshToken }
  /** Unknown, expired or revoked. */
  | { readonly outcome: 'invalid' }
  /** Used before: the family has now been revoked. */
  | { readonly outcome: 'reused'; readonly familyId: string; readonly userId: string };

export interface RefreshTokenRepository {
  insert(token: StoredRefreshToken): Promise<void>;
  /**
   * Marks `hash` used and stores `next` in its family, in one transaction; of two concurrent
   * rotations of one token exactly one succeeds, and the other counts as reuse.
   */
  rotate(
    hash: string,
    next: { readonly hash: string; readonly expiresAt: number },
    now: number,
  ): Promise<Rotation>;
  revokeFamily(familyId: string, now: number): Promise<void>;
  /** Whether the family was revoked (logout, reuse): access tokens of a revoked family stop working. */
  familyRevoked(familyId: string): Promise<boolean>;
  /** The live (unused, unrevoked, unexpired) token of `hash`'s family, for logout by cookie. */
  familyOf(hash: string): Promise<string | undefined>;
  /** Deletes tokens expired before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

export type Scope = 'read' | 'run' | 'write' | 'admin';

export interface StoredApiKey {
  readonly id: string;
  readonly workspaceId: string;
  /** The user who made it: the key never grants more than that user's role. */
  readonly userId: string;
  readonly name: string;
  /** The first characters of the key, to recognise it in lists. */
  readonly prefix: string;
  readonly hash: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

export interface ApiKeyRepository {
  create(key: Omit<StoredApiKey, 'revokedAt' | 'lastUsedAt'>): Promise<StoredApiKey>;
  /** By id alone: how a presented key finds its row (then its hash is compared). */
  find(id: string): Promise<StoredApiKey | undefined>;
  get(workspaceId: string, id: string): Promise<StoredApiKey | undefined>;
  list(workspaceId: string, page: PageRequest): Promise<Page<StoredApiKey>>;
  revoke(workspaceId: string, id: string, now: number): Promise<boolean>;
  touch(id: string, now: number): Promise<void>;
}

export interface CredentialMeta {
  readonly id: string;
  readonly workspaceId: string;
  readonly name: string;
  /** What kind of secret (bearer, basic, header, api-key, openai…): decides which fields it has. */
  readonly type: string;
  /** The field names (never the values), so forms can show what is set. */
  readonly fields: readonly string[];
  /** The master key that wraps its data key. */
  readonly keyId: string;
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SealedCredential extends CredentialMeta {
  /** The envelope-encrypted fields. */
  readonly sealed: string;
}

export interface CredentialRepository {
  /** 'exists' when the workspace has a credential of that name. */
  create(credential: SealedCredential): Promise<CredentialMeta | 'exists'>;
  get(workspaceId: string, id: string): Promise<CredentialMeta | undefined>;
  /** With the sealed data: only the vault calls this. */
  sealedByName(workspaceId: string, name: string): Promise<SealedCredential | undefined>;
  sealedById(workspaceId: string, id: string): Promise<SealedCredential | undefined>;
  list(workspaceId: string, page: PageRequest): Promise<Page<CredentialMeta>>;
  update(
    workspaceId: string,
    id: string,
    patch: {
      readonly name?: string;
      readonly type?: string;
      readonly sealed?: {
        readonly sealed: string;
        readonly keyId: string;
        readonly fields: readonly string[];
      };
      readonly now: number;
    },
  ): Promise<CredentialMeta | undefined | 'exists'>;
  delete(workspaceId: string, id: string): Promise<boolean>;
}

export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditEvent {
  readonly id: string;
  /** Null for events outside any workspace (a failed sign-in to an unknown account). */
  readonly workspaceId: string | null;
  /** `user:<id>`, `key:<id>` or `anonymous`. */
  readonly actor: string;
  /** e.g. `auth.login`, `apikey.create`, `credential.update`, `member.role`, `access.denied`. */
  readonly action: string;
  readonly target: string | null;
  readonly outcome: AuditOutcome;
  readonly ip: string | null;
  readonly detail: Readonly<Record<string, unknown>> | null;
  readonly createdAt: number;
}

export interface AuditRepository {
  append(event: AuditEvent): Promise<void>;
  /** Newest first. */
  list(
    workspaceId: string,
    filter: PageRequest & { readonly action?: string; readonly outcome?: AuditOutcome },
  ): Promise<Page<AuditEvent>>;
}
