/**
 * @module Retention: prunes finished executions (with their node runs, events and timers) older than
 * a number of days, or beyond a number kept per workflow, on a timer. Configured by
 * SWITCHYARD_RETENTION_DAYS and SWITCHYARD_RETENTION_KEEP (per workflow); off when neither is set.
 */
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { RetentionPolicy, Store } from '../../store/ports.ts';
import type { Clock } from '../clock.ts';

export interface RetentionSettings {
  readonly maxAgeDays?: number;
  readonly keepPerWorkflow?: number;
}

const DAY_MS = 86_400_000;

export function retentionFromEnv(env: NodeJS.ProcessEnv = process.env): RetentionSettings {
  const read = (name: string) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
      throw new SwitchyardError(
        'SY_CONFIG_INVALID',
        `${name} must be a whole number of at least 1, not "${raw}"`,
        {
          hint: `Set ${name} to e.g. 30, or leave it unset to keep everything.`,
        },
      );
    }
    return value;
  };
  const maxAgeDays = read('SWITCHYARD_RETENTION_DAYS');
  const keepPerWorkflow = read('SWITCHYARD_RETENTION_KEEP');
  return { ...(maxAgeDays ? { maxAgeDays } : {}), ...(keepPerWorkflow ? { keepPerWorkflow } : {}) };
}

export function retentionPolicy(settings: RetentionSettings, now: number): RetentionPolicy | undefined {
  if (settings.maxAgeDays === undefined && settings.keepPerWorkflow === undefined) return undefined;
  return {
    ...(settings.maxAgeDays === undefined ? {} : { finishedBefore: now - settings.maxAgeDays * DAY_MS }),
    ...(settings.keepPerWorkflow === undefined ? {} : { keepPerWorkflow: settings.keepPerWorkflow }),
  };
}

/** Prunes now and then every `everyMs`; returns a function that stops it (after a prune in progress). */
export function startRetention(
  store: Store,
  clock: Clock,
  settings: RetentionSettings,
  options: { everyMs?: number; onPruned?: (count: number) => void; onError?: (error: unknown) => void } = {},
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const prune = async () => {
    const policy = retentionPolicy(settings, clock.now());
    if (!policy) return;
    try {
      const count = await store.executions.prune(policy);
      if (count > 0) options.onPruned?.(count);
    } catch (error) {
      options.onError?.(error);
    }
  };
  running = prune();
  const timer = setInterval(() => {
    running = prune();
  }, options.everyMs ?? 3_600_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
