/**
 * @module The durable runner: claims executions from the store under a lease, resumes each from its
 * stored log (a fresh start is a resume from an empty log), checkpoints every node result before
 * anything depending on it can start, keeps its leases alive, and stops at once any execution whose
 * lease another runner took over. A runner killed mid-flight loses nothing: its leases expire and
 * whoever claims them next replays the log and runs only what is left.
 */
import { hostname } from 'node:os';
import type { NodeCatalog } from '../../core/catalog.ts';
import type { NodeRunRecord } from '../../core/scheduler/records.ts';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { WorkflowResponse } from '../../nodes/context.ts';
import type { Lease, Store, StoredExecution } from '../../store/ports.ts';
import type { ExecutionEvent } from '../events.ts';
import { type ExecutionResult, ExecutionRun } from '../execution-run.ts';
import type { ExecutorServices } from '../services.ts';
import { CompiledVersions } from './compiled-versions.ts';
import { durableRunHooks } from './durable-run-hooks.ts';
import type { LocalRunner } from './executions.ts';
import { Journal } from './journal.ts';
import { replayLog } from './replay-log.ts';

export interface ExecutionWorkerOptions {
  readonly store: Store;
  readonly services: ExecutorServices;
  readonly catalog: NodeCatalog;
  /** Unique per process; defaults to host:pid:random. */
  readonly owner?: string;
  /** Executions run at once by this worker. */
  readonly capacity?: number;
  readonly leaseMs?: number;
  /** How often to look for work when nothing told us about any. */
  readonly pollMs?: number;
  /** Every event of the executions it runs, with the execution it belongs to. */
  readonly onEvent?: (event: ExecutionEvent, execution: StoredExecution) => void;
  /** A respond node answered (webhook callers waiting on the execution want it). */
  readonly onRespond?: (executionId: string, response: WorkflowResponse) => void;
  readonly onError?: (error: unknown) => void;
  /**
   * The only runner there can be (the embedded store's file lock guarantees it): executions left
   * running by a process that died are taken up at once instead of when their leases expire.
   */
  readonly soleRunner?: boolean;
  /** Where an execution's workflow came from (a file), so that its sub-workflow paths resolve. */
  readonly locate?: (execution: StoredExecution) => string | undefined;
  /**
   * Scrubs known secrets from everything the worker stores or hands on (node runs, outcomes,
   * events, responses); the identity when absent.
   */
  readonly redact?: <T>(value: T) => T;
  /** Shared with `Executions`, so that starts join the same commits; one of its own otherwise. */
  readonly journal?: Journal;
}

interface Running {
  readonly lease: Lease;
  readonly run: ExecutionRun;
  readonly cancel: AbortController;
  /** Its start is stored (false while an adopted execution's start is still being written). */
  stored: boolean;
}

export class ExecutionWorker implements LocalRunner {
  readonly owner: string;
  readonly leaseMs: number;
  private readonly options: ExecutionWorkerOptions;
  private readonly store: Store;
  private readonly redact: <T>(value: T) => T;
  private readonly capacity: number;
  /** Places held for executions being created to run here (see `reserve`). */
  private reserved = 0;
  private readonly pollMs: number;
  private readonly running = new Map<string, Running>();
  private readonly workflows: CompiledVersions;
  private readonly journal: Journal;
  private readonly finished = new Set<(id: string) => void>();
  private readonly suspended = new Set<(id: string) => void>();
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private claiming: Promise<void> | undefined;
  private wakeAgain = false;
  /** The last claim took all it asked for, or could not ask: queued work may be waiting for a place. */
  private mayHaveBacklog = true;
  private stopped = true;

