/**
 * @module Execution events to log lines: one child logger per execution carrying its id, workflow
 * and correlation id (taken from the execution the worker hands over, so no lookup), and per node
 * its node id.
 */
import type { Logger } from 'pino';
import type { ExecutionEvent } from '../runtime/events.ts';
import type { StoredExecution } from '../store/ports.ts';

/** Returns the worker's `onEvent` listener that writes the events worth a line to the logger. */
export function executionLogSink(
  logger: Logger,
): (event: ExecutionEvent, execution: Pick<StoredExecution, 'workflowId' | 'correlationId'>) => void {
  const loggers = new Map<string, Logger>();
  return (event, execution) => {
    let child = loggers.get(event.executionId);
    if (!child) {
      child = logger.child({
        executionId: event.executionId,
        workflowId: execution.workflowId,
        correlationId: execution.correlationId ?? undefined,
      });
      loggers.set(event.executionId, child);
    }
    writeEvent(child, event);
    if (event.type === 'execution.finished') loggers.delete(event.executionId);
  };
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
