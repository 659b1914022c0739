/**
 * @module Runs one node instance under its policies: parameters evaluated per attempt, a timeout per
 * attempt, retries with backoff and full jitter for retryable errors, and cancellation that reaches
 * the node through `ctx.signal`. Returns the record that goes into the log.
 */
import { NO_RETRY, retryDelay } from '../core/retry.ts';
import type { NodeRunRecord, ReadyNode } from '../core/scheduler/records.ts';
import { type ErrorData, isRetryable, SwitchyardError, toErrorData } from '../errors/switchyard-error.ts';
import type { NodeContext, ScopeFrameView } from '../nodes/context.ts';
import type { NodeOutputs, NodeType } from '../nodes/node-type.ts';
import { untilAborted } from './abortable.ts';
import type { EventDraft } from './events.ts';
import { resolveParams } from './node-params.ts';
import type { ExecutorServices } from './services.ts';
import { Suspended } from './suspension.ts';

/** What the execution lends each node run. */
export interface AttemptHost {
  readonly services: ExecutorServices;
  readonly executionId: string;
  /** Aborted when the execution stops (cancel, timeout, failure elsewhere, end node). */
  readonly signal: AbortSignal;
  emit(event: EventDraft): void;
  variables(ready: ReadyNode): Readonly<Record<string, unknown>>;
  frames(ready: ReadyNode): ScopeFrameView[];
  makeContext(ready: ReadyNode, attempt: number, signal: AbortSignal): NodeContext;
}

export interface AttemptsResult {
  readonly record: NodeRunRecord;
  readonly attempts: number;
  readonly durationMs: number;
}

export async function runWithPolicies(ready: ReadyNode, host: AttemptHost): Promise<AttemptsResult> {
  const { node } = ready;
  const { clock, random } = host.services;
  const policy = node.definition.retry ?? NO_RETRY;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    host.emit({ type: 'node.started', nodeId: node.id, scope: ready.scope, attempt });
    try {
      const outputs = await attemptOnce(ready, attempt, host);
      return done({ nodeId: node.id, scope: ready.scope, status: 'succeeded', outputs }, attempt);
    } catch (thrown) {
      // Not a failure: the node waits outside the process; the execution parks it (see suspension.ts).
      if (thrown instanceof Suspended) throw thrown;
      if (host.signal.aborted) return failed(toErrorData(host.signal.reason), attempt);
      const error = toErrorData(thrown);
      if (attempt >= policy.attempts || !isRetryable(thrown)) return failed(error, attempt);
      const delayMs = retryDelay(policy, attempt + 1, random());
      host.emit({ type: 'node.retrying', nodeId: node.id, scope: ready.scope, attempt, delayMs, error });
      try {
        await clock.sleep(delayMs, host.signal);
      } catch {
        return failed(toErrorData(host.signal.reason), attempt);
      }
    }
  }

  function done(record: NodeRunRecord, attempts: number): AttemptsResult {
    return { record, attempts, durationMs: clock.now() - started };
  }
  function failed(error: ErrorData, attempts: number): AttemptsResult {
    return done({ nodeId: node.id, scope: ready.scope, status: 'failed', error }, attempts);
  }
}

async function attemptOnce(ready: ReadyNode, attempt: number, host: AttemptHost): Promise<NodeOutputs> {
  const { node } = ready;
  const type = node.spec as NodeType;
  const timeoutMs = node.definition.timeoutMs;
  if (timeoutMs === undefined) return runNode(type, ready, attempt, host, host.signal);

  const timeout = new AbortController();
  const stopTimer = new AbortController();
  host.services.clock.sleep(timeoutMs, stopTimer.signal).then(
    () =>
      timeout.abort(
        new SwitchyardError('SY_NODE_TIMEOUT', `node "${node.id}" did not finish within ${timeoutMs} ms`, {
          details: { timeoutMs },
        }),
      ),
    () => {},
  );
  try {
    return await runNode(type, ready, attempt, host, AbortSignal.any([host.signal, timeout.signal]));
  } finally {
    stopTimer.abort();
  }
}

async function runNode(
  type: NodeType,
  ready: ReadyNode,
  attempt: number,
  host: AttemptHost,
  signal: AbortSignal,
): Promise<NodeOutputs> {
  const params = await resolveParams(ready.node, host.services.expressions, () => host.variables(ready));
  const ctx = host.makeContext(ready, attempt, signal);
  const run = type.run(ctx, {
    params,
    input: ready.input,
    inputs: ready.inputs,
    arrivals: ready.arrivals,
    loops: ready.scope === '' ? [] : host.frames(ready),
  });
  // A pure node only computes: it ends on its own moments later, so nothing need stop waiting for it
  // (a node timeout still does). Listening to the signal costs more than most pure nodes.
  return type.pure === true && signal === host.signal ? run : untilAborted(run, signal);
}
