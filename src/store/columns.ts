/**
 * @module The columns of the tables written row by row or in multi-row statements, listed once and
 * checked against the schema's row types (none missing, none extra): the SQLite journal names them
 * in its prepared statements, and multi-row inserts size their chunks by their count.
 */
import type { ExecutionEventsTable, ExecutionsTable, NodeRunsTable } from './schema.ts';

const columnsOf = <Row>(columns: Record<keyof Row, true>): readonly string[] => Object.keys(columns);

export const EXECUTION_COLUMNS = columnsOf<ExecutionsTable>({
  id: true,
  workspace_id: true,
  workflow_id: true,
  workflow_version: true,
  status: true,
  trigger: true,
  entry: true,
  input: true,
  output: true,
  error: true,
  correlation_id: true,
  parent_id: true,
  replay: true,
  cancel_requested: true,
  created_at: true,
  started_at: true,
  finished_at: true,
  lease_owner: true,
  lease_epoch: true,
  lease_expires_at: true,
});

export const NODE_RUN_COLUMNS = columnsOf<NodeRunsTable>({
  execution_id: true,
  node_id: true,
  scope: true,
  seq: true,
  status: true,
  attempts: true,
  input: true,
  outputs: true,
  error: true,
  started_at: true,
  finished_at: true,
  tokens_in: true,
  tokens_out: true,
  cost_usd: true,
});

export const EVENT_COLUMNS = columnsOf<ExecutionEventsTable>({
  execution_id: true,
  seq: true,
  type: true,
  payload: true,
  at: true,
});
