/** @module What the gateway takes and gives: requests, results and the parts of a streamed answer. */
import type { PiiKind } from '../privacy/redact.ts';
import type { Decision } from '../reliability/fallback-chain.ts';

/** A conversation turn: text, an assistant turn that called tools, or a tool's result. */
export type LlmMessage =
  | { readonly role: 'system' | 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly LlmToolCall[] }
  | {
      readonly role: 'tool';
      readonly toolCallId: string;
      readonly toolName: string;
      /** The result as text (JSON for structured results). */
      readonly content: string;
      /** The call failed: the text says why, so that the model can correct itself. */
      readonly isError?: boolean;
    };

export interface LlmTool {
  readonly name: string;
  readonly description?: string | undefined;
  /** JSON Schema of the tool's input. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface LlmRequest {
  readonly messages: readonly LlmMessage[];
  /** A configured model by id (tried first, then `fallbacks`), or a route; the `default` route when neither. */
  readonly model?: string;
  readonly route?: string;
  readonly fallbacks?: readonly string[];
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxOutputTokens?: number;
  readonly stop?: readonly string[];
  readonly tools?: readonly LlmTool[];
  /** JSON Schema: the answer must be an object that validates, or the call fails clearly. */
  readonly responseSchema?: Readonly<Record<string, unknown>>;
  /** auto: only deterministic requests (temperature 0, no tools); always; off. */
  readonly cache?: 'auto' | 'always' | 'off';
  /** Private data: only local models may see it. */
  readonly private?: boolean;
  readonly pii?: {
    readonly input?: readonly PiiKind[] | undefined;
    readonly output?: readonly PiiKind[] | undefined;
  };
}

export interface LlmToolCall {
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
}

export interface LlmUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
}

export interface LlmResult {
  readonly text: string;
  readonly toolCalls: readonly LlmToolCall[];
  /** The validated object, with `responseSchema`. */
  readonly object?: unknown;
  readonly finishReason: string;
  readonly usage: LlmUsage;
  readonly costUsd: number;
  readonly provider: string;
  readonly model: string;
  readonly route: string | null;
  readonly routeReason: string;
  readonly cached: boolean;
  readonly decisions: readonly Decision[];
  readonly latencyMs: number;
}

/** Who is calling, for the ledger, budgets and events. */
export interface LlmCallContext {
  readonly workspaceId: string;
  readonly workflowId?: string;
  readonly executionId?: string;
  readonly nodeId?: string;
  readonly signal?: AbortSignal;
  readonly onDecision?: (decision: Decision) => void;
  /** Text as it streams in. */
  readonly onDelta?: (text: string) => void;
  /**
   * The deltas go straight to a client that cannot take them back: once one has gone, a failure
   * ends the call (SY_LLM_STREAM_BROKEN) instead of retrying or falling back into a mixed answer.
   */
  readonly deltasAreFinal?: boolean;
}
