/**
 * @module The schedule poller: fires due cron ticks as executions, each tick exactly once across
 * restarts and concurrent processes. Every tick's execution has a deterministic id (schedule id +
 * tick time), created before the schedule is advanced: a duplicate is refused by the store's primary
 * key, and a crash between the two only means the next poll finds the execution and advances.
 */
import type { NodeCatalog } from '../../core/catalog.ts';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { Store, StoredExecution, StoredSchedule } from '../../store/ports.ts';
import type { Clock } from '../clock.ts';
import { Executions } from './executions.ts';
import { type MisfireLimits, planFires } from './scheduler-plan.ts';

export interface SchedulerOptions {
  readonly store: Store;
  readonly catalog: NodeCatalog;
  readonly clock: Clock;
  /** Tells the worker there is queued work. */
  readonly wake?: () => void;
  readonly pollMs?: number;
  /** Due schedules taken per poll. */
  readonly batch?: number;
  readonly misfire?: Partial<MisfireLimits>;
  readonly onFired?: (execution: StoredExecution, schedule: StoredSchedule) => void;
  readonly onError?: (error: unknown, schedule?: StoredSchedule) => void;
}

export interface Scheduler {
  /** One poll now (serialised with the background loop); returns how many executions it started. */
  poll(): Promise<number>;
  stop(): Promise<void>;
}

export const DEFAULT_MISFIRE: MisfireLimits = { graceMs: 60_000, maxCatchUp: 100 };

/** The id of the execution a tick starts: the same in every process, so a tick cannot start twice. */
export function scheduledExecutionId(scheduleId: string, scheduledFor: number): string {
  return `sch_${scheduleId}_${scheduledFor}`;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const controller = new AbortController();
  const onError = options.onError ?? (() => {});
  let chain: Promise<unknown> = Promise.resolve();
  const poll = (): Promise<number> => {
    const run = chain.then(() => fireDueSchedules(options));
    chain = run.catch(() => {});
    return run;
  };
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        await poll();
      } catch (error) {
        onError(error);
      }
      try {
        await options.clock.sleep(options.pollMs ?? 1_000, controller.signal);
      } catch {
        break;
      }
    }
  })();
  return {
    poll,
    async stop() {
      controller.abort();
      await loop;
      await chain;
    },
  };
}

/** Fires every due tick of up to `batch` schedules; returns how many executions this call started. */
export async function fireDueSchedules(options: SchedulerOptions): Promise<number> {
  const now = options.clock.now();
  const limits = { ...DEFAULT_MISFIRE, ...options.misfire };
  let started = 0;
  for (const schedule of await options.store.schedules.due(now, options.batch ?? 100)) {
    const plan = planFires(schedule, now, limits);
    for (const tick of plan.fires) {
      const execution = await fireTick(options, schedule, tick);
      if (execution) {
        started++;
        options.onFired?.(execution, schedule);
      }
    }
    // Losing this compare-and-set means another poller advanced it: its ticks carry the same ids.
    await options.store.schedules.advance(schedule.id, schedule.nextFireAt ?? now, plan.next, now);
  }
  return started;
}

/** Starts the tick's execution; undefined when it exists already or the workflow cannot run (reported). */
async function fireTick(
  options: SchedulerOptions,
  schedule: StoredSchedule,
  tick: number,
): Promise<StoredExecution | undefined> {
  const executions = new Executions({
    store: options.store,
    catalog: options.catalog,
    clock: options.clock,
    ...(options.wake ? { wake: options.wake } : {}),
    newId: () => scheduledExecutionId(schedule.id, tick),
  });
  try {
    return await executions.start({
      workspaceId: schedule.workspaceId,
      workflowId: schedule.workflowId,
      input: schedule.input,
      trigger: { kind: 'schedule', scheduleId: schedule.id, scheduledFor: new Date(tick).toISOString() },
    });
  } catch (error) {
    if (!(error instanceof SwitchyardError)) throw error;
    if (error.code === 'SY_STORE_CONFLICT') return undefined;
    // The workflow was deleted or unpublished: the tick cannot run, and retrying will not help.
    if (error.code === 'SY_WORKFLOW_NOT_FOUND' || error.code === 'SY_WORKFLOW_NOT_PUBLISHED') {
      options.onError?.(error, schedule);
      return undefined;
    }
    // Anything else (the store unreachable…) leaves the schedule unadvanced, to be retried next poll.
    throw error;
  }
}
