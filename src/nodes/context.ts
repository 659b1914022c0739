/**
 * @module `ctx`: everything a node may reach — cancellation, logging, progress, time, the code
 * sandbox, sub-workflows, the response channel, outbound HTTP (through the SSRF guard) and the
 * credentials of the execution's workspace, and model calls through the LLM gateway.
 */
import type { LlmRequest, LlmResult } from '../llm/gateway/types.ts';
import type { Decision } from '../llm/reliability/fallback-chain.ts';
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

/** An outbound HTTP request a workflow steers; it always goes through the SSRF guard. */
export interface OutboundRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Whole request, redirects included; the guard's default applies when absent. */
  readonly timeoutMs?: number;
  /** Larger responses fail with SY_OUTBOUND_TOO_LARGE. */
  readonly maxResponseBytes?: number;
  /** Follow 3xx redirects (each hop checked again); default true. */
  readonly followRedirects?: boolean;
  readonly maxRedirects?: number;
}

export interface OutboundResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The URL that answered, after redirects. */
  readonly url: string;
  readonly redirects: number;
}

/** Performs a guarded outbound request; rejects with SY_OUTBOUND_* errors. */
export type OutboundFetch = (request: OutboundRequest, signal?: AbortSignal) => Promise<OutboundResponse>;

/** Model calls for a node: through the gateway, accounted to this execution and node. */
export interface NodeLlm {
  /** `onDelta` receives the answer's text as it streams in; `onDecision` each gateway decision (retry, fallback…). */
  generate(
    request: LlmRequest,
    options?: {
      readonly onDelta?: (text: string) => void;
      readonly onDecision?: (decision: Decision) => void;
    },
  ): Promise<LlmResult>;
  embed(request: { readonly model: string; readonly input: readonly string[] }): Promise<{
    readonly embeddings: number[][];
    readonly usage: { readonly inputTokens: number };
    readonly costUsd: number;
    readonly model: string;
  }>;
}

/** What a person is asked to approve. */
export interface ApprovalAsk {
  readonly title: string;
  readonly message?: string | undefined;
  readonly data: unknown;
  /** Past this, the approval times out (status `timed-out`). */
  readonly timeoutMs?: number | undefined;
}

export interface ApprovalAnswer {
  readonly approvalId: string;
  readonly status: 'approved' | 'rejected' | 'timed-out';
  /** As approved (possibly edited), or the original data when nobody decided. */
  readonly data: unknown;
  readonly comment: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
}

/** A typed message between agents, models and tools, kept with the execution as its trace. */
export interface AgentMessage {
  /** Stable across a resume, so a replayed step does not show twice in the trace. */
  readonly id: string;
  /** Ties the messages of one conversation (one agent's run) together. */
  readonly correlationId: string;
  readonly from: string;
  readonly to: string;
  /** task, request, answer, tool-call, tool-result, result… */
  readonly type: string;
  readonly payload: unknown;
  readonly at: number;
}

/** An MCP server a tool lives on: a URL (Streamable HTTP), or an allow-listed stdio command. */
export type McpServerRef =
  | { readonly url: string; readonly headers?: Readonly<Record<string, string>> | undefined }
  | { readonly command: string; readonly args: readonly string[] };

/** A decrypted credential: its fields (e.g. `{ token }` or `{ username, password }`). */
export type CredentialData = Readonly<Record<string, string>>;

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
  /** Outbound HTTP for this execution's workspace, through the SSRF guard; aborted with `signal`. */
  readonly http: OutboundFetch;
  /**
   * The named credential of this execution's workspace, decrypted. Its values are redacted from
   * everything the execution stores or logs; never put them in outputs on purpose.
   */
  credential(name: string): Promise<CredentialData>;
  /** The LLM gateway; rejects with SY_LLM_UNAVAILABLE where none is configured. */
  readonly llm: NodeLlm;
  /**
   * Asks a person: resolves with their decision once made; until then the node is parked and the
   * execution sleeps in the store (no process waits). The node runs again when woken, and this
   * call then returns the decision, so everything before it must be repeatable.
   */
  approval(ask: ApprovalAsk): Promise<ApprovalAnswer>;
  /**
   * Runs `work` at most once per node instance and `key`, durably: run again after a crash, the node
   * gets the recorded result instead of repeating the work (a model call, a tool call). The result
   * must be JSON; where no store is kept (`switchyard run`), it simply runs.
   */
  step<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Calls a tool on an MCP server; arguments are checked against its schema before anything is sent. */
  mcpCall(
    server: McpServerRef,
    tool: string,
    args: Record<string, unknown>,
    options: { readonly timeoutMs: number },
  ): Promise<{ readonly text: string; readonly isError: boolean }>;
  /** Keeps a newer running summary with a conversation of this workspace (agents' memory). */
  saveConversationSummary(
    conversationId: string,
    summary: { readonly text: string; readonly throughSeq: number },
  ): Promise<void>;
  /** Adds a message to the execution's agent trace (`at` is set here). */
  message(message: Omit<AgentMessage, 'at'>): void;
}
