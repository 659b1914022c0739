/** @module Turns a run's partial limits into complete, safe ones. */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { type CodeLimits, defaultCodeLimits } from './types.ts';

/**
 * The deepest interpreter stack we allow. QuickJS frames also use the native stack of the thread
 * that runs them; measured here, a 2 MiB QuickJS stack overflowed a 4 MiB worker stack in the host
 * (a RangeError outside the sandbox) while 1 MiB stayed inside. The worker gets 8 MiB: a 2x margin.
 */
export const maxCodeStackBytes = 1024 * 1024;

/** Below this a QuickJS context cannot even be created (it faults inside WebAssembly). */
export const minCodeMemoryBytes = 1024 * 1024;

/** Native stack of the sandbox worker thread; see `maxCodeStackBytes`. */
export const sandboxWorkerStackMb = 8;

export function resolveCodeLimits(partial: Partial<CodeLimits> = {}): CodeLimits {
  const limits = { ...defaultCodeLimits, ...definedEntries(partial) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new SwitchyardError(
        'SY_INTERNAL',
        `The code limit ${name} must be a positive number, not ${value}.`,
        {
          details: { limit: name, value },
        },
      );
    }
  }
  if (limits.memoryBytes < minCodeMemoryBytes) {
    throw new SwitchyardError(
      'SY_INTERNAL',
      `The code limit memoryBytes must be at least ${minCodeMemoryBytes}.`,
      {
        details: { limit: 'memoryBytes', value: limits.memoryBytes },
      },
    );
  }
  return { ...limits, maxStackBytes: Math.min(limits.maxStackBytes, maxCodeStackBytes) };
}

/** `{timeoutMs: undefined}` must mean "the default", not "no limit". */
function definedEntries(partial: Partial<CodeLimits>): Partial<CodeLimits> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
}
