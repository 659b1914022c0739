/**
 * @module Drives one execution: asks the pure scheduler what is ready, runs it under its policies
 * (at most `settings.concurrency` at once), checkpoints each result before anything that depends on
 * it can start, and turns it all into events. A resume is the same path, started from a longer log.
 */
import type { CompiledWorkflow } from '../core/graph/compiled.ts';
import { ExecutionState } from '../core/scheduler/execution-state.ts';
import type { ExecutionOutcome, NodeRunRecord, Notice, ReadyNode } from '../core/scheduler/records.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { NodeContext, OutboundFetch, ScopeFrameView, WorkflowResponse } from '../nodes/context.ts';
import type { NodeType } from '../nodes/node-type.ts';
import { DEFAULT_WORKSPACE } from '../store/ports.ts';
import type { EventDraft, ExecutionEvent } from './events.ts';
import { type AttemptHost, type AttemptsResult, runWithPolicies } from './node-attempts.ts';
import { type NodeContextHost, NodeRunContext } from './node-context.ts';
import { nodeOutputsView } from './node-outputs-view.ts';
import { PendingWrites } from './pending-writes.ts';
import type { ExecutorServices } from './services.ts';
import { Suspended } from './suspension.ts';

export const MAX_SUBWORKFLOW_DEPTH = 8;

export interface ExecuteOptions {
  readonly executionId: string;
  /** Whose credentials and outbound allow-list the nodes use; the default workspace when absent. */
  readonly workspaceId?: string;
  /** For the ledger and workflow budgets of model calls. */
  readonly workflowId?: string;
  readonly input?: unknown;
  /** The entry node that fires; the first one when omitted. */
  readonly entry?: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: ExecutionEvent) => void;
  /** Called when a respond node answers, before the execution finishes. */
  readonly onRespond?: (response: WorkflowResponse) => void;
  /** Where the workflow came from; sub-workflow references resolve against it. */
  readonly location?: string;
  /** Records of an earlier run of this execution: a resume replays them and runs only the rest. */
  readonly log?: readonly NodeRunRecord[];
  /**
   * The execution's own record being written while it already runs (started here, under this
   * process's lease): treated like a pending checkpoint, so nothing outside sees the run before
   * the start is stored. If it fails, the run is given up (nothing more starts, nothing is settled).
   */
  readonly startWrite?: Promise<unknown>;
  /**
   * Persists a record; awaited before the record can make any other node ready (a pure node's,
   * only before the next node that is not pure and before the end).
   */
  readonly checkpoint?: (
    record: NodeRunRecord,
    run: { readonly attempts: number; readonly durationMs: number; readonly input: unknown },
  ) => Promise<void> | void;
  readonly depth?: number;
  /** The first event gets this sequence number + 1 (a resume continues the stored stream). */
  readonly lastSeq?: number;
  /**
   * Makes `ctx.sleep` durable: given a stable key, it waits until a wake-up time stored the first
   * time the key was seen, so a restart does not start the wait over.
   */
  readonly sleep?: (key: string, ms: number, signal: AbortSignal) => Promise<void>;
  /** Makes `ctx.step` durable: a step recorded before returns its recorded result. */
  readonly step?: (nodeKey: string, stepKey: string, work: () => Promise<unknown>) => Promise<unknown>;
}

export type ExecutionResult =
  | (ExecutionOutcome & {
      readonly executionId: string;
      readonly durationMs: number;
      readonly response?: WorkflowResponse;
    })
  /** Every node still unfinished waits outside the process: the execution sleeps until woken. */
  | {
      readonly status: 'waiting';
      readonly executionId: string;
      readonly durationMs: number;
      readonly waitingOn: readonly string[];
      readonly output?: undefined;
      readonly error?: undefined;
      readonly failedNode?: undefined;
      readonly response?: WorkflowResponse;
    };

export class ExecutionRun implements AttemptHost, NodeContextHost {
  readonly services: ExecutorServices;
  readonly executionId: string;
  private readonly workflow: CompiledWorkflow;
  private readonly options: ExecuteOptions;
  private readonly state: ExecutionState;
  private readonly controller = new AbortController();
  private readonly concurrency: number;
  private readonly startedAt: number;
  private seq: number;
  private response: WorkflowResponse | undefined;
  private settle: ((result: ExecutionResult) => void) | undefined;
  private finished = false;
  private abandoned = false;
  private readonly writes = new PendingWrites();
  /** Nodes parked waiting outside the process, by node instance key: what they wait on. */
  private readonly parked = new Map<string, string>();

