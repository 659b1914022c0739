/**
 * @module Every route and what it requires, in one table. The server refuses to start if a route
 * is missing here (a new route cannot ship open by accident), and the auth hook enforces the table
 * before any handler runs. Public routes say why they are public.
 */
import type { Permission } from '../../security/permissions.ts';

export type Requirement =
  | { readonly public: string }
  /** Any valid credential, whatever its permissions (e.g. who am I). */
  | { readonly authenticated: true }
  | { readonly permission: Permission };

const publicBecause = (reason: string): Requirement => ({ public: reason });
const needs = (permission: Permission): Requirement => ({ permission });
const signedIn: Requirement = { authenticated: true };

const AUTH_ENTRY = publicBecause('it is how a caller gets credentials (rate-limited, audited)');
const COOKIE = publicBecause(
  'authenticated by the HttpOnly refresh cookie and a CSRF token, checked in the handler',
);

/** `METHOD /url/:pattern` → requirement. HEAD uses its GET's entry. */
export const ROUTE_REQUIREMENTS: Readonly<Record<string, Requirement>> = {
  'GET /healthz': publicBecause('liveness probe; reveals nothing'),
  'GET /readyz': publicBecause('readiness probe; reveals nothing'),
  'GET /api/v1/openapi.json': publicBecause('the API description; holds no data'),
  'POST /hooks/:workflowId/*': publicBecause(
    "webhook triggers are called by other systems; the workflow's HMAC signature check and rate limits guard them",
  ),

  'POST /api/v1/auth/signup': AUTH_ENTRY,
  'POST /api/v1/auth/login': AUTH_ENTRY,
  'POST /api/v1/auth/refresh': COOKIE,
  'POST /api/v1/auth/logout': COOKIE,
  'GET /api/v1/auth/me': signedIn,

  'POST /api/v1/workflows': needs('write'),
  'GET /api/v1/workflows': needs('read'),
  'POST /api/v1/workflows/import': needs('write'),
  'GET /api/v1/workflows/:id': needs('read'),
  'PATCH /api/v1/workflows/:id': needs('write'),
  'DELETE /api/v1/workflows/:id': needs('write'),
  'POST /api/v1/workflows/:id/validate': needs('read'),
  'GET /api/v1/workflows/:id/export': needs('write'),
  'GET /api/v1/workflows/:id/diff': needs('read'),
  'POST /api/v1/workflows/:id/versions': needs('write'),
  'GET /api/v1/workflows/:id/versions': needs('read'),
  'GET /api/v1/workflows/:id/versions/:version': needs('read'),
  'POST /api/v1/workflows/:id/versions/:version/restore': needs('write'),
  'POST /api/v1/workflows/:id/executions': needs('run'),

  'GET /api/v1/executions': needs('read'),
  'GET /api/v1/executions/:id': needs('read'),
  'POST /api/v1/executions/:id/cancel': needs('run'),
  'POST /api/v1/executions/:id/retry': needs('run'),
  'POST /api/v1/executions/:id/replay': needs('run'),
  'GET /api/v1/executions/:id/events': needs('read'),
  'GET /api/v1/executions/:id/messages': needs('read'),
  'GET /api/v1/ws': needs('read'),

  'GET /api/v1/node-types': needs('read'),

  'POST /api/v1/schedules': needs('write'),
  'GET /api/v1/schedules': needs('read'),
  'GET /api/v1/schedules/:id': needs('read'),
  'PATCH /api/v1/schedules/:id': needs('write'),
  'DELETE /api/v1/schedules/:id': needs('write'),

  'GET /api/v1/workspace': needs('read'),
  'PATCH /api/v1/workspace': needs('admin'),
  'GET /api/v1/members': needs('read'),
  'POST /api/v1/members': needs('admin'),
  'PATCH /api/v1/members/:userId': needs('admin'),
  'DELETE /api/v1/members/:userId': needs('admin'),

  // Any member may hold keys up to their own role; the handlers keep others' keys to admins.
  'GET /api/v1/api-keys': needs('read'),
  'POST /api/v1/api-keys': needs('read'),
  'DELETE /api/v1/api-keys/:id': needs('read'),

  'GET /api/v1/credentials': needs('read'),
  'POST /api/v1/credentials': needs('write'),
  'GET /api/v1/credentials/:id': needs('read'),
  'PATCH /api/v1/credentials/:id': needs('write'),
  'DELETE /api/v1/credentials/:id': needs('write'),

  'GET /api/v1/audit': needs('admin'),

  'GET /api/v1/approvals': needs('read'),
  'GET /api/v1/approvals/:id': needs('read'),
  'POST /api/v1/approvals/:id/decision': needs('run'),

  // Starting a conversation is part of chatting: a chat client holds read and run, not write.
  'POST /api/v1/conversations': needs('run'),
  'GET /api/v1/conversations': needs('read'),
  'GET /api/v1/conversations/:id': needs('read'),
  'DELETE /api/v1/conversations/:id': needs('write'),
  'GET /api/v1/conversations/:id/messages': needs('read'),
  // Posting a message runs the workflow: what a start needs.
  'POST /api/v1/conversations/:id/messages': needs('run'),

  // The OpenAI-compatible gateway: API keys (or access tokens) of the workspace whose budgets apply.
  'POST /v1/chat/completions': needs('run'),
  'POST /v1/embeddings': needs('run'),
  'GET /v1/models': needs('read'),
  'GET /api/v1/usage': needs('read'),
  'GET /api/v1/budgets': needs('read'),
  'PUT /api/v1/budgets': needs('admin'),
  'DELETE /api/v1/budgets/:id': needs('admin'),

  // Switchyard as an MCP server: its tools run workflows, so every message needs what a start needs.
  'POST /mcp': needs('run'),
  'GET /mcp': needs('run'),
  'DELETE /mcp': needs('run'),
};

/** The API docs page and its assets, registered by @fastify/swagger-ui under one prefix. */
const PUBLIC_PREFIXES: readonly [string, Requirement][] = [
  ['/api/v1/docs', publicBecause('the API documentation page; holds no data')],
];

export function requirementOf(method: string, url: string): Requirement | undefined {
  const verb = method === 'HEAD' ? 'GET' : method;
  const exact = ROUTE_REQUIREMENTS[`${verb} ${url}`];
  if (exact) return exact;
  return PUBLIC_PREFIXES.find(([prefix]) => url === prefix || url.startsWith(`${prefix}/`))?.[1];
}
