/**
 * @module Whether any budget applies in a workspace, known for KNOWN_FOR_MS: without budgets a call
 * needs no reservation write, and the answer is read from the store once per KNOWN_FOR_MS, not per
 * call. Near its end a use reads it again in the background, so a steady caller never waits for the
 * store. This process learns of its own budget changes at once (`changed`, which also keeps a read
 * that the change overtook from being kept), of other processes' within KNOWN_FOR_MS.
 */
import type { BudgetRepository } from '../../store/llm-ports.ts';

export const KNOWN_FOR_MS = 5_000;
const READ_AGAIN_AFTER_MS = 4_000;

export class KnownBudgets {
  private readonly budgets: BudgetRepository;
  private readonly now: () => number;
  private readonly known = new Map<string, { readonly has: boolean; readonly until: number }>();
  /** Reads under way, by workspace: calls that come meanwhile share them. */
  private readonly reading = new Map<string, Promise<boolean>>();
  private changes = 0;

  constructor(budgets: BudgetRepository, now: () => number) {
    this.budgets = budgets;
    this.now = now;
  }

  async any(workspaceId: string): Promise<boolean> {
    const now = this.now();
    const known = this.known.get(workspaceId);
    if (known === undefined || known.until <= now) return this.read(workspaceId);
    // A failed background read changes nothing: the answer ends on time, and then a caller waits.
    if (known.until - now <= KNOWN_FOR_MS - READ_AGAIN_AFTER_MS) this.read(workspaceId).catch(() => {});
    return known.has;
  }

  /** After a budget of the workspace was set or deleted in this process. */
  changed(workspaceId: string): void {
    this.changes++;
    this.known.delete(workspaceId);
    this.reading.delete(workspaceId);
  }

  private read(workspaceId: string): Promise<boolean> {
    const under = this.reading.get(workspaceId);
    if (under !== undefined) return under;
    const changes = this.changes;
    const started = this.now();
    const reading = this.budgets
      .list(workspaceId)
      .then((budgets) => {
        const has = budgets.length > 0;
        if (changes === this.changes) this.known.set(workspaceId, { has, until: started + KNOWN_FOR_MS });
        return has;
      })
      .finally(() => {
        if (this.reading.get(workspaceId) === reading) this.reading.delete(workspaceId);
      });
    this.reading.set(workspaceId, reading);
    return reading;
  }
}
