/** @module Who is calling: an authenticated user or API key, acting in one workspace with a role. */
import type { Role } from '../../store/security-ports.ts';
import type { Permission } from '../permissions.ts';

export interface Principal {
  readonly kind: 'user' | 'key';
  readonly userId: string;
  /** Set for API keys. */
  readonly keyId?: string;
  /** Set for users: the sign-in session the access token belongs to. */
  readonly sessionId?: string;
  readonly workspaceId: string;
  readonly role: Role;
  readonly permissions: ReadonlySet<Permission>;
}

/** How the audit log names an actor. */
export function actorOf(principal: Principal | undefined): string {
  if (!principal) return 'anonymous';
  return principal.kind === 'key' ? `key:${principal.keyId}` : `user:${principal.userId}`;
}
