/**
 * @module Builds the server's security from a store and a master key ring: accounts and tokens
 * (the token key derived from the current master key), the authenticator, the audit log, the
 * credential vault, outbound HTTP per workspace allow-list, and the redactor that every stored
 * or logged value passes through.
 */
import type { Logger } from '../logging/logger.ts';
import { createOutboundClients, type OutboundClients } from '../net/outbound-clients.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ExecutorServices } from '../runtime/services.ts';
import { AccessTokens, deriveTokenSecret } from '../security/auth/access-tokens.ts';
import { LoginThrottle } from '../security/auth/login-throttle.ts';
import { CredentialVault } from '../security/credentials/credential-vault.ts';
import { Accounts } from '../security/identity/accounts.ts';
import { AuditLog } from '../security/identity/audit-log.ts';
import { Authenticator } from '../security/identity/authenticator.ts';
import { SecretRedactor } from '../security/redact/secret-redactor.ts';
import { DEFAULT_SECURITY, type SecuritySettings } from '../security/settings.ts';
import type { KeyRing } from '../security/vault/key-ring.ts';
import type { Store } from '../store/ports.ts';
import type { ServerSecurity } from './deps.ts';
import { workspaceOutbound } from './workspace-outbound.ts';

export interface SecurityOptions {
  readonly keyRing: KeyRing;
  readonly settings?: SecuritySettings;
  /** Shared with the logger, so that log lines are scrubbed of the same secrets. */
  readonly redactor?: SecretRedactor;
  /** The operator's outbound allow-list (SWITCHYARD_OUTBOUND_ALLOW), added to every workspace's. */
  readonly operatorAllow?: readonly string[];
  /** The outbound clients (tests inject a resolver through them). */
  readonly outbound?: OutboundClients;
}

export interface ComposedSecurity {
  readonly security: ServerSecurity;
  /** The executor services with the vault's credentials and the workspaces' outbound HTTP. */
  readonly services: ExecutorServices;
  /** Scrubs known secrets; the identity while none are known. */
  readonly redact: <T>(value: T) => T;
  close(): Promise<void>;
}

export const TOKEN_ISSUER = 'switchyard';
export const TOKEN_AUDIENCE = 'switchyard-api';

export function composeSecurity(options: {
  readonly store: Store;
  readonly clock: Clock;
  readonly services: ExecutorServices;
  readonly security: SecurityOptions;
  readonly log?: Logger;
}): ComposedSecurity {
  const { store, clock } = options;
  const settings = options.security.settings ?? DEFAULT_SECURITY;
  const now = () => clock.now();
  const redactor = options.security.redactor ?? new SecretRedactor();
  const audit = new AuditLog(store.audit, now, (error, entry) =>
    options.log?.error({ err: error, action: entry.action }, 'audit write failed'),
  );
  const tokens = new AccessTokens({
    secret: deriveTokenSecret(options.security.keyRing.current.key),
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    ttlSeconds: settings.accessTokenTtlSeconds,
    now,
  });
  const accounts = new Accounts({
    store,
    tokens,
    throttle: new LoginThrottle({ now }),
    audit,
    now,
    signup: settings.signup,
    refreshTtlMs: settings.refreshTokenTtlMs,
  });
  const vault = new CredentialVault({ store, ring: options.security.keyRing, redactor, now });
  const clients = options.security.outbound ?? createOutboundClients();
  const outbound = workspaceOutbound({
    store,
    clients,
    operatorAllow: options.security.operatorAllow ?? [],
    now,
  });
  return {
    security: {
      accounts,
      authenticator: new Authenticator(store, tokens, now),
      audit,
      vault,
      redactor,
      settings,
      outboundAllowChanged: (workspaceId) => outbound.invalidate(workspaceId),
    },
    services: {
      ...options.services,
      credentials: vault,
      outbound: (workspaceId) => outbound.forWorkspace(workspaceId),
    },
    redact: (value) => (redactor.size === 0 ? value : redactor.redactValue(value)),
    close: () => clients.close(),
  };
}
