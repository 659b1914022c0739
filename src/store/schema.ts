/**
 * @module The tables as Kysely sees them, the same for both backends: JSON columns travel as text
 * (TEXT in SQLite, `json` in PostgreSQL, read back unparsed), times as millisecond numbers and
 * flags as 0/1, so one repository layer serves both.
 */

export interface WorkflowsTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  draft: string;
  latest_version: number | null;
  created_at: number;
  updated_at: number;
}

export interface WorkflowVersionsTable {
  workflow_id: string;
  version: number;
  definition: string;
  note: string | null;
  created_at: number;
}

export interface ExecutionsTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  workflow_version: number;
  status: string;
  trigger: string;
  entry: string | null;
  input: string;
  output: string | null;
  error: string | null;
  correlation_id: string | null;
  parent_id: string | null;
  replay: string | null;
  cancel_requested: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  lease_owner: string | null;
  lease_epoch: number;
  lease_expires_at: number | null;
}

export interface NodeRunsTable {
  execution_id: string;
  node_id: string;
  scope: string;
  seq: number;
  status: string;
  attempts: number;
  input: string | null;
  outputs: string | null;
  error: string | null;
  started_at: number;
  finished_at: number;
  tokens_in: number | null;
  tokens_out: number | null;
  cost_usd: number | null;
}

export interface ExecutionEventsTable {
  execution_id: string;
  seq: number;
  type: string;
  payload: string;
  at: number;
}

export interface TimersTable {
  execution_id: string;
  key: string;
  fire_at: number;
}

export interface DeadLettersTable {
  execution_id: string;
  workspace_id: string;
  workflow_id: string;
  reason: string;
  created_at: number;
  retried_at: number | null;
  retry_execution_id: string | null;
}

export interface SchedulesTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  cron: string;
  timezone: string;
  misfire: string;
  enabled: number;
  input: string;
  next_fire_at: number | null;
  last_fired_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  workflow_id: string;
  delivery_id: string;
  /** Null while the first request is starting the execution. */
  execution_id: string | null;
  created_at: number;
}

export interface IdempotencyKeysTable {
  workspace_id: string;
  scope: string;
  key: string;
  fingerprint: string;
  /** Null while the first request is being processed. */
  response: string | null;
  created_at: number;
  expires_at: number;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  outbound_allow: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
}

export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface AuthSessionsTable {
  id: string;
  user_id: string;
  workspace_id: string;
  created_at: number;
  revoked_at: number | null;
}

export interface RefreshTokensTable {
  hash: string;
  session_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  prefix: string;
  hash: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface CredentialsTable {
  id: string;
  workspace_id: string;
  name: string;
  type: string;
  fields: string;
  key_id: string;
  sealed: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface AuditEventsTable {
  id: string;
  workspace_id: string | null;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  detail: string | null;
  created_at: number;
}

export interface LlmCallsTable {
  id: string;
  workspace_id: string;
  workflow_id: string | null;
  execution_id: string | null;
  node_id: string | null;
  route: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_hit: number;
  latency_ms: number;
  cost_micros: number;
  status: string;
  error_code: string | null;
  created_at: number;
}

export interface LlmBudgetsTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  period: string;
  limit_micros: number;
  created_at: number;
  updated_at: number;
}

export interface LlmReservationsTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  micros: number;
  created_at: number;
  expires_at: number;
}

export interface LlmCacheTable {
  key: string;
  workspace_id: string;
  response: string;
  hits: number;
  created_at: number;
  expires_at: number;
}

export interface ApprovalsTable {
  id: string;
  workspace_id: string;
  execution_id: string;
  workflow_id: string;
  node_key: string;
  node_id: string;
  status: string;
  request: string;
  decision: string | null;
  decided_by: string | null;
  decided_at: number | null;
  expires_at: number | null;
  created_at: number;
}

export interface NodeStepsTable {
  execution_id: string;
  node_key: string;
  step_key: string;
  result: string;
  created_at: number;
}

export interface ConversationsTable {
  id: string;
  workspace_id: string;
  workflow_id: string;
  title: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  summary: string | null;
  summary_through_seq: number;
}

export interface ConversationMessagesTable {
  id: string;
  conversation_id: string;
  workspace_id: string;
  seq: number;
  role: string;
  content: string;
  execution_id: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  created_at: number;
}

export interface Database {
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  executions: ExecutionsTable;
  node_runs: NodeRunsTable;
  execution_events: ExecutionEventsTable;
  timers: TimersTable;
  dead_letters: DeadLettersTable;
  schedules: SchedulesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  idempotency_keys: IdempotencyKeysTable;
  workspaces: WorkspacesTable;
  users: UsersTable;
  memberships: MembershipsTable;
  auth_sessions: AuthSessionsTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  credentials: CredentialsTable;
  audit_events: AuditEventsTable;
  llm_calls: LlmCallsTable;
  llm_budgets: LlmBudgetsTable;
  llm_reservations: LlmReservationsTable;
  llm_cache: LlmCacheTable;
  approvals: ApprovalsTable;
  node_steps: NodeStepsTable;
  conversations: ConversationsTable;
  conversation_messages: ConversationMessagesTable;
}
