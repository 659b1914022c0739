/**
 * @module Starting durable executions: a fresh start on a published version, a replay from a node
 * of an earlier execution (reusing what it recorded upstream), and a retry from the dead-letter
 * list. Each only writes a queued execution and wakes the worker; the worker does the running.
 */
import { randomUUIDv7 } from 'node:crypto';
import type { NodeCatalog } from '../../core/catalog.ts';
import { RefreshingCache } from '../../core/refreshing-cache.ts';
import { validateWorkflow } from '../../core/validate.ts';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { ExecutionTrigger, NewExecution, Store, StoredExecution } from '../../store/ports.ts';
import type { Clock } from '../clock.ts';
import { Journal } from './journal.ts';

export interface StartExecution {
  readonly workspaceId: string;
  readonly workflowId: string;
  /** A published version; the latest when omitted. */
  readonly version?: number;
  readonly input: unknown;
  readonly trigger: ExecutionTrigger;
  readonly entry?: string;
  readonly correlationId?: string;
  readonly parentId?: string;
  /**
   * Run it in this process, created already under this process's lease, when the local runner has
   * room (a request that waits for the answer); queued for any runner otherwise.
   */
  readonly runHere?: boolean;
  /** Called once it is stored and before it can run: for callers that must listen before it answers. */
  readonly onCreated?: (execution: StoredExecution) => void;
}

/** The local runner, for executions started to run here. */
export interface LocalRunner {
  readonly owner: string;
  readonly leaseMs: number;
  /** Holds a place for one execution; false when the runner is full. */
  reserve(): boolean;
  /**
   * Runs an execution created under this runner's lease, in a place held by `reserve`, while
   * `written` (its start) is being stored; it gives the run up if that fails.
   */
  adopt(execution: StoredExecution, written: Promise<StoredExecution>): void;
}

/** What the store holds once the start is written (queued, or running under the lease it was made with). */
function storedExecutionOf(fresh: NewExecution): StoredExecution {
  const leased = fresh.lease !== undefined;
  return {
    id: fresh.id,
    workspaceId: fresh.workspaceId,
    workflowId: fresh.workflowId,
    workflowVersion: fresh.workflowVersion,
    status: leased ? 'running' : 'queued',
    trigger: fresh.trigger,
    entry: fresh.entry ?? null,
    input: fresh.input,
    output: null,
    error: null,
    correlationId: fresh.correlationId ?? null,
    parentId: fresh.parentId ?? null,
    replay: fresh.replay ?? null,
    cancelRequested: false,
    createdAt: fresh.now,
    startedAt: leased ? fresh.now : null,
    finishedAt: null,
    leaseOwner: fresh.lease?.owner ?? null,
    leaseEpoch: leased ? 1 : 0,
    leaseExpiresAt: fresh.lease?.expiresAt ?? null,
  };
}

/**
 * Published versions never change, so their existence is believed for a while without reading it
 * again (and read again in the background before that ends, so starts never wait for it): a
 * workflow deleted by another process (several on one PostgreSQL) takes its versions with it, and
 * this process learns of it only by reading.
 */
const PUBLISHED_TRUST_MS = 10_000;
const PUBLISHED_READ_AGAIN_AFTER_MS = 8_000;
const PUBLISHED_MAX = 1000;

export class Executions {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly wake: () => void;
  private readonly runner: LocalRunner | undefined;
  private readonly newId: () => string;
  private readonly publishedVersions: RefreshingCache<string, true>;
  private readonly catalog: NodeCatalog;
  /** Starts that arrive together (concurrent webhooks, API calls) share one commit. */
  private readonly journal: Journal;

  constructor(options: {
    store: Store;
    catalog: NodeCatalog;
    clock: Clock;
    wake?: () => void;
    runner?: LocalRunner;
    /** Shared with the runner, so that starts join its commits; one of its own otherwise. */
    journal?: Journal;
    newId?: () => string;
  }) {
    this.store = options.store;
    this.catalog = options.catalog;
    this.journal = options.journal ?? new Journal(this.store);
    this.clock = options.clock;
    this.publishedVersions = new RefreshingCache({
      trustMs: PUBLISHED_TRUST_MS,
      refreshAfterMs: PUBLISHED_READ_AGAIN_AFTER_MS,
      maxEntries: PUBLISHED_MAX,
      now: () => this.clock.now(),
    });
    this.wake = options.wake ?? (() => {});
    this.runner = options.runner;
    // Time-ordered ids: new rows land at the right edge of every index keyed by execution id.
    this.newId = options.newId ?? randomUUIDv7;
  }

