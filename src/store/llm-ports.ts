/**
 * @module The storage ports of the LLM gateway: the ledger of calls, budgets with their
 * reservations, and the response cache. Money is in micro-dollars (integers), so sums are exact.
 */
import type { Page, PageRequest } from './page.ts';

export interface LlmCall {
  readonly id: string;
  readonly workspaceId: string;
  readonly workflowId: string | null;
  readonly executionId: string | null;
  readonly nodeId: string | null;
  readonly route: string | null;
  readonly provider: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheHit: boolean;
  readonly latencyMs: number;
  readonly costMicros: number;
  readonly status: 'succeeded' | 'failed';
  readonly errorCode: string | null;
  readonly createdAt: number;
}

export type UsageGrouping = 'day' | 'model' | 'workflow';

export interface UsageTotal {
  /** The day (YYYY-MM-DD, UTC), the `provider/model`, or the workflow id ('' for calls outside one). */
  readonly key: string;
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costMicros: number;
  readonly cacheHits: number;
}

export interface LedgerRepository {
  /** Records the call and drops its budget reservation (if any), in one transaction. */
  record(call: LlmCall, reservationId?: string): Promise<void>;
  /** `record` for many calls in one transaction (group commit). */
  recordMany(entries: readonly { readonly call: LlmCall; readonly reservationId?: string }[]): Promise<void>;
  /** Newest first. */
  list(workspaceId: string, filter: PageRequest & { readonly workflowId?: string }): Promise<Page<LlmCall>>;
  totals(
    workspaceId: string,
    query: {
      readonly from: number;
      readonly to: number;
      readonly by: UsageGrouping;
      readonly workflowId?: string;
    },
  ): Promise<UsageTotal[]>;
}

export type BudgetPeriod = 'day' | 'month';

export interface Budget {
  readonly id: string;
  readonly workspaceId: string;
  /** Null: the whole workspace. */
  readonly workflowId: string | null;
  readonly period: BudgetPeriod;
  readonly limitMicros: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type Reservation =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The budget the call would break. */
      readonly budget: Budget;
      readonly spentMicros: number;
      readonly reservedMicros: number;
    };

export interface BudgetRepository {
  /** Creates or replaces the budget of that scope and period. */
  set(budget: {
    readonly id: string;
    readonly workspaceId: string;
    readonly workflowId: string | null;
    readonly period: BudgetPeriod;
    readonly limitMicros: number;
    readonly now: number;
  }): Promise<Budget>;
  list(workspaceId: string): Promise<Budget[]>;
  delete(workspaceId: string, id: string): Promise<boolean>;
  /**
   * Atomically, against every budget that applies (the workspace's and the workflow's): what was
   * spent in the budget's current period plus the live reservations plus `micros` must fit; then
   * the reservation is stored until `expiresAt`. Concurrent reservations never overdraw a budget.
   */
  reserve(request: {
    readonly id: string;
    readonly workspaceId: string;
    readonly workflowId: string | null;
    readonly micros: number;
    readonly now: number;
    readonly expiresAt: number;
    /** When the current day and month began (UTC). */
    readonly periodStarts: Readonly<Record<BudgetPeriod, number>>;
  }): Promise<Reservation>;
  /** Drops a reservation without a ledger row (the call never happened). */
  release(id: string): Promise<void>;
}

export interface CacheRepository {
  /** The cached response, counting the hit; undefined when absent or expired. */
  get(key: string, now: number): Promise<unknown>;
  put(entry: {
    readonly key: string;
    readonly workspaceId: string;
    readonly response: unknown;
    readonly now: number;
    readonly expiresAt: number;
  }): Promise<void>;
  prune(now: number): Promise<number>;
}
