/**
 * @module Puts the server's parts together around an open store: the durable worker, the services
 * that start executions and manage versions, the live event bus and the response hub, wired so
 * that the worker's events reach the bus and its responses reach waiting callers. `serve` and the
 * tests share it, so they run the same assembly.
 */

import { InProcessEventBus } from '../events/bus.ts';
import { ResponseHub } from '../events/responses.ts';
import type { LlmConfig } from '../llm/config/llm-config.ts';
import { openLlmGateway } from '../llm/gateway/open-gateway.ts';
import { executionLogSink } from '../logging/execution-logs.ts';
import type { Logger } from '../logging/logger.ts';
import { mcpCaller } from '../mcp/mcp-calls.ts';
import { stdioAllowFromEnv } from '../mcp/stdio-allow.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import { approvalGate } from '../runtime/durable/approval-gate.ts';
import { ExecutionWorker, type ExecutionWorkerOptions } from '../runtime/durable/execution-worker.ts';
import { Executions } from '../runtime/durable/executions.ts';
import { Journal } from '../runtime/durable/journal.ts';
import { type Scheduler, type SchedulerOptions, startScheduler } from '../runtime/durable/scheduler.ts';
import type { ExecutorServices } from '../runtime/services.ts';
import type { LlmCall } from '../store/llm-ports.ts';
import type { Store } from '../store/ports.ts';
import { redisLlmCache } from '../store/redis/redis-llm-cache.ts';
import { StoredWorkflowResolver } from '../workflows/stored-resolver.ts';
import { WorkflowVersions } from '../workflows/versions.ts';
import { composeSecurity, type SecurityOptions } from './compose-security.ts';
import type { ServerDeps, ServerLimits } from './deps.ts';

export interface Composition {
  readonly deps: ServerDeps;
  readonly worker: ExecutionWorker;
  /** Starts the cron scheduler on this store and worker; the caller stops it before the worker. */
  startScheduler(options?: Partial<Pick<SchedulerOptions, 'pollMs' | 'misfire' | 'onError'>>): Scheduler;
  /** Lets go of outbound connections; after the worker has stopped. */
  close(): Promise<void>;
}

export function composeServer(options: {
  readonly store: Store;
  readonly registry: NodeRegistry;
  readonly services: ExecutorServices;
  readonly limits?: Partial<ServerLimits>;
  readonly logger?: ServerDeps['logger'];
  /** The process logger: the app's request logs, and executions' and nodes' logs from the worker. */
  readonly log?: Logger;
  readonly worker?: Partial<Pick<ExecutionWorkerOptions, 'pollMs' | 'leaseMs' | 'capacity' | 'onError'>>;
  readonly security: SecurityOptions;
  /** The LLM gateway's configuration; none, no gateway (model calls fail clearly). */
  readonly llm?: LlmConfig;
  /** Redis for the LLM cache's durable tier (several processes share it); the database otherwise. */
  readonly redisUrl?: string;
}): Composition {
  const { store, registry } = options;
  const secured = composeSecurity({
    store,
    clock: options.services.clock,
    services: options.services,
    security: options.security,
    ...(options.log ? { log: options.log } : {}),
  });
  // The server runs uploaded workflows: their sub-workflows are stored ones, never files on its disk.
  const redisCache = options.llm && options.redisUrl ? redisLlmCache(options.redisUrl) : undefined;
  const log = options.log;
  const llm =
    options.llm &&
    openLlmGateway({
      config: options.llm,
      store,
      ...(redisCache ? { cacheStore: redisCache } : {}),
      now: () => options.services.clock.now(),
      random: options.services.random,
      ...(log && {
        onLedgerLost: (error: unknown, call: LlmCall) =>
          log.error(
            { err: error, callId: call.id, model: call.model, workspaceId: call.workspaceId },
            'a model call answered but its ledger row was not written',
          ),
      }),
    });
  const services = {
    ...secured.services,
    workflows: new StoredWorkflowResolver(store, registry),
    approvals: approvalGate(store, options.services.clock),
    // The workspace's allow-list applies to MCP servers over HTTP as to any outbound call.
    mcp: mcpCaller(secured.services.outbound, stdioAllowFromEnv()),
    conversations: { saveSummary: store.conversations.saveSummary },
    ...(llm ? { llm } : {}),
  };
  const bus = new InProcessEventBus();
  const responses = new ResponseHub();
  const logEvent = options.log ? executionLogSink(options.log) : undefined;
  // Starts and the runner's writes share one group commit.
  const journal = new Journal(store, { onLostEvents: (error) => options.worker?.onError?.(error) });
  const worker = new ExecutionWorker({
    store,
    journal,
    services,
    catalog: registry,
    soleRunner: store.backend === 'sqlite',
    redact: secured.redact,
    ...options.worker,
    onEvent: (event, execution) => {
      bus.publish(event);
      logEvent?.(event, execution);
    },
    onRespond: (executionId, response) => responses.respond(executionId, response),
  });
  worker.onFinished((executionId) => responses.finished(executionId));
  // A caller waiting on an execution that went to sleep stops waiting: it answers when it can.
  worker.onSuspended((executionId) => responses.finished(executionId));
  const executions = new Executions({
    store,
    catalog: registry,
    clock: services.clock,
    wake: () => worker.notify(),
    runner: worker,
    journal,
  });
  const versions = new WorkflowVersions({ store, catalog: registry, clock: services.clock });
  const deps: ServerDeps = {
    store,
    security: secured.security,
    ...(llm ? { llm } : {}),
    worker,
    executions,
    versions,
    catalog: registry,
    clock: services.clock,
    bus,
    responses,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.log === undefined ? {} : { loggerInstance: options.log }),
  };
  return {
    deps,
    worker,
    close: async () => {
      await llm?.close();
      await secured.close();
      await redisCache?.close();
    },
    startScheduler: (scheduler = {}) =>
      startScheduler({
        store,
        catalog: registry,
        clock: services.clock,
        wake: () => worker.notify(),
        ...(log
          ? {
              onFired: (execution, schedule) =>
                log.info({ scheduleId: schedule.id, executionId: execution.id }, 'schedule fired'),
              onError: (error, schedule) =>
                log.error({ err: error, scheduleId: schedule?.id }, 'schedule failed'),
            }
          : {}),
        ...scheduler,
      }),
  };
}
