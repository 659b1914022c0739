/**
 * @module What a call costs and what it may cost at most. Amounts are summed as integers (a
 * ten-thousandth of a micro-dollar per token is the finest price step) and returned in dollars
 * rounded to the micro-dollar, so sums of ledger entries carry no float dust.
 */
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { ModelPrice, PriceTable } from './prices.ts';
import { type ChatMessageLike, countPromptTokens } from './tokens.ts';

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The part of `inputTokens` read from the prompt cache (OpenAI's convention: included, not extra). */
  readonly cachedInputTokens?: number;
}

/** USD per million tokens is micro-dollars per token; scaled by this, every listed price is whole. */
const SCALE = 10_000;

/** Cost in dollars, rounded to the micro-dollar. Cached tokens fall back to the input price. */
export function costUsd(price: ModelPrice, usage: TokenUsage): number {
  const cached = usage.cachedInputTokens ?? 0;
  for (const [field, value] of Object.entries(usage)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new SwitchyardError(
        'SY_INTERNAL',
        `Token usage ${field} must be a non-negative integer, got ${value}.`,
      );
    }
  }
  if (cached > usage.inputTokens) {
    throw new SwitchyardError(
      'SY_INTERNAL',
      `Cached input tokens (${cached}) exceed input tokens (${usage.inputTokens}).`,
    );
  }
  const rate = (perMTok: number): number => Math.round(perMTok * SCALE);
  const scaled =
    (usage.inputTokens - cached) * rate(price.inputPerMTok) +
    cached * rate(price.cachedInputPerMTok ?? price.inputPerMTok) +
    usage.outputTokens * rate(price.outputPerMTok);
  return Math.round(scaled / SCALE) / 1e6;
}

export interface CallEstimate {
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
  /** The most the call can cost: every prompt token uncached, and the full output cap used. */
  readonly maxCostUsd: number;
  readonly exactTokens: boolean;
  /** False when the model has no price; `maxCostUsd` is then 0 and the caller decides. */
  readonly priced: boolean;
}

/** The pre-call estimate a budget check compares against what is left. */
export function estimateCallCost(
  input: {
    readonly messages: readonly ChatMessageLike[];
    readonly model: string;
    readonly maxOutputTokens: number;
    readonly tools?: unknown;
  },
  prices: PriceTable,
): CallEstimate {
  const counted = countPromptTokens(input.messages, input.model, input.tools);
  const price = prices.priceOf(input.model);
  const maxCostUsd =
    price === undefined
      ? 0
      : costUsd(price, { inputTokens: counted.tokens, outputTokens: input.maxOutputTokens });
  return {
    inputTokens: counted.tokens,
    maxOutputTokens: input.maxOutputTokens,
    maxCostUsd,
    exactTokens: counted.exact,
    priced: price !== undefined,
  };
}
