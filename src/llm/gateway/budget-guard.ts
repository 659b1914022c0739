/**
 * @module Budgets before a call: the most the call can cost (its prompt counted with a real
 * tokenizer, plus the whole output cap, at the dearest candidate's price) is reserved against every
 * budget that applies, or the call is refused with what was spent and what is left.
 */
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { BudgetPeriod, BudgetRepository } from '../../store/llm-ports.ts';

/** A reservation lives this long if its holder dies before settling it. */
const RESERVATION_TTL_MS = 10 * 60_000;

export function periodStarts(now: number): Record<BudgetPeriod, number> {
  const date = new Date(now);
  return {
    day: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()),
    month: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
  };
}

export async function reserveBudget(
  budgets: BudgetRepository,
  call: {
    readonly workspaceId: string;
    readonly workflowId: string | null;
    readonly maxCostUsd: number;
    readonly now: number;
  },
): Promise<string> {
  const id = randomUUID();
  const micros = Math.ceil(call.maxCostUsd * 1e6);
  const outcome = await budgets.reserve({
    id,
    workspaceId: call.workspaceId,
    workflowId: call.workflowId,
    micros,
    now: call.now,
    expiresAt: call.now + RESERVATION_TTL_MS,
    periodStarts: periodStarts(call.now),
  });
  if (!outcome.ok) {
    const { budget, spentMicros, reservedMicros } = outcome;
    const left = Math.max(0, budget.limitMicros - spentMicros - reservedMicros);
    throw new SwitchyardError(
      'SY_LLM_BUDGET_EXCEEDED',
      `this call could cost up to $${(micros / 1e6).toFixed(6)}, but the ${budget.period}ly budget of ${
        budget.workflowId === null ? 'the workspace' : `workflow ${budget.workflowId}`
      } has $${(left / 1e6).toFixed(6)} left of $${(budget.limitMicros / 1e6).toFixed(2)}`,
      {
        details: {
          budgetId: budget.id,
          period: budget.period,
          workflowId: budget.workflowId,
          limitUsd: budget.limitMicros / 1e6,
          spentUsd: spentMicros / 1e6,
          reservedUsd: reservedMicros / 1e6,
          estimateUsd: micros / 1e6,
        },
      },
    );
  }
  return id;
}
