/**
 * @module Which ticks of a due schedule fire now, and where it goes next: the misfire policy.
 * A tick later than the grace period is a misfire: `skip` drops it, `catchUp` fires it (bounded).
 */
import type { StoredSchedule } from '../../store/ports.ts';
import { nextFireAfter } from './scheduler-cron.ts';

export interface FirePlan {
  /** Tick times to fire, oldest first. */
  readonly fires: readonly number[];
  /** The schedule's next fire time after these; null when the expression yields no more. */
  readonly next: number | null;
}

export interface MisfireLimits {
  /** A tick fired later than this after its time counts as missed. */
  readonly graceMs: number;
  /** At most this many ticks fire in one plan; older missed ones beyond it are dropped. */
  readonly maxCatchUp: number;
}

export function planFires(schedule: StoredSchedule, now: number, limits: MisfireLimits): FirePlan {
  const due = schedule.nextFireAt;
  if (due === null || due > now) return { fires: [], next: due };
  const { cron, timezone } = schedule;
  const earliestOnTime = now - limits.graceMs;
  // skip starts at the first tick still within grace, so a week of downtime is not walked tick by tick.
  let tick: number | null =
    schedule.misfire === 'catchUp' || due >= earliestOnTime
      ? due
      : nextFireAfter(cron, timezone, earliestOnTime - 1);
  const fires: number[] = [];
  while (tick !== null && tick <= now && fires.length < limits.maxCatchUp) {
    fires.push(tick);
    tick = nextFireAfter(cron, timezone, tick);
  }
  // Past the bound, the remaining missed ticks are dropped: resume at the first future tick.
  const next = tick !== null && tick <= now ? nextFireAfter(cron, timezone, now) : tick;
  return { fires, next };
}
