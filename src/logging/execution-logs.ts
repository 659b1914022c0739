/**
 * @module Execution events to log lines: one child logger per execution carrying its id, workflow
 * and correlation id (the execution is read once, not per line), and per node its node id.
 */
import type { Logger } from 'pino';
import type { ExecutionEvent } from '../runtime/events.ts';
import { DEFAULT_WORKSPACE, type Store } from '../store/ports.ts';

export interface ExecutionLogOptions {
  readonly store: Store;
  readonly logger: Logger;
}

/** Returns the worker's `onEvent` listener that writes the events worth a line to the logger. */
export function executionLogSink(options: ExecutionLogOptions): (event: ExecutionEvent) => void {
  // A promise chain per execution keeps its lines in event order while the lookup is pending.
  const chains = new Map<string, Promise<Logger>>();
  return (event) => {
    const chain = chains.get(event.executionId) ?? executionLogger(options, event.executionId);
    const next = chain.then((logger) => {
      writeEvent(logger, event);
      return logger;
    });
    if (event.type === 'execution.finished') chains.delete(event.executionId);
    else chains.set(event.executionId, next);
  };
}

async function executionLogger({ store, logger }: ExecutionLogOptions, executionId: string): Promise<Logger> {
  try {
    // Workspaces are one today; the worker's events do not carry theirs (see the report on issue 4).
    const execution = await store.executions.get(DEFAULT_WORKSPACE, executionId);
    return logger.child({
      executionId,
      ...(execution
        ? { workflowId: execution.workflowId, correlationId: execution.correlationId ?? undefined }
        : {}),
    });
  } catch (error) {
    logger.warn({ err: error, executionId }, 'looking up an execution for its logs failed');
    return logger.child({ executionId });
  }
}

function writeEvent(logger: Logger, event: ExecutionEvent): void {
  switch (event.type) {
    case 'execution.started':
    case 'execution.resumed':
      logger.info(
        { workflow: event.workflow },
        event.type === 'execution.started' ? 'execution started' : 'execution resumed',
      );
      return;
    case 'execution.finished':
      logger[event.status === 'failed' ? 'warn' : 'info'](
        {
          status: event.status,
          durationMs: event.durationMs,
          ...(event.error ? { error: event.error } : {}),
        },
        'execution finished',
      );
      return;
    case 'node.log':
      logger
        .child({ nodeId: event.nodeId, scope: event.scope })
        [event.level](event.fields ?? {}, event.message);
      return;
    case 'node.failed':
      logger
        .child({ nodeId: event.nodeId, scope: event.scope })
        .warn({ error: event.error, attempts: event.attempts, handled: event.handled }, 'node failed');
      return;
    default:
      return;
  }
}