  async start(request: StartExecution): Promise<StoredExecution> {
    const version = request.version ?? (await this.latestVersion(request.workspaceId, request.workflowId));
    await this.checkPublished(request.workspaceId, request.workflowId, version);
    const id = this.newId();
    const now = this.clock.now();
    // From here to `adopt` nothing can fail: a place held is always handed over.
    const runner = request.runHere && this.runner?.reserve() ? this.runner : undefined;
    const fresh: NewExecution = {
      id,
      workspaceId: request.workspaceId,
      workflowId: request.workflowId,
      workflowVersion: version,
      trigger: request.trigger,
      entry: request.entry ?? null,
      input: request.input,
      correlationId: request.correlationId ?? null,
      parentId: request.parentId ?? null,
      now,
      ...(runner ? { lease: { owner: runner.owner, expiresAt: now + runner.leaseMs } } : {}),
    };
    if (!runner) {
      const execution = await this.create(fresh);
      request.onCreated?.(execution);
      this.wake();
      return execution;
    }
    // Run here at once, while the start is being written: its first writes join the same commit,
    // and nothing it does can be seen outside before the start is stored (see `startWrite`).
    const written = this.create(fresh);
    const leased = storedExecutionOf(fresh);
    request.onCreated?.(leased);
    runner.adopt(leased, written);
    return written;
  }

  private async checkPublished(workspaceId: string, workflowId: string, version: number): Promise<void> {
    // A version that is missing is not remembered: it fails each time, and may be published next.
    await this.publishedVersions.get(`${workspaceId}\u0000${workflowId}\u0000${version}`, async () => {
      if (!(await this.store.workflows.getVersion(workspaceId, workflowId, version))) {
        throw new SwitchyardError(
          'SY_WORKFLOW_NOT_PUBLISHED',
          `workflow "${workflowId}" has no version ${version}`,
        );
      }
      return true;
    });
  }

  /** A workflow was deleted here: no version is believed to exist without reading it again (its id can be used again). */
  workflowDeleted(): void {
    this.publishedVersions.invalidateAll();
  }

  /** A new execution of the same version and input that reuses the recorded outputs upstream of `fromNode`. */
  async replay(workspaceId: string, executionId: string, fromNode: string): Promise<StoredExecution> {
    const original = await this.existing(workspaceId, executionId);
    await this.checkReplayNode(original, fromNode);
    const execution = await this.create({
      id: this.newId(),
      workspaceId,
      workflowId: original.workflowId,
      workflowVersion: original.workflowVersion,
      trigger: { kind: 'replay', of: original.id, fromNode },
      entry: original.entry,
      input: original.input,
      correlationId: original.correlationId,
      parentId: original.id,
      replay: { executionId: original.id, fromNode },
      now: this.clock.now(),
    });
    this.wake();
    return execution;
  }

  /** Runs a dead-lettered execution again from the start, and marks the letter retried. */
  async retryDeadLetter(workspaceId: string, executionId: string): Promise<StoredExecution> {
    const original = await this.existing(workspaceId, executionId);
    const letter = await this.store.deadLetters.get(workspaceId, executionId);
    if (!letter || letter.retriedAt !== null) {
      throw new SwitchyardError(
        'SY_RETRY_INVALID',
        letter
          ? `execution "${executionId}" was retried already (as ${letter.retryExecutionId})`
          : `execution "${executionId}" is not on the dead-letter list`,
      );
    }
    const retry = await this.start({
      workspaceId,
      workflowId: original.workflowId,
      version: original.workflowVersion,
      input: original.input,
      trigger: { kind: 'retry', of: original.id },
      ...(original.entry ? { entry: original.entry } : {}),
      ...(original.correlationId ? { correlationId: original.correlationId } : {}),
      parentId: original.id,
    });
    await this.store.deadLetters.markRetried(workspaceId, executionId, retry.id, this.clock.now());
    return retry;
  }

  private async checkReplayNode(original: StoredExecution, fromNode: string): Promise<void> {
    const version = await this.store.workflows.getVersion(
      original.workspaceId,
      original.workflowId,
      original.workflowVersion,
    );
    const node = version
      ? validateWorkflow(version.definition, this.catalog).workflow?.byId.get(fromNode)
      : undefined;
    if (!node) {
      throw new SwitchyardError(
        'SY_REPLAY_INVALID',
        `node "${fromNode}" is not in version ${original.workflowVersion} of the workflow`,
      );
    }
    if (node.loop !== -1)
      throw new SwitchyardError('SY_REPLAY_INVALID', `node "${fromNode}" is inside a loop`);
  }

  private async create(execution: NewExecution): Promise<StoredExecution> {
    if (!(await this.journal.create(execution)))
      throw new SwitchyardError('SY_STORE_CONFLICT', `an execution with id "${execution.id}" exists already`);
    return storedExecutionOf(execution);
  }

  private async existing(workspaceId: string, executionId: string): Promise<StoredExecution> {
    const execution = await this.store.executions.get(workspaceId, executionId);
    if (!execution) throw new SwitchyardError('SY_EXECUTION_NOT_FOUND', `no execution "${executionId}"`);
    return execution;
  }

  private async latestVersion(workspaceId: string, workflowId: string): Promise<number> {
    const workflow = await this.store.workflows.get(workspaceId, workflowId);
    if (!workflow) throw new SwitchyardError('SY_WORKFLOW_NOT_FOUND', `no workflow "${workflowId}"`);
    if (workflow.latestVersion === null) {
      throw new SwitchyardError(
        'SY_WORKFLOW_NOT_PUBLISHED',
        `workflow "${workflowId}" has no published version`,
      );
    }
    return workflow.latestVersion;
  }
}
