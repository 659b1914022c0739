/**
 * @module `ctx`: everything a node may reach — cancellation, logging, progress, time, the code
 * sandbox, sub-workflows and the response channel. Later issues add llm, http and credentials.
 */
import type { CodeSandbox } from '../sandbox/types.ts';

export type { Arrival } from '../core/scheduler/records.ts';

export interface ScopeFrameView {
  readonly loopId: string;
  readonly iteration: number;
  readonly item: unknown;
}

export interface NodeLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface NodeProgress {
  readonly message?: string;
  /** 0–1 when the node knows how far along it is. */
  readonly fraction?: number;
  readonly data?: unknown;
}

export interface WorkflowResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface NodeContext {
  readonly executionId: string;
  readonly nodeId: string;
  /** Loop iteration scope ('' at the top level). */
  readonly scope: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Same for every attempt and every resume of this node instance: use it to make effects happen once. */
  readonly idempotencyKey: string;
  /** Aborted on cancellation, node timeout, workflow timeout or when the execution ends. */
  readonly signal: AbortSignal;
  readonly log: NodeLogger;
  emit(progress: NodeProgress): void;
  now(): number;
  /** Waits, honouring `signal`. */
  sleep(ms: number): Promise<void>;
  readonly code: CodeSandbox;
  /** Runs another workflow to completion and returns its output. */
  runWorkflow(reference: string, input: unknown): Promise<unknown>;
  /** Sets the execution's response (for webhook callers waiting on it). */
  respond(response: WorkflowResponse): void;
}