  constructor(services: ExecutorServices, workflow: CompiledWorkflow, options: ExecuteOptions) {
    this.services = services;
    this.workflow = workflow;
    this.options = options;
    this.executionId = options.executionId;
    this.concurrency = workflow.definition.settings.concurrency;
    this.startedAt = services.clock.now();
    this.seq = options.lastSeq ?? 0;
    this.state = new ExecutionState(workflow, {
      input: options.input ?? null,
      ...(options.entry === undefined ? {} : { entry: options.entry }),
    });
    for (const record of options.log ?? []) this.state.record(record);
    this.state.drainNotices();
    if (options.startWrite) this.writes.track(options.startWrite, () => this.abandon());
  }

  get isAbandoned(): boolean {
    return this.abandoned;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  run(): Promise<ExecutionResult> {
    const done = new Promise<ExecutionResult>((resolve) => {
      this.settle = resolve;
    });
    const resumed = (this.options.log?.length ?? 0) > 0;
    this.emit({
      type: resumed ? 'execution.resumed' : 'execution.started',
      workflow: this.workflow.definition.name,
      input: this.state.trigger,
    });
    this.watchCancellation();
    this.watchTimeout();
    this.pump();
    return done;
  }

  emit(draft: EventDraft): void {
    const listener = this.options.onEvent;
    if (!listener || this.abandoned) return;
    const event = {
      ...draft,
      seq: ++this.seq,
      executionId: this.executionId,
      at: this.services.clock.now(),
    } as ExecutionEvent;
    try {
      listener(event);
    } catch (error) {
      // A broken listener must not leave the execution hanging half-way through a transition.
      queueMicrotask(() => this.crash(error));
    }
  }

  // ---- the loop ------------------------------------------------------------------------------

  private pump(): void {
    const free = this.concurrency - this.state.runningCount;
    if (free > 0) {
      for (const ready of this.state.takeReady(free)) {
        // What a node that is not pure does can be seen outside: everything before it is written first.
        // Given up (a write failed, the lease was lost): nothing more starts here, effect or not.
        const started = this.abandoned
          ? Promise.resolve(notStarted(ready))
          : isPure(ready) || this.writes.idle
            ? runWithPolicies(ready, this)
            : this.writes
                .settled()
                .then(() => (this.abandoned ? notStarted(ready) : runWithPolicies(ready, this)));
        started.then(
          (result) => this.complete(ready, result),
          (error: unknown) => (error instanceof Suspended ? this.park(ready, error) : this.crash(error)),
        );
      }
    }
    if (this.state.isDone()) this.finish();
    else if (this.parked.size > 0 && this.parked.size === this.state.runningCount) this.suspend();
  }

  private park(ready: ReadyNode, suspended: Suspended): void {
    this.parked.set(ready.key, suspended.waitingOn);
    this.emit({
      type: 'node.waiting',
      nodeId: ready.node.id,
      scope: ready.scope,
      waitingOn: suspended.waitingOn,
      message: suspended.message,
    });
    this.pump();
  }

  /** Nothing can run until someone outside decides: hand back a waiting result; a later run resumes. */
  private suspend(): void {
    if (this.finished || this.state.executionStatus !== 'running') return;
    if (!this.writes.idle) {
      void this.writes.settled().then(() => this.suspend());
      return;
    }
    this.finished = true;
    const durationMs = this.services.clock.now() - this.startedAt;
    const waitingOn = [...this.parked.values()];
    this.emit({ type: 'execution.suspended', waitingOn });
    this.controller.abort(new SwitchyardError('SY_EXEC_CANCELLED', 'the execution is waiting'));
    this.settle?.({
      status: 'waiting',
      executionId: this.executionId,
      durationMs,
      waitingOn,
      ...(this.response ? { response: this.response } : {}),
    });
  }

  private complete(ready: ReadyNode, result: AttemptsResult): void {
    const { checkpoint } = this.options;
    if (this.abandoned) {
      this.state.record(result.record);
      this.pump();
      return;
    }
    if (!checkpoint) {
      this.apply(ready, result);
      return;
    }
    const written = Promise.resolve(checkpoint(result.record, { ...result, input: ready.input }));
    if (isPure(ready)) {
      this.writes.track(written, (error) => this.crash(error));
      this.apply(ready, result);
      return;
    }
    written.then(
      () => this.apply(ready, result),
      (error: unknown) => this.crash(error),
    );
  }

  private apply(ready: ReadyNode, { record, attempts, durationMs }: AttemptsResult): void {
    const wasRunning = this.state.executionStatus === 'running';
    this.state.record(record);
    if (wasRunning) this.emitResult(ready, record, attempts, durationMs);
    this.emitNotices(this.state.drainNotices());
    if (this.state.executionStatus !== 'running' && !this.controller.signal.aborted) {
      this.controller.abort(ALREADY_FINISHED);
    }
    this.pump();
  }

  private emitResult(ready: ReadyNode, record: NodeRunRecord, attempts: number, durationMs: number): void {
    const base = { nodeId: ready.node.id, scope: ready.scope, attempts, durationMs };
    if (record.status === 'succeeded') {
      this.emit({ type: 'node.finished', ...base, outputs: record.outputs ?? {} });
    } else {
      const handled = ready.node.definition.onError !== 'fail';
      this.emit({ type: 'node.failed', ...base, error: record.error!, handled });
    }
  }

  private emitNotices(notices: readonly Notice[]): void {
    for (const notice of notices) {
      switch (notice.kind) {
        case 'skipped':
          this.emit({ type: 'node.skipped', nodeId: notice.nodeId, scope: notice.scope });
          break;
        case 'iteration-started':
          this.emit({
            type: 'loop.iteration.started',
            nodeId: notice.loopId,
            scope: notice.scope,
            iteration: notice.iteration,
          });
          break;
        case 'iteration-finished':
          this.emit({
            type: 'loop.iteration.finished',
            nodeId: notice.loopId,
            scope: notice.scope,
            iteration: notice.iteration,
          });
          break;
        case 'loop-finished':
          this.emit({
            type: 'loop.finished',
            nodeId: notice.nodeId,
            scope: notice.scope,
            output: notice.output,
          });
          break;
      }
    }
  }

  private finish(): void {
    if (this.finished) return;
    // The outcome is written after the log it comes from.
    if (!this.writes.idle) {
      void this.writes.settled().then(() => this.finish());
      return;
    }
    this.finished = true;
    const outcome = this.state.outcome();
    const durationMs = this.services.clock.now() - this.startedAt;
    this.emit({
      type: 'execution.finished',
      status: outcome.status,
      output: outcome.output,
      ...(outcome.error ? { error: outcome.error } : {}),
      durationMs,
    });
    this.controller.abort(FINISHED);
    this.settle?.({
      ...outcome,
      executionId: this.executionId,
      durationMs,
      ...(this.response ? { response: this.response } : {}),
    });
  }

  /**
   * This process no longer owns the execution (its lease was taken over): stop every node now and
   * write nothing more; the new owner carries on from the stored log.
   */
  abandon(): void {
    this.abandoned = true;
    this.stop(
      'cancelled',
      new SwitchyardError('SY_EXEC_CANCELLED', 'this runner lost its lease on the execution'),
    );
  }

  /** A bug in the runner itself (or a failed checkpoint): fail the execution rather than hang. */
  private crash(error: unknown): void {
    this.stop(
      'failed',
      new SwitchyardError('SY_INTERNAL', `the runner failed: ${String(error)}`, { cause: error }),
    );
  }

  private stop(status: 'failed' | 'cancelled', error: SwitchyardError): void {
    if (this.state.executionStatus !== 'running') return;
    this.state.stop(status, error.toData());
    this.controller.abort(error);
    this.pump();
  }

  private watchCancellation(): void {
    const external = this.options.signal;
    if (!external) return;
    const cancel = () =>
      this.stop(
        'cancelled',
        new SwitchyardError('SY_EXEC_CANCELLED', 'the execution was cancelled', { cause: external.reason }),
      );
    if (external.aborted) cancel();
    else {
      external.addEventListener('abort', cancel, { once: true });
      this.controller.signal.addEventListener('abort', () => external.removeEventListener('abort', cancel), {
        once: true,
      });
    }
  }

  private watchTimeout(): void {
    const timeoutMs = this.workflow.definition.settings.timeoutMs;
    if (timeoutMs === undefined) return;
    this.services.clock.sleep(timeoutMs, this.controller.signal).then(
      () =>
        this.stop(
          'failed',
          new SwitchyardError('SY_EXEC_TIMEOUT', `the execution ran longer than ${timeoutMs} ms`, {
            details: { timeoutMs },
          }),
        ),
      () => {},
    );
  }

  // ---- what nodes see ------------------------------------------------------------------------

  frames(ready: ReadyNode): ScopeFrameView[] {
    return this.state.framesOf(ready.scope);
  }

  variables(ready: ReadyNode): Readonly<Record<string, unknown>> {
    const frames = ready.scope === '' ? [] : this.state.framesOf(ready.scope);
    const inner = frames[frames.length - 1];
    return {
      input: ready.input,
      inputs: ready.inputs,
      trigger: this.state.trigger,
      execution: { id: this.executionId, workflow: this.workflow.definition.name },
      loop: inner ? { id: inner.loopId, index: inner.iteration, item: inner.item } : null,
      loops: frames,
      nodes: nodeOutputsView(this.workflow, this.state, ready.scope),
    };
  }

  makeContext(ready: ReadyNode, attempt: number, signal: AbortSignal): NodeContext {
    return new NodeRunContext(this, ready, attempt, signal);
  }

  // ---- what node contexts reach (NodeContextHost) ----------------------------------------------

  get workflowId(): string | undefined {
    return this.options.workflowId;
  }

  get durableSleep(): ExecuteOptions['sleep'] {
    return this.options.sleep;
  }

  get durableStep(): ExecuteOptions['step'] {
    return this.options.step;
  }

  get workspaceId(): string {
    return this.options.workspaceId ?? DEFAULT_WORKSPACE;
  }

  private outboundFetch: OutboundFetch | undefined;

  get outbound(): OutboundFetch {
    this.outboundFetch ??= this.services.outbound(this.workspaceId);
    return this.outboundFetch;
  }

  respond(response: WorkflowResponse): void {
    if (this.response) return;
    this.response = response;
    this.emit({ type: 'execution.responded', status: response.status });
    this.options.onRespond?.(response);
  }

  async runSubworkflow(
    ready: ReadyNode,
    reference: string,
    input: unknown,
    signal: AbortSignal,
  ): Promise<unknown> {
    const depth = (this.options.depth ?? 0) + 1;
    if (depth > MAX_SUBWORKFLOW_DEPTH) {
      throw new SwitchyardError(
        'SY_SUBWORKFLOW_DEPTH',
        `sub-workflows nest deeper than ${MAX_SUBWORKFLOW_DEPTH} levels`,
      );
    }
    const child = await this.services.workflows.resolve(reference, this.options.location, this.workspaceId);
    const result = await new ExecutionRun(this.services, child.workflow, {
      executionId: `${this.executionId}/${ready.key}`,
      input,
      signal,
      location: child.location,
      depth,
      ...(this.options.workspaceId === undefined ? {} : { workspaceId: this.options.workspaceId }),
      ...(this.options.step === undefined ? {} : { step: this.options.step }),
      // A sub-workflow's model calls count against the calling workflow's budget.
      ...(this.options.workflowId === undefined ? {} : { workflowId: this.options.workflowId }),
      ...(this.options.onEvent ? { onEvent: this.options.onEvent } : {}),
    }).run();
    if (result.status !== 'succeeded') {
      throw new SwitchyardError(
        'SY_SUBWORKFLOW_FAILED',
        `sub-workflow "${reference}" ${result.status}: ${result.error?.message}`,
        {
          retryable: false,
          details: { executionId: result.executionId, ...(result.error ? { error: result.error } : {}) },
        },
      );
    }
    return result.output;
  }
}

/**
 * Why nodes still running are stopped when their execution ends. Made once: every execution ends,
 * and an error's stack costs more to build than the rest of the ending.
 */
const FINISHED = new SwitchyardError('SY_EXEC_CANCELLED', 'the execution has finished');
const ALREADY_FINISHED = new SwitchyardError('SY_EXEC_CANCELLED', 'the execution has already finished');

function isPure(ready: ReadyNode): boolean {
  return (ready.node.spec as NodeType).pure === true;
}

function notStarted(ready: ReadyNode): AttemptsResult {
  const error = new SwitchyardError('SY_EXEC_CANCELLED', 'this runner gave the execution up');
  return {
    record: { nodeId: ready.node.id, scope: ready.scope, status: 'failed', error: error.toData() },
    attempts: 0,
    durationMs: 0,
  };
}
