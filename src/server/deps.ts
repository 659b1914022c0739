/** @module What the HTTP server is handed by its composition root: the store, the runner and the limits. */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { ExecutionEventBus } from '../events/bus.ts';
import type { ResponseHub } from '../events/responses.ts';
import type { LlmGateway } from '../llm/gateway/llm-gateway.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ExecutionWorker } from '../runtime/durable/execution-worker.ts';
import type { Executions } from '../runtime/durable/executions.ts';
import type { CredentialVault } from '../security/credentials/credential-vault.ts';
import type { Accounts } from '../security/identity/accounts.ts';
import type { AuditLog } from '../security/identity/audit-log.ts';
import type { Authenticator } from '../security/identity/authenticator.ts';
import type { SecretRedactor } from '../security/redact/secret-redactor.ts';
import type { SecuritySettings } from '../security/settings.ts';
import type { Store } from '../store/ports.ts';
import type { WorkflowVersions } from '../workflows/versions.ts';

export interface ServerLimits {
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit: number;
  /** Deepest nesting of arrays and objects accepted in a JSON body. */
  readonly maxJsonDepth: number;
  /** Longest a `wait=true` start may hold the request before answering 202. */
  readonly maxWaitMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  bodyLimit: 1024 * 1024,
  maxJsonDepth: 64,
  maxWaitMs: 60_000,
};

/** Identity, secrets and limits: what the auth hook, the auth routes and the vault routes use. */
export interface ServerSecurity {
  readonly accounts: Accounts;
  readonly authenticator: Authenticator;
  readonly audit: AuditLog;
  readonly vault: CredentialVault;
  readonly redactor: SecretRedactor;
  readonly settings: SecuritySettings;
  /** Drops the cached outbound allow-list of a workspace after an admin changed it. */
  outboundAllowChanged(workspaceId: string): void;
}

export interface ServerDeps {
  readonly store: Store;
  readonly security: ServerSecurity;
  /** The LLM gateway, behind /v1 (OpenAI-compatible) and the llm nodes; absent when not configured. */
  readonly llm?: LlmGateway;
  readonly worker: ExecutionWorker;
  readonly executions: Executions;
  readonly versions: WorkflowVersions;
  readonly catalog: NodeRegistry;
  readonly clock: Clock;
  /** Live events of running executions (SSE, WebSocket). */
  readonly bus: ExecutionEventBus;
  /** Responses of respond nodes, for callers waiting on an execution (webhooks). */
  readonly responses: ResponseHub;
  readonly limits?: Partial<ServerLimits>;
  /** Fastify's logger option: off in tests, JSON lines in `switchyard serve`. */
  readonly logger?: FastifyServerOptions['logger'];
  /** A ready logger (pino) for the app; wins over `logger`. */
  readonly loggerInstance?: FastifyBaseLogger;
}
