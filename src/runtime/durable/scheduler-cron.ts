/** @module Cron arithmetic for schedules, through croner: validation and the fire times after an instant, in a time zone (croner handles DST). */
import { Cron } from 'croner';
import { SwitchyardError } from '../../errors/switchyard-error.ts';

/** Throws SY_SCHEDULE_INVALID naming what is wrong with the expression or the time zone. */
export function checkCron(cron: string, timezone: string): void {
  if (!isTimeZone(timezone)) {
    throw new SwitchyardError('SY_SCHEDULE_INVALID', `"${timezone}" is not an IANA time zone`, {
      path: 'timezone',
      hint: "Use a name from the IANA time zone database, such as 'Europe/Paris', 'America/New_York' or 'UTC'.",
    });
  }
  try {
    new Cron(cron, { timezone, paused: true });
  } catch (error) {
    throw new SwitchyardError(
      'SY_SCHEDULE_INVALID',
      `"${cron}" is not a cron expression: ${error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error)}`,
      {
        path: 'cron',
        hint: "Use five fields (minute hour day month weekday, e.g. '0 9 * * 1-5') or six with seconds first.",
        cause: error,
      },
    );
  }
}

/** The first fire time strictly after `after`, or null when the expression yields no more. */
export function nextFireAfter(cron: string, timezone: string, after: number): number | null {
  // No callback: croner only computes and never sets a timer.
  const next = new Cron(cron, { timezone, paused: true }).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
