/** @module What an executor needs from the outside world, handed in so that tests can fake any of it. */
import type { CompiledWorkflow } from '../core/graph/compiled.ts';
import type { ExpressionEngine } from '../expressions/engine.ts';
import type { LlmGateway } from '../llm/gateway/llm-gateway.ts';
import type { McpCaller } from '../mcp/mcp-calls.ts';
import type { CredentialData, OutboundFetch } from '../nodes/context.ts';
import type { CodeSandbox } from '../sandbox/types.ts';
import type { Clock } from './clock.ts';
import type { ApprovalGate } from './durable/approval-gate.ts';

export interface ResolvedWorkflow {
  readonly workflow: CompiledWorkflow;
  /** Where it came from (a file path), so that its own references resolve against it. */
  readonly location: string;
}

export interface WorkflowResolver {
  /** `workspaceId`: the calling execution's; a resolver that serves stored workflows looks only there. */
  resolve(reference: string, from: string | undefined, workspaceId: string): Promise<ResolvedWorkflow>;
}

export interface ExecutorServices {
  readonly clock: Clock;
  /** Uniform in [0, 1): retry jitter. */
  readonly random: () => number;
  readonly expressions: ExpressionEngine;
  readonly code: CodeSandbox;
  readonly workflows: WorkflowResolver;
  /** Outbound HTTP through the SSRF guard, with the workspace's allow-list. */
  readonly outbound: (workspaceId: string) => OutboundFetch;
  readonly credentials: CredentialSource;
  /** Model calls; absent where no gateway is set up (nodes then fail with a clear error). */
  readonly llm?: LlmGateway;
  /** People's decisions; only durable runs can wait for them. */
  readonly approvals?: ApprovalGate;
  /** Tools on MCP servers; absent, MCP tools fail clearly. */
  readonly mcp?: McpCaller;
  /** Conversations' running summaries; absent where no conversations are kept. */
  readonly conversations?: {
    saveSummary(
      workspaceId: string,
      conversationId: string,
      summary: { readonly text: string; readonly throughSeq: number },
    ): Promise<boolean>;
  };
}

/** Where nodes' credentials come from: the vault in a server, nothing (or a file) in the CLI. */
export interface CredentialSource {
  /** The named credential of the workspace, decrypted; SY_CREDENTIAL_NOT_FOUND when there is none. */
  get(workspaceId: string, name: string): Promise<CredentialData>;
}
