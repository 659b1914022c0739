import { describe, expect, it } from 'vitest';
import type { Budget, BudgetRepository } from '../../store/llm-ports.ts';
import { KNOWN_FOR_MS, KnownBudgets } from './known-budgets.ts';

/** Budgets of one workspace, counting reads; `hold` makes reads wait until released. */
function setup() {
  let budgets: Budget[] = [];
  let held: Promise<void> | undefined;
  const reads = { count: 0 };
  const repository = {
    list: async () => {
      reads.count++;
      const answer = budgets;
      await held;
      return answer;
    },
  } as unknown as BudgetRepository;
  let now = 1_000_000;
  const known = new KnownBudgets(repository, () => now);
  return {
    known,
    reads,
    advance: (ms: number) => {
      now += ms;
    },
    addBudget: () => {
      budgets = [{ id: 'b' } as Budget];
    },
    hold: () => {
      let release = () => {};
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        held = undefined;
        release();
      };
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('whether a workspace has budgets', () => {
  it('is read once per KNOWN_FOR_MS, shared by the calls that come while it is read', async () => {
    const { known, reads, advance, hold } = setup();
    const release = hold();
    const calls = [known.any('ws'), known.any('ws'), known.any('ws')];
    release();
    expect(await Promise.all(calls)).toEqual([false, false, false]);
    expect(reads.count).toBe(1);
    advance(KNOWN_FOR_MS / 2);
    expect(await known.any('ws')).toBe(false);
    expect(reads.count).toBe(1);
    advance(KNOWN_FOR_MS);
    await known.any('ws');
    expect(reads.count).toBe(2);
  });

  it('is read again in the background near its end: a steady caller never waits for the store', async () => {
    const { known, reads, advance, hold, addBudget } = setup();
    await known.any('ws');
    addBudget();
    advance(KNOWN_FOR_MS - 1);
    const release = hold();
    // Answered at once from what was read, while it is read again.
    expect(await known.any('ws')).toBe(false);
    expect(reads.count).toBe(2);
    release();
    await settle();
    advance(1);
    expect(await known.any('ws')).toBe(true);
    expect(reads.count).toBe(2);
  });

  it('learns of a change in this process at once, and does not keep a read the change overtook', async () => {
    const { known, reads, hold, addBudget } = setup();
    const release = hold();
    const before = known.any('ws');
    await settle();
    addBudget();
    known.changed('ws');
    release();
    expect(await before).toBe(false);
    expect(await known.any('ws')).toBe(true);
    expect(reads.count).toBe(2);
  });
});
