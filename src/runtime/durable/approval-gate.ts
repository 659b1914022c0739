/**
 * @module `ctx.approval` in durable runs: the approval of a node instance is opened once (found
 * again on every resume); while it is pending the node is parked (`Suspended`); once decided or
 * timed out, the node gets the answer.
 */
import { randomUUID } from 'node:crypto';
import type { ApprovalAnswer, ApprovalAsk } from '../../nodes/context.ts';
import type { Store } from '../../store/ports.ts';
import type { Clock } from '../clock.ts';
import { Suspended } from '../suspension.ts';

export interface ApprovalGate {
  ask(
    where: {
      readonly workspaceId: string;
      /** The stored execution (the root, for a sub-workflow's nodes). */
      readonly executionId: string;
      readonly workflowId: string;
      readonly nodeKey: string;
      readonly nodeId: string;
    },
    ask: ApprovalAsk,
  ): Promise<ApprovalAnswer>;
}

export function approvalGate(store: Store, clock: Clock): ApprovalGate {
  return {
    async ask(where, ask) {
      const now = clock.now();
      const approval = await store.approvals.open({
        id: randomUUID(),
        ...where,
        request: { title: ask.title, message: ask.message ?? null, data: ask.data ?? null },
        expiresAt: ask.timeoutMs === undefined ? null : now + ask.timeoutMs,
        createdAt: now,
      });
      if (approval.status === 'pending') {
        throw new Suspended(approval.id, `waiting for a person to decide "${ask.title}"`);
      }
      return {
        approvalId: approval.id,
        status: approval.status,
        data: approval.decision ? approval.decision.data : approval.request.data,
        comment: approval.decision?.comment ?? null,
        decidedBy: approval.decidedBy,
        decidedAt: approval.decidedAt,
      };
    },
  };
}
