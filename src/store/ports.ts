/**
 * @module The storage ports, split by domain. Every backend (SQLite embedded, PostgreSQL) implements
 * all of them and passes one conformance suite. Times are milliseconds since the epoch; JSON values
 * are stored as JSON and come back equal (deep-equal) to what went in.
 */
import type { ErrorData } from '../errors/switchyard-error.ts';
import type { ApprovalRepository } from './approval-ports.ts';
import type { ConversationRepository } from './conversation-ports.ts';
import type { Lease } from './lease.ts';
import type { BudgetRepository, CacheRepository, LedgerRepository } from './llm-ports.ts';
import type { Page, PageRequest } from './page.ts';
import type {
  ApiKeyRepository,
  AuditRepository,
  CredentialRepository,
  RefreshTokenRepository,
  UserRepository,
  WorkspaceRepository,
} from './security-ports.ts';

export const DEFAULT_WORKSPACE = 'default';

export type { Page, PageRequest } from './page.ts';

// ---- workflows and versions -----------------------------------------------------------------

export interface StoredWorkflow {
  readonly id: string;
  readonly workspaceId: string;
  readonly name: string;
  readonly description: string | null;
  /** The editable definition document (the workflow file as JSON). */
  readonly draft: unknown;
  readonly latestVersion: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewWorkflow {
  readonly id: string;
  readonly workspaceId: string;
  readonly name: string;
  readonly description?: string | null;
  readonly draft: unknown;
  readonly now: number;
}

export interface StoredVersion {
  readonly workflowId: string;
  /** 1, 2, 3… per workflow. Versions are immutable. */
  readonly version: number;
  readonly definition: unknown;
  readonly note: string | null;
  readonly createdAt: number;
}

export interface WorkflowRepository {
  create(workflow: NewWorkflow): Promise<StoredWorkflow>;
  get(workspaceId: string, id: string): Promise<StoredWorkflow | undefined>;
  /**
   * A workflow's workspace and latest version by its id alone, whatever its workspace: only for
   * public triggers (webhooks), which carry just its id. Read per request, so nothing more.
   */
  forTrigger(
    id: string,
  ): Promise<{ readonly workspaceId: string; readonly latestVersion: number | null } | undefined>;
  /** Newest first. */
  list(workspaceId: string, page: PageRequest): Promise<Page<StoredWorkflow>>;
  updateDraft(
    workspaceId: string,
    id: string,
    patch: {
      readonly name?: string;
      readonly description?: string | null;
      readonly draft?: unknown;
      readonly now: number;
    },
  ): Promise<StoredWorkflow | undefined>;
  /** Deletes the workflow and its versions; executions keep their data. */
  delete(workspaceId: string, id: string): Promise<boolean>;
  /** Stores `definition` as the next version (latest + 1), atomically even when called concurrently. */
  publish(
    workspaceId: string,
    id: string,
    version: { readonly definition: unknown; readonly note?: string | null; readonly now: number },
  ): Promise<StoredVersion | undefined>;
  getVersion(workspaceId: string, id: string, version: number): Promise<StoredVersion | undefined>;
  /** Oldest first. */
  listVersions(workspaceId: string, id: string): Promise<StoredVersion[]>;
}

// ---- executions -----------------------------------------------------------------------------

/** waiting: asleep until a person decides an approval (no runner holds it). */
export type StoredExecutionStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';

export interface ExecutionTrigger {
  /** manual, api, webhook, schedule, replay, retry, subworkflow… */
  readonly kind: string;
  readonly [detail: string]: unknown;
}

export interface StoredExecution {
  readonly id: string;
  readonly workspaceId: string;
  readonly workflowId: string;
  /** The version this execution is pinned to. */
  readonly workflowVersion: number;
  readonly status: StoredExecutionStatus;
  readonly trigger: ExecutionTrigger;
  /** Entry node it starts from (null: the first entry node). */
  readonly entry: string | null;
  readonly input: unknown;
  readonly output: unknown;
  readonly error: ErrorData | null;
  readonly correlationId: string | null;
  /** The execution that started this one (sub-workflow, replay, retry). */
  readonly parentId: string | null;
  /** Replay: copy the recorded outputs of `executionId` upstream of `fromNode`, run the rest. */
  readonly replay: { readonly executionId: string; readonly fromNode: string } | null;
  readonly cancelRequested: boolean;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly leaseOwner: string | null;
  /** Fencing token: increases on every claim, so a stale owner's writes are refused. */
  readonly leaseEpoch: number;
  readonly leaseExpiresAt: number | null;
}

export interface NewExecution {
  readonly id: string;
  readonly workspaceId: string;
  readonly workflowId: string;
  readonly workflowVersion: number;
  readonly trigger: ExecutionTrigger;
  readonly entry?: string | null;
  readonly input: unknown;
  readonly correlationId?: string | null;
  readonly parentId?: string | null;
  readonly replay?: { readonly executionId: string; readonly fromNode: string } | null;
  readonly now: number;
  /**
   * Created already running under this lease (epoch 1) by the process that will run it, instead of
   * queued for whichever runner claims it first: no claim, no poll.
   */
  readonly lease?: { readonly owner: string; readonly expiresAt: number };
}

export type { Lease } from './lease.ts';

export interface ExecutionFilter extends PageRequest {
  readonly status?: StoredExecutionStatus;
  readonly workflowId?: string;
}

export interface ExecutionOutcomeUpdate {
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly output: unknown;
  readonly error: ErrorData | null;
  readonly now: number;
}

export interface RetentionPolicy {
  /** Delete finished executions that finished before this time. */
  readonly finishedBefore?: number;
  /** Keep at most this many finished executions per workflow (the newest). */
  readonly keepPerWorkflow?: number;
}

export interface ExecutionRepository {
  create(execution: NewExecution): Promise<StoredExecution>;
  /**
   * Group commit of creations: one transaction; per item the stored execution, or undefined when an
   * execution with that id exists already (nothing else is written for it).
   */
  createMany(executions: readonly NewExecution[]): Promise<(StoredExecution | undefined)[]>;
  get(workspaceId: string, id: string): Promise<StoredExecution | undefined>;
  /** Newest first. */
  list(workspaceId: string, filter: ExecutionFilter): Promise<Page<StoredExecution>>;
  /**
   * Takes up to `limit` executions that are running with an expired lease (their runner died:
   * their work so far is paid for) and then queued ones, oldest first: sets status running, owner, epoch + 1, expiry now + leaseMs, startedAt if
   * unset. Two concurrent claimers never get the same execution.
   */
  claim(
    owner: string,
    leaseMs: number,
    now: number,
    limit: number,
    /** Executions the caller is still running: never taken from under it, even with an expired lease. */
    running?: readonly string[],
  ): Promise<StoredExecution[]>;
  /** Extends the leases still held; returns the ids whose lease was extended. */
  renew(leases: readonly Lease[], leaseMs: number, now: number): Promise<string[]>;
  /** Finishes the execution if the lease still holds (compare-and-set); false otherwise. */
  finish(lease: Lease, outcome: ExecutionOutcomeUpdate): Promise<boolean>;
  /** `finish` for many executions in one transaction (group commit); one result per item. */
  finishMany(
    finishes: readonly { readonly lease: Lease; readonly outcome: ExecutionOutcomeUpdate }[],
  ): Promise<boolean[]>;
  /** Gives a lease back without finishing (graceful shutdown): the execution is queued again. */
  release(lease: Lease): Promise<boolean>;
  requestCancel(workspaceId: string, id: string): Promise<boolean>;
  /** Which of these executions someone asked to cancel (runners poll it for the ones they run). */
  cancelRequested(ids: readonly string[]): Promise<string[]>;
  /**
   * Queues every running execution again, whatever its lease. Only for a process that knows no
   * other runner is alive: the embedded store's file lock makes that so for the process holding it.
   */
  requeueRunning(): Promise<number>;
  /** Deletes finished executions (with their node runs, events and timers) per the policy; returns how many. */
  prune(policy: RetentionPolicy): Promise<number>;
}

// ---- node runs: the durable log -------------------------------------------------------------

export interface StoredNodeRun {
  readonly executionId: string;
  readonly nodeId: string;
  /** Loop iteration scope ('' at the top level). */
  readonly scope: string;
  /** Completion order within the execution, from 1: the order the log is replayed in. */
  readonly seq: number;
  readonly status: 'succeeded' | 'failed';
  readonly attempts: number;
  /** The value on the node's first input port when it ran (null for copied or pre-0003 runs). */
  readonly input: unknown;
  readonly outputs: Readonly<Record<string, unknown>> | null;
  readonly error: ErrorData | null;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly tokensIn: number | null;
  readonly tokensOut: number | null;
  readonly costUsd: number | null;
}

export interface CheckpointBatch {
  readonly lease: Lease;
  readonly runs: readonly StoredNodeRun[];
}

export interface NodeRunRepository {
  /**
   * Group commit: in one transaction, for each batch whose lease still holds (owner and epoch match
   * and the execution is running), inserts its runs. A run already stored for the same
   * (execution, node, scope) is left as it was. Returns, per batch, whether its lease held.
   */
  checkpoint(batches: readonly CheckpointBatch[]): Promise<boolean[]>;
  /** In `seq` order. */
  list(executionId: string): Promise<StoredNodeRun[]>;
}

// ---- journal ---------------------------------------------------------------------------------

export interface ExecutionFinish {
  readonly lease: Lease;
  readonly outcome: ExecutionOutcomeUpdate;
}

/** What runners write about executions, gathered over a moment from many executions. */
export interface JournalBatch {
  readonly creates: readonly NewExecution[];
  readonly checkpoints: readonly CheckpointBatch[];
  readonly events: readonly StoredEvent[];
  readonly finishes: readonly ExecutionFinish[];
}

export interface JournalOutcome {
  /**
   * Per create, whether it was stored (false: an execution with its id exists). Only that: the
   * caller has the execution, so none is read back, parsed and sent across.
   */
  readonly created: readonly boolean[];
  /** Per checkpoint, as `NodeRunRepository.checkpoint` answers. */
  readonly held: readonly boolean[];
  /** Per finish, as `ExecutionRepository.finishMany` answers. */
  readonly finished: readonly boolean[];
}

export interface JournalRepository {
  /**
   * Group commit of everything at once: one transaction (one fsync) writes the creates, then the
   * checkpoints, the events and the finishes, with the meaning each has on its own.
   */
  commit(batch: JournalBatch): Promise<JournalOutcome>;
}

// ---- events ---------------------------------------------------------------------------------

export interface StoredEvent {
  readonly executionId: string;
  /** From 1, without gaps, per execution. */
  readonly seq: number;
  readonly type: string;
  readonly payload: unknown;
  readonly at: number;
}

export interface EventRepository {
  /** Appends; an event whose (executionId, seq) exists already is ignored. */
  append(events: readonly StoredEvent[]): Promise<void>;
  /** Events with seq > afterSeq, in order. */
  list(executionId: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;
  lastSeq(executionId: string): Promise<number>;
}

// ---- node steps -------------------------------------------------------------------------------

export interface StepRepository {
  /**
   * Stores a step's result unless one is stored already, and returns the stored one: of two
   * runners of the same step, both go on with the first result.
   */
  record(step: {
    readonly executionId: string;
    readonly nodeKey: string;
    readonly stepKey: string;
    readonly result: unknown;
    readonly now: number;
  }): Promise<unknown>;
  /** The stored result, or `undefined` when the step has not finished before. */
  find(
    executionId: string,
    nodeKey: string,
    stepKey: string,
  ): Promise<{ readonly result: unknown } | undefined>;
}

// ---- timers, dead letters, schedules --------------------------------------------------------

export interface TimerRepository {
  /** Stores `fireAt` under (executionId, key) unless one is stored already; returns the stored one. */
  getOrCreate(executionId: string, key: string, fireAt: number): Promise<number>;
}

export interface DeadLetter {
  readonly executionId: string;
  readonly workspaceId: string;
  readonly workflowId: string;
  readonly reason: ErrorData;
  readonly createdAt: number;
  readonly retriedAt: number | null;
  readonly retryExecutionId: string | null;
}

export interface DeadLetterRepository {
  add(letter: Omit<DeadLetter, 'retriedAt' | 'retryExecutionId'>): Promise<void>;
  get(workspaceId: string, executionId: string): Promise<DeadLetter | undefined>;
  /** Newest first; only those not retried unless `includeRetried`. */
  list(
    workspaceId: string,
    page: PageRequest & { readonly includeRetried?: boolean },
  ): Promise<Page<DeadLetter>>;
  markRetried(
    workspaceId: string,
    executionId: string,
    retryExecutionId: string,
    now: number,
  ): Promise<boolean>;
}

export interface StoredSchedule {
  readonly id: string;
  readonly workspaceId: string;
  readonly workflowId: string;
  readonly cron: string;
  readonly timezone: string;
  readonly misfire: 'skip' | 'catchUp';
  readonly enabled: boolean;
  readonly input: unknown;
  readonly nextFireAt: number | null;
  readonly lastFiredAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ScheduleRepository {
  create(schedule: Omit<StoredSchedule, 'lastFiredAt' | 'updatedAt'>): Promise<StoredSchedule>;
  get(workspaceId: string, id: string): Promise<StoredSchedule | undefined>;
  list(workspaceId: string, page: PageRequest): Promise<Page<StoredSchedule>>;
  update(
    workspaceId: string,
    id: string,
    patch: Partial<
      Pick<StoredSchedule, 'cron' | 'timezone' | 'misfire' | 'enabled' | 'input' | 'nextFireAt'>
    > & { readonly now: number },
  ): Promise<StoredSchedule | undefined>;
  delete(workspaceId: string, id: string): Promise<boolean>;
  /** Enabled schedules with nextFireAt <= now, soonest first. */
  due(now: number, limit: number): Promise<StoredSchedule[]>;
  /** Compare-and-set: moves nextFireAt from `expected` to `next` (records lastFiredAt); false if another process did. */
  advance(id: string, expected: number, next: number | null, firedAt: number): Promise<boolean>;
}

// ---- the store --------------------------------------------------------------------------------

// ---- webhook deliveries and idempotency keys -----------------------------------------------

/** The first caller reserves; a later one learns the execution the first started (null: still starting). */
export type Reservation =
  | { readonly first: true }
  | { readonly first: false; readonly executionId: string | null };

export interface WebhookDeliveryRepository {
  /**
   * Reserves a delivery id of a workflow; of two callers, even at once, exactly one is first. A
   * reservation still without an execution and older than `staleBefore` (its holder died) is taken over.
   */
  reserve(workflowId: string, deliveryId: string, now: number, staleBefore: number): Promise<Reservation>;
  /** Records the execution the first caller started. */
  complete(workflowId: string, deliveryId: string, executionId: string): Promise<void>;
  /** Drops a reservation whose start failed (never one with an execution), so a retry can start. */
  release(workflowId: string, deliveryId: string): Promise<void>;
  /** Forgets deliveries received before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

/** What a route answered, replayed to repeats of its Idempotency-Key. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface IdempotencyKey {
  readonly workspaceId: string;
  /** The route the key is for (method and URL pattern): one key may be used once per route. */
  readonly scope: string;
  readonly key: string;
}

export type KeyClaim =
  | { readonly first: true }
  | { readonly first: false; readonly fingerprint: string; readonly response: StoredResponse | null };

export interface IdempotencyRepository {
  /**
   * Reserves a key for a request (its `fingerprint`) until `expiresAt`; exactly one concurrent caller
   * is first. An expired key, or a reservation without a response older than `staleBefore`, is taken over.
   */
  reserve(
    key: IdempotencyKey,
    claim: {
      readonly fingerprint: string;
      readonly now: number;
      readonly expiresAt: number;
      readonly staleBefore: number;
    },
  ): Promise<KeyClaim>;
  /** Stores the first request's response for its repeats. */
  complete(key: IdempotencyKey, response: StoredResponse): Promise<void>;
  /** Drops a reservation without a response (the request failed), so a repeat acts again. */
  release(key: IdempotencyKey): Promise<void>;
  /** Deletes keys expired at `now`; returns how many. */
  prune(now: number): Promise<number>;
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  readonly workflows: WorkflowRepository;
  readonly executions: ExecutionRepository;
  readonly nodeRuns: NodeRunRepository;
  readonly events: EventRepository;
  readonly journal: JournalRepository;
  readonly timers: TimerRepository;
  readonly deadLetters: DeadLetterRepository;
  readonly schedules: ScheduleRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  readonly idempotency: IdempotencyRepository;
  readonly users: UserRepository;
  readonly workspaces: WorkspaceRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly credentials: CredentialRepository;
  readonly audit: AuditRepository;
  readonly ledger: LedgerRepository;
  readonly budgets: BudgetRepository;
  readonly llmCache: CacheRepository;
  readonly approvals: ApprovalRepository;
  readonly steps: StepRepository;
  readonly conversations: ConversationRepository;
  /** Reachable and fully migrated (for /readyz). */
  health(): Promise<{ readonly ok: boolean; readonly detail?: string }>;
  close(): Promise<void>;
}
