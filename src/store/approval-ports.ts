/**
 * @module The storage port of approvals: what a suspended execution waits for, and the decision a
 * person makes. Deciding and suspending are arranged so that a decision can never be lost between
 * "the node asked" and "the execution went to sleep".
 */

import type { Lease } from './lease.ts';
import type { Page, PageRequest } from './page.ts';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'timed-out';

export interface ApprovalRequest {
  readonly title: string;
  readonly message: string | null;
  /** What the person reviews (and may edit). */
  readonly data: unknown;
}

export interface ApprovalDecision {
  /** The data as approved: edited by the person, or as it was. */
  readonly data: unknown;
  readonly comment: string | null;
}

export interface StoredApproval {
  readonly id: string;
  readonly workspaceId: string;
  readonly executionId: string;
  readonly workflowId: string;
  readonly nodeKey: string;
  readonly nodeId: string;
  readonly status: ApprovalStatus;
  readonly request: ApprovalRequest;
  readonly decision: ApprovalDecision | null;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly expiresAt: number | null;
  readonly createdAt: number;
}

export interface ApprovalRepository {
  /** The approval of a node instance, created pending when it does not exist yet. */
  open(
    approval: Omit<StoredApproval, 'status' | 'decision' | 'decidedBy' | 'decidedAt'>,
  ): Promise<StoredApproval>;
  get(workspaceId: string, id: string): Promise<StoredApproval | undefined>;
  /** Newest first. */
  list(
    workspaceId: string,
    filter: PageRequest & { readonly status?: ApprovalStatus; readonly executionId?: string },
  ): Promise<Page<StoredApproval>>;
  /**
   * Records the decision if the approval is still pending (one decision wins), and queues the
   * execution again if it is asleep; 'absent' or 'decided' otherwise.
   */
  decide(
    workspaceId: string,
    id: string,
    decision: {
      readonly status: 'approved' | 'rejected';
      readonly decision: ApprovalDecision;
      readonly by: string;
      readonly now: number;
    },
  ): Promise<StoredApproval | 'absent' | 'decided'>;
  /**
   * Puts a running execution to sleep while it waits on these approvals — unless one of them was
   * decided meanwhile, then it is queued at once. False when the lease no longer holds.
   */
  suspend(lease: Lease, waitingOn: readonly string[]): Promise<boolean>;
  /** Times out pending approvals past their expiry and queues their executions; returns how many. */
  expire(now: number): Promise<number>;
}
