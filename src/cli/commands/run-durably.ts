/**
 * @module `switchyard run --durable`: the workflow file is stored (and published as a new version
 * when it changed), the execution is queued in the store and run by an in-process durable worker,
 * every node result checkpointed. A run killed half-way is finished by the next durable run.
 */

import { isDeepStrictEqual } from '../../core/definition/deep-equal.ts';
import type { CompiledWorkflow } from '../../core/graph/compiled.ts';
import type { ErrorData } from '../../errors/switchyard-error.ts';
import { loadLlmConfig } from '../../llm/config/load-llm-config.ts';
import { openLlmGateway } from '../../llm/gateway/open-gateway.ts';
import type { NodeRegistry } from '../../nodes/registry.ts';
import { approvalGate } from '../../runtime/durable/approval-gate.ts';
import { ExecutionWorker } from '../../runtime/durable/execution-worker.ts';
import { Executions } from '../../runtime/durable/executions.ts';
import { retentionFromEnv, startRetention } from '../../runtime/durable/retention.ts';
import type { ExecutionEvent } from '../../runtime/events.ts';
import type { ExecutorServices } from '../../runtime/services.ts';
import { openStore, storeConfigFromEnv } from '../../store/open-store.ts';
import { DEFAULT_WORKSPACE, type Store } from '../../store/ports.ts';
import { WorkflowVersions } from '../../workflows/versions.ts';

export interface RunRequest {
  readonly file: string;
  readonly workflow: CompiledWorkflow;
  readonly input: unknown;
  readonly entry?: string;
  readonly services: ExecutorServices;
  readonly registry: NodeRegistry;
  readonly signal: AbortSignal;
  /** Called once the execution id is known; returns the event listener that draws progress. */
  readonly watch: (executionId: string) => ((event: ExecutionEvent) => void) | undefined;
}

export interface RunResult {
  readonly executionId: string;
  /** waiting: asleep until a person decides (an approval); it goes on through the API. */
  readonly status: 'succeeded' | 'failed' | 'cancelled' | 'waiting';
  readonly output: unknown;
  readonly error?: ErrorData;
  readonly failedNode?: { readonly nodeId: string; readonly scope: string };
  readonly durationMs: number;
}

export async function runDurably(request: RunRequest): Promise<RunResult> {
  const storeConfig = storeConfigFromEnv();
  // Read before the store opens: a bad configuration then leaves nothing to close.
  const llmConfig = loadLlmConfig(process.env, storeConfig.dataDir);
  const store = await openStore(storeConfig);
  const { clock, random } = request.services;
  const llm = openLlmGateway({
    config: llmConfig,
    store,
    now: () => clock.now(),
    random,
  });
  const services: ExecutorServices = {
    ...request.services,
    llm,
    approvals: approvalGate(store, clock),
  };
  const stopRetention = startRetention(store, request.services.clock, retentionFromEnv(), {
    onError: (error) => process.stderr.write(`retention: ${String(error)}\n`),
  });
  try {
    const version = await storeWorkflow(store, request);
    let listener: ((event: ExecutionEvent) => void) | undefined;
    const worker = new ExecutionWorker({
      store,
      services,
      catalog: request.registry,
      soleRunner: store.backend === 'sqlite',
      onEvent: (event) => listener?.(event),
      locate: (execution) =>
        typeof execution.trigger.file === 'string' ? execution.trigger.file : undefined,
    });
    const executions = new Executions({
      store,
      catalog: request.registry,
      clock: request.services.clock,
      wake: () => worker.notify(),
    });
    const execution = await executions.start({
      workspaceId: DEFAULT_WORKSPACE,
      workflowId: workflowIdOf(request.workflow),
      version,
      input: request.input,
      trigger: { kind: 'cli', file: request.file },
      ...(request.entry ? { entry: request.entry } : {}),
    });
    listener = request.watch(execution.id);
    const finished = new Promise<void>((resolve) => {
      const done = (id: string) => {
        if (id === execution.id) resolve();
      };
      worker.onFinished(done);
      worker.onSuspended(done);
    });
    const cancel = () => worker.cancel(execution.id, 'interrupted (SIGINT)');
    request.signal.addEventListener('abort', cancel, { once: true });
    await worker.start();
    await finished;
    request.signal.removeEventListener('abort', cancel);
    await worker.stop();
    return await resultOf(store, execution.id);
  } finally {
    await stopRetention();
    await llm.close();
    await store.close();
  }
}

/** Stores the file as the workflow's draft and publishes it if it differs from the latest version. */
async function storeWorkflow(store: Store, request: RunRequest): Promise<number> {
  const id = workflowIdOf(request.workflow);
  const definition = request.workflow.definition;
  const now = request.services.clock.now();
  const existing = await store.workflows.get(DEFAULT_WORKSPACE, id);
  if (!existing)
    await store.workflows.create({
      id,
      workspaceId: DEFAULT_WORKSPACE,
      name: definition.name,
      draft: definition,
      now,
    });
  else await store.workflows.updateDraft(DEFAULT_WORKSPACE, id, { draft: definition, now });
  if (existing?.latestVersion) {
    const latest = await store.workflows.getVersion(DEFAULT_WORKSPACE, id, existing.latestVersion);
    if (latest && isDeepStrictEqual(latest.definition, JSON.parse(JSON.stringify(definition))))
      return latest.version;
  }
  const versions = new WorkflowVersions({ store, catalog: request.registry, clock: request.services.clock });
  return (await versions.publish(DEFAULT_WORKSPACE, id, `switchyard run ${request.file}`)).version;
}

function workflowIdOf(workflow: CompiledWorkflow): string {
  return (
    workflow.definition.name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'workflow'
  );
}

async function resultOf(store: Store, executionId: string): Promise<RunResult> {
  const execution = await store.executions.get(DEFAULT_WORKSPACE, executionId);
  if (!execution || execution.status === 'queued' || execution.status === 'running') {
    throw new Error(`invariant: execution ${executionId} is not finished`);
  }
  const failed = execution.error
    ? (await store.nodeRuns.list(executionId)).findLast(
        (run) => run.status === 'failed' && run.error?.code === execution.error?.code,
      )
    : undefined;
  return {
    executionId,
    status: execution.status,
    output: execution.output,
    ...(execution.error ? { error: execution.error } : {}),
    ...(failed ? { failedNode: { nodeId: failed.nodeId, scope: failed.scope } } : {}),
    durationMs: (execution.finishedAt ?? 0) - (execution.startedAt ?? execution.createdAt),
  };
}