  constructor(options: ExecutionWorkerOptions) {
    this.options = options;
    this.store = options.store;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.capacity = options.capacity ?? 256;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 250;
    this.redact = options.redact ?? ((value) => value);
    this.workflows = new CompiledVersions(this.store, options.catalog);
    this.journal =
      options.journal ?? new Journal(this.store, { onLostEvents: (error) => options.onError?.(error) });
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.options.soleRunner) await this.store.executions.requeueRunning();
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(50, Math.floor(this.leaseMs / 3)));
    // Approvals past their deadline time out and wake their executions; once a second is plenty.
    this.expiryTimer = setInterval(() => void this.expireApprovals(), Math.max(this.pollMs, 1000));
    this.notify();
  }

  private async expireApprovals(): Promise<void> {
    try {
      if ((await this.store.approvals.expire(this.services.clock.now())) > 0) this.notify();
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** There may be new work: look now instead of at the next poll. */
  notify(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.wakeAgain = true;
      return;
    }
    this.claiming = this.claim().finally(() => {
      this.claiming = undefined;
      if (this.stopped) return;
      clearTimeout(this.pollTimer);
      this.pollTimer = setTimeout(() => this.notify(), this.pollMs);
    });
  }

  reserve(): boolean {
    if (this.stopped || this.running.size + this.reserved >= this.capacity) return false;
    this.reserved++;
    return true;
  }

  adopt(execution: StoredExecution, written: Promise<StoredExecution>): void {
    void this.launch(execution, written);
  }

  get activeCount(): number {
    return this.running.size;
  }

  /** Cancels an execution this worker is running; false if it runs elsewhere or not at all. */
  cancel(executionId: string, reason = 'cancelled'): boolean {
    const entry = this.running.get(executionId);
    if (!entry) return false;
    entry.cancel.abort(new Error(reason));
    return true;
  }

  /** Calls `listener` with the id of every execution this worker finishes. */
  onFinished(listener: (executionId: string) => void): () => void {
    this.finished.add(listener);
    return () => this.finished.delete(listener);
  }
  /** Called when an execution this worker ran went to sleep waiting for a person. */
  onSuspended(listener: (executionId: string) => void): () => void {
    this.suspended.add(listener);
    return () => this.suspended.delete(listener);
  }

  /**
   * Stops claiming and gives running executions back: their nodes are aborted, their leases
   * released, and the stored log lets the next runner carry on.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.heartbeat);
    clearInterval(this.expiryTimer);
    await this.claiming;
    const leases = [...this.running.values()].map(({ lease, run }) => {
      run.abandon();
      return lease;
    });
    await this.journal.drain();
    await Promise.all(leases.map((lease) => this.store.executions.release(lease)));
  }

  private async claim(): Promise<void> {
    // Start on a later tick, so that `claiming` is set before this can finish.
    await Promise.resolve();
    try {
      do {
        this.wakeAgain = false;
        const free = this.capacity - this.running.size - this.reserved;
        if (free <= 0 || this.stopped) {
          this.mayHaveBacklog = true;
          break;
        }
        const claimed = await this.store.executions.claim(
          this.owner,
          this.leaseMs,
          this.services.clock.now(),
          free,
          [...this.running.keys()],
        );
        for (const execution of claimed) void this.launch(execution);
        this.mayHaveBacklog = claimed.length === free;
        if (this.mayHaveBacklog) this.wakeAgain = true;
      } while (this.wakeAgain && !this.stopped);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private get services(): ExecutorServices {
    return this.options.services;
  }

  /**
   * `startWrite`: adopted (in a place held by `reserve`, given back once it counts as running) while
   * its start is being stored; absent for a claimed execution, which is stored already.
   */
  private async launch(execution: StoredExecution, startWrite?: Promise<StoredExecution>): Promise<void> {
    let placeHeld = startWrite !== undefined;
    const givePlaceBack = () => {
      if (placeHeld) this.reserved = Math.max(0, this.reserved - 1);
      placeHeld = false;
    };
    const lease: Lease = { executionId: execution.id, owner: this.owner, epoch: execution.leaseEpoch };
    try {
      const workflow = await this.workflows.of(execution);
      const stored = await replayLog(this.store, execution, workflow, (batch) =>
        this.journal.checkpoint(this.redact(batch)),
      );
      if (!stored) return;
      // Nothing is written without a lease, so a first claim (epoch 1) has no events yet.
      const lastSeq = execution.leaseEpoch === 1 ? 0 : await this.store.events.lastSeq(execution.id);
      const log: NodeRunRecord[] = stored.map((run) => ({
        nodeId: run.nodeId,
        scope: run.scope,
        status: run.status,
        ...(run.outputs ? { outputs: run.outputs } : {}),
        ...(run.error ? { error: run.error } : {}),
      }));
      const cancel = new AbortController();
      if (execution.cancelRequested) cancel.abort(new Error('cancelled before it started'));
      const location = this.options.locate?.(execution);
      const entry: Running = {
        lease,
        cancel,
        stored: startWrite === undefined,
        run: new ExecutionRun(this.services, workflow, {
          executionId: execution.id,
          ...(startWrite ? { startWrite } : {}),
          workspaceId: execution.workspaceId,
          workflowId: execution.workflowId,
          input: execution.input,
          signal: cancel.signal,
          onRespond: (response) => this.options.onRespond?.(execution.id, this.redact(response)),
          ...(location ? { location } : {}),
          ...(execution.entry ? { entry: execution.entry } : {}),
          log,
          lastSeq,
          ...durableRunHooks({
            store: this.store,
            journal: this.journal,
            clock: this.services.clock,
            redact: this.redact,
            execution,
            lease,
            lastRunSeq: stored.reduce((max, run) => Math.max(max, run.seq), 0),
            onLeaseLost: () => entry.run.abandon(),
            onEvent: (event) => this.options.onEvent?.(event, execution),
          }),
        }),
      };
      this.running.set(execution.id, entry);
      givePlaceBack();
      // A start that fails gives the run up by itself (ExecutionRun tracks its write).
      startWrite?.then(
        () => {
          entry.stored = true;
        },
        () => {},
      );
      const result = await entry.run.run();
      // Its last events are stored before its outcome is.
      await this.journal.written();
      if (!entry.run.isAbandoned) await this.settle(execution, lease, result);
    } catch (error) {
      this.options.onError?.(error);
      await this.failUnexpectedly(execution, lease, error);
    } finally {
      givePlaceBack();
      this.running.delete(execution.id);
      // A freed place matters only if the last claim left work behind; the poll finds the rest.
      if (this.mayHaveBacklog) this.notify();
    }
  }

  private async settle(execution: StoredExecution, lease: Lease, result: ExecutionResult): Promise<void> {
    if (result.status === 'waiting') {
      // Asleep in the store, holding no runner; a decision (or its timeout) queues it again.
      if (await this.store.approvals.suspend(lease, result.waitingOn)) {
        for (const listener of this.suspended) listener(execution.id);
      }
      return;
    }
    const now = this.services.clock.now();
    const finished = await this.journal.finish({
      lease,
      outcome: this.redact({
        status: result.status,
        output: result.output ?? null,
        error: result.error ?? null,
        now,
      }),
    });
    if (!finished) return;
    if (result.status === 'failed' && result.error) {
      await this.store.deadLetters.add({
        executionId: execution.id,
        workspaceId: execution.workspaceId,
        workflowId: execution.workflowId,
        reason: this.redact(result.error),
        createdAt: now,
      });
    }
    for (const listener of this.finished) listener(execution.id);
  }

  private async failUnexpectedly(execution: StoredExecution, lease: Lease, error: unknown): Promise<void> {
    const failure =
      error instanceof SwitchyardError
        ? error
        : new SwitchyardError('SY_INTERNAL', `the runner failed: ${String(error)}`, { cause: error });
    try {
      await this.settle(execution, lease, {
        status: 'failed',
        output: null,
        error: failure.toData(),
        executionId: execution.id,
        durationMs: 0,
      });
    } catch (settleError) {
      this.options.onError?.(settleError);
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.running.size === 0) return;
    // A start still being written has no row to renew yet (and a fresh lease).
    const leases = [...this.running.values()].filter((r) => r.stored).map((r) => r.lease);
    try {
      const kept = new Set(
        await this.store.executions.renew(leases, this.leaseMs, this.services.clock.now()),
      );
      // Only the leases sent: runs launched while the renewal was under way were not part of it.
      for (const lease of leases) {
        const entry = this.running.get(lease.executionId);
        if (entry?.lease === lease && !kept.has(lease.executionId)) entry.run.abandon();
      }
      // Cancellation asked for through another process reaches this one here.
      for (const id of await this.store.executions.cancelRequested([...kept])) this.cancel(id);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
