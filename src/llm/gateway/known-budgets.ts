/**
 * @module Whether any budget applies in a workspace, believed for KNOWN_FOR_MS: without budgets a
 * call needs no reservation write, and the answer is read from the store once per KNOWN_FOR_MS, not
 * per call (read again in the background near its end, so a steady caller never waits). This
 * process learns of its own budget changes at once (`changed`, which also keeps a read that the
 * change overtook from being kept), of other processes' within KNOWN_FOR_MS.
 */
import { RefreshingCache } from '../../core/refreshing-cache.ts';
import type { BudgetRepository } from '../../store/llm-ports.ts';

export const KNOWN_FOR_MS = 5_000;
const READ_AGAIN_AFTER_MS = 4_000;
/** Workspaces remembered at once; the oldest go first. */
const MAX_WORKSPACES = 10_000;

export class KnownBudgets {
  private readonly budgets: BudgetRepository;
  private readonly known: RefreshingCache<string, boolean>;

  constructor(budgets: BudgetRepository, now: () => number) {
    this.budgets = budgets;
    this.known = new RefreshingCache({
      trustMs: KNOWN_FOR_MS,
      refreshAfterMs: READ_AGAIN_AFTER_MS,
      maxEntries: MAX_WORKSPACES,
      now,
    });
  }

  async any(workspaceId: string): Promise<boolean> {
    return this.known.get(workspaceId, async () => (await this.budgets.list(workspaceId)).length > 0);
  }

  /** After a budget of the workspace was set or deleted in this process. */
  changed(workspaceId: string): void {
    this.known.invalidate(workspaceId);
  }
}
