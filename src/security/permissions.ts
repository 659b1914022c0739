/**
 * @module What each role may do, and what an API key adds to (or rather takes from) its maker's
 * role. Pure: the one place where a role becomes a set of permissions.
 */
import type { Role, Scope } from '../store/security-ports.ts';

/** read: see; run: start, cancel, retry; write: change workflows, schedules, credentials; admin: members, keys of others, audit, settings. */
export type Permission = Scope;

export const PERMISSIONS: readonly Permission[] = ['read', 'run', 'write', 'admin'];
export const ROLES: readonly Role[] = ['admin', 'editor', 'viewer'];

const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['read'],
  editor: ['read', 'run', 'write'],
  admin: ['read', 'run', 'write', 'admin'],
};

export function grantsOf(role: Role): ReadonlySet<Permission> {
  return new Set(GRANTS[role]);
}

/** A key acts with its scopes, but never beyond what its maker's role grants today. */
export function keyGrants(role: Role, scopes: readonly Scope[]): ReadonlySet<Permission> {
  const granted = GRANTS[role];
  return new Set(scopes.filter((scope) => granted.includes(scope)));
}

/** Scopes a user may put on a new key: those their role grants. */
export function scopesBeyond(role: Role, scopes: readonly Scope[]): Scope[] {
  return scopes.filter((scope) => !GRANTS[role].includes(scope));
}
