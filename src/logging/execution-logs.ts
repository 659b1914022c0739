/**
 * @module Execution events to log lines: one child logger per execution carrying its id, workflow
 * and correlation id (taken from the execution the worker hands over, so no lookup), and per node
 * its node id.
 */
import type { Level, Logger } from 'pino';
import type { ExecutionEvent } from '../runtime/events.ts';
import type { StoredExecution } from '../store/ports.ts';

/** Returns the worker's `onEvent` listener that writes the events worth a line to the logger. */
export function executionLogSink(
  logger: Logger,
): (event: ExecutionEvent, execution: Pick<StoredExecution, 'workflowId' | 'correlationId'>) => void {
  const loggers = new Map<string, Logger>();
  return (event, execution) => {
    const level = levelOf(event);
    // Most events make no line, and at `warn` most lines are not written: no child logger for them.
    if (level === undefined || !logger.isLevelEnabled(level)) {
      if (event.type === 'execution.finished') loggers.delete(event.executionId);
      return;
    }
    let child = loggers.get(event.executionId);
    if (!child) {
      child = logger.child({
        executionId: event.executionId,
        workflowId: execution.workflowId,
        correlationId: execution.correlationId ?? undefined,
      });
      loggers.set(event.executionId, child);
    }
    writeEvent(child, event, level);
    if (event.type === 'execution.finished') loggers.delete(event.executionId);
  };
}

/** The level of the line an event makes, if it makes one (as `writeEvent` writes it). */
function levelOf(event: ExecutionEvent): Level | undefined {
  switch (event.type) {
    case 'execution.started':
    case 'execution.resumed':
      return 'info';
    case 'execution.finished':
      return event.status === 'failed' ? 'warn' : 'info';
    case 'node.log':
      return event.level;
    case 'node.failed':
      return 'warn';
    default:
      return undefined;
  }
}

function writeEvent(logger: Logger, event: ExecutionEvent, level: Level): void {
  switch (event.type) {
    case 'execution.started':
    case 'execution.resumed':
      logger[level](
        { workflow: event.workflow },
        event.type === 'execution.started' ? 'execution started' : 'execution resumed',
      );
      return;
    case 'execution.finished':
      logger[level](
        {
          status: event.status,
          durationMs: event.durationMs,
          ...(event.error ? { error: event.error } : {}),
        },
        'execution finished',
      );
      return;
    case 'node.log':
      logger.child({ nodeId: event.nodeId, scope: event.scope })[level](event.fields ?? {}, event.message);
      return;
    case 'node.failed':
      logger
        .child({ nodeId: event.nodeId, scope: event.scope })
        [level]({ error: event.error, attempts: event.attempts, handled: event.handled }, 'node failed');
      return;
    default:
      return;
  }
}
