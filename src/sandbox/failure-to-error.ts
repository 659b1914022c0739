/**
 * @module Turns a failed run, as the worker described it, into the SwitchyardError the caller sees.
 *
 * Every way the run can be stopped early is SY_CODE_TIMEOUT; `details.reason` tells them apart:
 * `timeout` (the time limit; `details.terminated` when the worker had to be killed), `aborted`
 * (the caller's signal), `never-settles` (awaiting a promise nothing can resolve) and `disposed`
 * (the sandbox was shut down; retryable, as the code itself did nothing wrong).
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { CodeFailure } from './protocol.ts';
import type { CodeLimits } from './types.ts';

export type StopReason = 'timeout' | 'aborted' | 'never-settles' | 'disposed';

export function errorFromFailure(failure: CodeFailure, limits: CodeLimits): SwitchyardError {
  const where = location(failure);
  switch (failure.kind) {
    case 'syntax':
      return new SwitchyardError('SY_CODE_SYNTAX', `${failure.message}${where}`, {
        details: pick(failure, 'line', 'column'),
      });
    case 'thrown': {
      const named = failure.name === undefined ? failure.message : `${failure.name}: ${failure.message}`;
      return new SwitchyardError('SY_CODE_ERROR', `${named}${where}`, {
        details: pick(failure, 'name', 'message', 'stack', 'line', 'column'),
      });
    }
    case 'timeout':
      return stopped('timeout', `The code ran longer than its ${limits.timeoutMs} ms time limit.`, limits);
    case 'aborted':
      return stopped('aborted', 'The code was cancelled before it finished.', limits, {
        hint: 'Its caller cancelled the run; start it again if that was a mistake.',
      });
    case 'never-settles':
      return stopped('never-settles', failure.message, limits, {
        hint: 'Await only promises that your own code resolves; the sandbox has no timers, network or files.',
      });
    case 'memory':
      return new SwitchyardError(
        'SY_CODE_MEMORY',
        `${failure.message} The limit is ${mebibytes(limits.memoryBytes)}.`,
        {
          details: { memoryBytes: limits.memoryBytes, ...pick(failure, 'stack', 'line', 'column') },
        },
      );
    case 'stack':
      return new SwitchyardError('SY_CODE_STACK', `${failure.message}${where}`, {
        details: { maxStackBytes: limits.maxStackBytes, ...pick(failure, 'stack', 'line', 'column') },
      });
    case 'output':
      return new SwitchyardError('SY_CODE_OUTPUT', failure.message, {
        details: { maxOutputBytes: limits.maxOutputBytes },
      });
    case 'internal':
      return new SwitchyardError('SY_INTERNAL', failure.message);
  }
}

export function stopped(
  reason: StopReason,
  message: string,
  limits: CodeLimits,
  extra: { hint?: string; details?: Record<string, unknown>; retryable?: boolean } = {},
): SwitchyardError {
  return new SwitchyardError('SY_CODE_TIMEOUT', message, {
    ...(extra.hint === undefined ? {} : { hint: extra.hint }),
    ...(extra.retryable === undefined ? {} : { retryable: extra.retryable }),
    details: { reason, timeoutMs: limits.timeoutMs, ...extra.details },
  });
}

function location(failure: CodeFailure): string {
  if (failure.line === undefined) return '';
  return failure.column === undefined
    ? ` (line ${failure.line})`
    : ` (line ${failure.line}, column ${failure.column})`;
}

function pick<K extends keyof CodeFailure>(failure: CodeFailure, ...keys: K[]): Record<string, unknown> {
  return Object.fromEntries(
    keys.filter((key) => failure[key] !== undefined).map((key) => [key, failure[key]]),
  );
}

function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}
