/**
 * @module `ctx`, the context one node run gets: one object per run whose members are made when a
 * node reaches for them. Most nodes use two or three of its twenty; building them all for every run
 * was a tenth of what an execution allocated. Every member is a getter, so a member taken off the
 * context (`const { log, now } = ctx`) works like one called on it.
 */
import type { ReadyNode } from '../core/scheduler/records.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type {
  AgentMessage,
  ApprovalAnswer,
  ApprovalAsk,
  CredentialData,
  McpServerRef,
  NodeContext,
  NodeLlm,
  NodeLogger,
  NodeProgress,
  OutboundFetch,
  WorkflowResponse,
} from '../nodes/context.ts';
import type { CodeSandbox } from '../sandbox/types.ts';
import type { EventDraft } from './events.ts';
import { nodeLlm } from './node-llm.ts';
import type { ExecutorServices } from './services.ts';

/** What a node run reaches through its execution. */
export interface NodeContextHost {
  readonly services: ExecutorServices;
  readonly executionId: string;
  readonly workspaceId: string;
  readonly workflowId: string | undefined;
  readonly outbound: OutboundFetch;
  /** Durable `ctx.sleep` (see ExecuteOptions.sleep), when the execution is stored. */
  readonly durableSleep: ((key: string, ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** Durable `ctx.step` (see ExecuteOptions.step), when the execution is stored. */
  readonly durableStep:
    | ((nodeKey: string, stepKey: string, work: () => Promise<unknown>) => Promise<unknown>)
    | undefined;
  emit(event: EventDraft): void;
  respond(response: WorkflowResponse): void;
  runSubworkflow(ready: ReadyNode, reference: string, input: unknown, signal: AbortSignal): Promise<unknown>;
}

export class NodeRunContext implements NodeContext {
  readonly executionId: string;
  readonly nodeId: string;
  readonly scope: string;
  readonly attempt: number;
  readonly signal: AbortSignal;
  readonly #host: NodeContextHost;
  readonly #ready: ReadyNode;
  #sleeps = 0;
  /** Members made so far: each once per run, when a node first reaches for it. */
  readonly #made: { -readonly [K in keyof NodeContext]?: NodeContext[K] } = {};

  constructor(host: NodeContextHost, ready: ReadyNode, attempt: number, signal: AbortSignal) {
    this.#host = host;
    this.#ready = ready;
    this.executionId = host.executionId;
    this.nodeId = ready.node.id;
    this.scope = ready.scope;
    this.attempt = attempt;
    this.signal = signal;
  }

  get idempotencyKey(): string {
    return `${this.executionId}:${this.#ready.key}`;
  }

  get log(): NodeLogger {
    if (this.#made.log === undefined) {
      const line =
        (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) =>
          this.#host.emit({
            type: 'node.log',
            nodeId: this.nodeId,
            scope: this.scope,
            level,
            message,
            ...(fields ? { fields } : {}),
          });
      this.#made.log = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
    }
    return this.#made.log;
  }

  get emit(): (progress: NodeProgress) => void {
    this.#made.emit ??= (progress) =>
      this.#host.emit({ type: 'node.progress', nodeId: this.nodeId, scope: this.scope, ...progress });
    return this.#made.emit;
  }

  get now(): () => number {
    this.#made.now ??= () => this.#host.services.clock.now();
    return this.#made.now;
  }

  get sleep(): (ms: number) => Promise<void> {
    this.#made.sleep ??= (ms) => {
      const durable = this.#host.durableSleep;
      return durable
        ? durable(`${this.#ready.key}:${this.attempt}:${++this.#sleeps}`, ms, this.signal)
        : this.#host.services.clock.sleep(ms, this.signal);
    };
    return this.#made.sleep;
  }

  get code(): CodeSandbox {
    return this.#host.services.code;
  }

  get runWorkflow(): (reference: string, input: unknown) => Promise<unknown> {
    this.#made.runWorkflow ??= (reference, input) =>
      this.#host.runSubworkflow(this.#ready, reference, input, this.signal);
    return this.#made.runWorkflow;
  }

  get respond(): (response: WorkflowResponse) => void {
    this.#made.respond ??= (response) => this.#host.respond(response);
    return this.#made.respond;
  }

  get http(): OutboundFetch {
    this.#made.http ??= (request, requestSignal) =>
      this.#host.outbound(
        request,
        requestSignal ? AbortSignal.any([this.signal, requestSignal]) : this.signal,
      );
    return this.#made.http;
  }

  get credential(): (name: string) => Promise<CredentialData> {
    this.#made.credential ??= (name) => this.#host.services.credentials.get(this.#host.workspaceId, name);
    return this.#made.credential;
  }

  get mcpCall(): NodeContext['mcpCall'] {
    this.#made.mcpCall ??= async (server: McpServerRef, tool, args, options) => {
      const mcp = this.#host.services.mcp;
      if (!mcp)
        throw new SwitchyardError(
          'SY_OUTBOUND_BLOCKED',
          'MCP tools are not available where this workflow runs',
        );
      return mcp.call(this.#host.workspaceId, server, tool, args, {
        timeoutMs: options.timeoutMs,
        signal: this.signal,
      });
    };
    return this.#made.mcpCall;
  }

  get saveConversationSummary(): NodeContext['saveConversationSummary'] {
    this.#made.saveConversationSummary ??= async (conversationId, summary) => {
      const conversations = this.#host.services.conversations;
      if (!conversations) {
        throw new SwitchyardError(
          'SY_CONVERSATION_NOT_FOUND',
          'no conversations are kept where this workflow runs',
        );
      }
      await conversations.saveSummary(this.#host.workspaceId, conversationId, summary);
    };
    return this.#made.saveConversationSummary;
  }

  get message(): (message: Omit<AgentMessage, 'at'>) => void {
    this.#made.message ??= (message) =>
      this.#host.emit({
        type: 'agent.message',
        nodeId: this.nodeId,
        scope: this.scope,
        message: { ...message, at: this.#host.services.clock.now() },
      });
    return this.#made.message;
  }

  get step(): NodeContext['step'] {
    this.#made.step ??= async <T>(key: string, work: () => Promise<T>): Promise<T> => {
      const durable = this.#host.durableStep;
      return durable ? ((await durable(this.idempotencyKey, key, work)) as T) : work();
    };
    return this.#made.step;
  }

  get approval(): (ask: ApprovalAsk) => Promise<ApprovalAnswer> {
    this.#made.approval ??= (ask) => {
      const gate = this.#host.services.approvals;
      const workflowId = this.#host.workflowId;
      if (!gate || workflowId === undefined) {
        throw new SwitchyardError('SY_APPROVAL_UNAVAILABLE', 'this run cannot wait for a person');
      }
      return gate.ask(
        {
          workspaceId: this.#host.workspaceId,
          // A sub-workflow's id is `<root>/<path>`: the root is what sleeps and wakes.
          executionId: this.executionId.split('/')[0]!,
          workflowId,
          nodeKey: this.idempotencyKey,
          nodeId: this.nodeId,
        },
        ask,
      );
    };
    return this.#made.approval;
  }

  get llm(): NodeLlm {
    this.#made.llm ??= nodeLlm(this.#host.services.llm, {
      workspaceId: this.#host.workspaceId,
      workflowId: this.#host.workflowId,
      executionId: this.executionId,
      nodeId: this.nodeId,
      signal: this.signal,
    });
    return this.#made.llm;
  }
}
