/** @module Executions between their stored row and the port's shape. */
import type { Selectable } from 'kysely';
import type { ErrorData } from '../../errors/switchyard-error.ts';
import { fromJson, toJson, toNullableJson } from '../json-column.ts';
import type { ExecutionTrigger, NewExecution, StoredExecution, StoredExecutionStatus } from '../ports.ts';
import type { ExecutionsTable } from '../schema.ts';

export const FINISHED_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;

export function newExecutionRow(execution: NewExecution): ExecutionsTable {
  return {
    id: execution.id,
    workspace_id: execution.workspaceId,
    workflow_id: execution.workflowId,
    workflow_version: execution.workflowVersion,
    status: execution.lease ? 'running' : 'queued',
    trigger: toJson(execution.trigger),
    entry: execution.entry ?? null,
    input: toJson(execution.input),
    output: null,
    error: null,
    correlation_id: execution.correlationId ?? null,
    parent_id: execution.parentId ?? null,
    replay: toNullableJson(execution.replay),
    cancel_requested: 0,
    created_at: execution.now,
    started_at: execution.lease ? execution.now : null,
    finished_at: null,
    lease_owner: execution.lease?.owner ?? null,
    lease_epoch: execution.lease ? 1 : 0,
    lease_expires_at: execution.lease?.expiresAt ?? null,
  };
}

export function toExecution(row: Selectable<ExecutionsTable>): StoredExecution {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    status: row.status as StoredExecutionStatus,
    trigger: fromJson(row.trigger) as ExecutionTrigger,
    entry: row.entry,
    input: fromJson(row.input),
    output: fromJson(row.output),
    error: fromJson(row.error) as ErrorData | null,
    correlationId: row.correlation_id,
    parentId: row.parent_id,
    replay: fromJson(row.replay) as StoredExecution['replay'],
    cancelRequested: row.cancel_requested === 1,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    leaseOwner: row.lease_owner,
    leaseEpoch: row.lease_epoch,
    leaseExpiresAt: row.lease_expires_at,
  };
}

/** Oldest first, ties by id: the order claims hand executions out in. */
export function byCreation(a: StoredExecution, b: StoredExecution): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
