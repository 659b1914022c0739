/**
 * @module Model prices in USD per million tokens: a built-in table for common models, overridable
 * per deployment from the providers YAML file. Lookup is by exact id, then by the longest known id
 * that prefixes the requested one at a word boundary, so dated snapshots such as
 * `gpt-4o-2024-08-06` price as `gpt-4o`.
 */
import { SwitchyardError } from '../../errors/switchyard-error.ts';

export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  /** Price of input tokens read from the provider's prompt cache; the input price if absent. */
  readonly cachedInputPerMTok?: number;
}

const p = (inputPerMTok: number, outputPerMTok: number, cachedInputPerMTok?: number): ModelPrice =>
  cachedInputPerMTok === undefined
    ? { inputPerMTok, outputPerMTok }
    : { inputPerMTok, outputPerMTok, cachedInputPerMTok };

/**
 * List prices as published by OpenAI, Anthropic and Google, taken 2025-11 (standard tier; Gemini
 * 2.5 Pro at its ≤200k-token prompt rate). Prices change: deployments override them in config.
 * Local runtimes (`ollama/…`, `lmstudio/…`, `local/…`) cost nothing per token.
 */
export const BUILTIN_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': p(2.5, 10, 1.25),
  'gpt-4o-mini': p(0.15, 0.6, 0.075),
  'gpt-4.1': p(2, 8, 0.5),
  'gpt-4.1-mini': p(0.4, 1.6, 0.1),
  'gpt-4.1-nano': p(0.1, 0.4, 0.025),
  'gpt-4-turbo': p(10, 30),
  'gpt-3.5-turbo': p(0.5, 1.5),
  o3: p(2, 8, 0.5),
  'o3-mini': p(1.1, 4.4, 0.55),
  'o4-mini': p(1.1, 4.4, 0.275),
  'gpt-5': p(1.25, 10, 0.125),
  'gpt-5-mini': p(0.25, 2, 0.025),
  'gpt-5-nano': p(0.05, 0.4, 0.005),
  'text-embedding-3-small': p(0.02, 0),
  'text-embedding-3-large': p(0.13, 0),
  'claude-opus-4': p(15, 75, 1.5),
  'claude-opus-4-1': p(15, 75, 1.5),
  'claude-opus-4-5': p(5, 25, 0.5),
  'claude-sonnet-4': p(3, 15, 0.3),
  'claude-sonnet-4-5': p(3, 15, 0.3),
  'claude-haiku-4-5': p(1, 5, 0.1),
  'claude-3-7-sonnet': p(3, 15, 0.3),
  'claude-3-5-sonnet': p(3, 15, 0.3),
  'claude-3-5-haiku': p(0.8, 4, 0.08),
  'gemini-2.5-pro': p(1.25, 10, 0.125),
  'gemini-2.5-flash': p(0.3, 2.5, 0.03),
  'gemini-2.5-flash-lite': p(0.1, 0.4, 0.01),
  ollama: p(0, 0),
  lmstudio: p(0, 0),
  local: p(0, 0),
};

/**
 * Characters that may follow a known id in a longer one. A dot is not one of them, so `gpt-4.5`
 * does not price as a `gpt-4` family member, nor `o3` as `o3.1`.
 */
const BOUNDARY = new Set(['-', '@', ':', '/']);

export class PriceTable {
  readonly #prices: ReadonlyMap<string, ModelPrice>;

  /** Overrides replace built-in entries of the same id; each is validated. */
  constructor(overrides: Record<string, ModelPrice> = {}) {
    for (const [model, price] of Object.entries(overrides)) validate(model, price);
    const merged = { ...BUILTIN_PRICES, ...overrides };
    this.#prices = new Map(Object.entries(merged).map(([model, price]) => [model.toLowerCase(), price]));
  }

  priceOf(model: string): ModelPrice | undefined {
    const id = model.toLowerCase();
    const exact = this.#prices.get(id);
    if (exact !== undefined) return exact;
    let best: string | undefined;
    for (const known of this.#prices.keys()) {
      const boundary = id[known.length];
      if (boundary === undefined || !BOUNDARY.has(boundary) || !id.startsWith(known)) continue;
      if (best === undefined || known.length > best.length) best = known;
    }
    return best === undefined ? undefined : this.#prices.get(best);
  }
}

function validate(model: string, price: ModelPrice): void {
  const fields: readonly (keyof ModelPrice)[] = ['inputPerMTok', 'outputPerMTok', 'cachedInputPerMTok'];
  for (const field of fields) {
    const value = price[field];
    if (value === undefined && field === 'cachedInputPerMTok') continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new SwitchyardError(
        'SY_CONFIG_INVALID',
        `The price of model "${model}" has an invalid ${field}.`,
        {
          path: `prices.${model}.${field}`,
          hint: 'Prices are non-negative numbers of US dollars per million tokens.',
        },
      );
    }
  }
}
