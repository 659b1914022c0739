import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { maxCodeStackBytes, resolveCodeLimits } from './limits.ts';
import { defaultCodeLimits } from './types.ts';

describe('resolveCodeLimits', () => {
  it('fills in the defaults, treating undefined as absent', () => {
    expect(resolveCodeLimits()).toEqual(defaultCodeLimits);
    expect(resolveCodeLimits({ timeoutMs: 50, memoryBytes: undefined as unknown as number })).toEqual({
      ...defaultCodeLimits,
      timeoutMs: 50,
    });
  });

  it('caps the stack at what the worker thread holds', () => {
    expect(resolveCodeLimits({ maxStackBytes: 64 * 1024 * 1024 }).maxStackBytes).toBe(maxCodeStackBytes);
  });

  it.each([
    [{ timeoutMs: 0 }],
    [{ timeoutMs: Number.NaN }],
    [{ maxOutputBytes: -1 }],
    [{ memoryBytes: 1000 }],
  ])('refuses %j', (limits) => {
    expect(() => resolveCodeLimits(limits)).toThrow(SwitchyardError);
  });
});
