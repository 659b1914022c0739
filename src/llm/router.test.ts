import { describe, expect, it } from 'vitest';
import type { ModelConfig } from './config/llm-config.ts';
import { parseLlmConfig } from './config/load-llm-config.ts';
import { routeRequest } from './router.ts';

const config = parseLlmConfig(
  {
    providers: [
      { id: 'cloud', kind: 'openai' },
      { id: 'home', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1' },
    ],
    models: [
      { id: 'big', provider: 'cloud', contextWindow: 200_000, classes: ['chat', 'code'] },
      { id: 'small', provider: 'cloud', contextWindow: 16_000, classes: ['chat'] },
      { id: 'llama', provider: 'home', local: true, contextWindow: 32_000, classes: ['chat'] },
      { id: 'vectors', provider: 'cloud', embedding: true, classes: ['chat'] },
    ],
    routes: [
      { id: 'default', select: { class: 'chat' } },
      { id: 'coding', select: { class: 'code' } },
      { id: 'cheap', select: { class: 'chat', maxInputPerMTok: 1 } },
      { id: 'pinned', candidates: ['small', 'big'] },
    ],
  },
  'test',
);
const prices: Record<string, number> = { big: 5, small: 0.5, llama: 0, vectors: 0.02 };
const price = (model: ModelConfig) => prices[model.id];
const closed = () => false;
const tokens = (count: number) => () => count;
const ids = (routing: { candidates: readonly ModelConfig[] }) => routing.candidates.map((m) => m.id);

describe('the router', () => {
  it('puts the cheapest capable model first, never an embedding model', () => {
    const routing = routeRequest({ promptTokens: tokens(100) }, config, price, closed);
    expect(ids(routing)).toEqual(['llama', 'small', 'big']);
    expect(routing.reason).toMatch(/cheapest first: llama → small → big/);
  });

  it('skips models whose context is too small for the prompt', () => {
    expect(ids(routeRequest({ promptTokens: tokens(20_000) }, config, price, closed))).toEqual([
      'llama',
      'big',
    ]);
    expect(ids(routeRequest({ promptTokens: tokens(100_000) }, config, price, closed))).toEqual(['big']);
    expect(() => routeRequest({ promptTokens: tokens(500_000) }, config, price, closed)).toThrow(
      /context ≥ 500000/,
    );
  });

  it('sends private data only to local models, whatever the request names', () => {
    expect(ids(routeRequest({ promptTokens: tokens(10), private: true }, config, price, closed))).toEqual([
      'llama',
    ]);
    expect(() =>
      routeRequest({ model: 'big', promptTokens: tokens(10), private: true }, config, price, closed),
    ).toThrow(/local model/);
    expect(ids(routeRequest({ route: 'pinned', promptTokens: tokens(10) }, config, price, closed))).toEqual([
      'small',
      'big',
    ]);
    expect(() =>
      routeRequest({ route: 'pinned', promptTokens: tokens(10), private: true }, config, price, closed),
    ).toThrow(/no local model/);
  });

  it('honours task classes, price caps and explicit chains', () => {
    expect(ids(routeRequest({ route: 'coding', promptTokens: tokens(10) }, config, price, closed))).toEqual([
      'big',
    ]);
    expect(ids(routeRequest({ route: 'cheap', promptTokens: tokens(10) }, config, price, closed))).toEqual([
      'llama',
      'small',
    ]);
    expect(
      ids(
        routeRequest({ model: 'big', fallbacks: ['small'], promptTokens: tokens(10) }, config, price, closed),
      ),
    ).toEqual(['big', 'small']);
  });

  it('counts the prompt only for a route that selects by rules', () => {
    const uncounted = () => {
      throw new Error('the prompt was counted');
    };
    const unmeasured = { promptTokens: uncounted, promptTokensAtMost: uncounted };
    expect(ids(routeRequest({ model: 'big', ...unmeasured }, config, price, closed))).toEqual(['big']);
    expect(ids(routeRequest({ route: 'pinned', ...unmeasured }, config, price, closed))).toEqual([
      'small',
      'big',
    ]);
  });

  it('counts the prompt only when its bound might not fit some model (the smallest holds 16,000)', () => {
    let counted = 0;
    const counting = (count: number) => () => {
      counted++;
      return count;
    };
    const fits = routeRequest(
      { promptTokens: counting(100), promptTokensAtMost: () => 16_000 },
      config,
      price,
      closed,
    );
    expect(ids(fits)).toEqual(['llama', 'small', 'big']);
    expect(fits.reason).toContain('context ≥ 0 (a prompt of ≤ 16000 tokens fits every model)');
    expect(counted).toBe(0);
    const mayNotFit = routeRequest(
      { promptTokens: counting(20_000), promptTokensAtMost: () => 16_001 },
      config,
      price,
      closed,
    );
    expect(ids(mayNotFit)).toEqual(['llama', 'big']);
    expect(mayNotFit.reason).toContain('context ≥ 20000,');
    expect(counted).toBe(1);
  });

  it('moves models whose circuit is open to the end, and says so', () => {
    const routing = routeRequest(
      { promptTokens: tokens(10) },
      config,
      price,
      (model) => model.id === 'llama',
    );
    expect(ids(routing)).toEqual(['small', 'big', 'llama']);
    expect(routing.reason).toContain('llama (circuit open)');
  });

  it('refuses unknown models and routes with the configured ones in the hint', () => {
    expect(() => routeRequest({ model: 'nope', promptTokens: tokens(1) }, config, price, closed)).toThrow(
      /no model "nope"/,
    );
    expect(() => routeRequest({ route: 'nope', promptTokens: tokens(1) }, config, price, closed)).toThrow(
      /no route "nope"/,
    );
  });
});

describe('the configuration', () => {
  it('reports every problem at once', () => {
    expect(() =>
      parseLlmConfig(
        {
          providers: [{ id: 'p', kind: 'openai' }],
          models: [{ id: 'm', provider: 'missing' }],
          routes: [{ id: 'r', candidates: ['ghost'] }, { id: 'empty' }],
        },
        'llm.yaml',
      ),
    ).toThrow(
      /model m: unknown provider missing; route r: unknown model ghost; route empty: give candidates or select/,
    );
    expect(() => parseLlmConfig({ providers: [{ id: 'p', kind: 'azure' }] }, 'llm.yaml')).toThrow(
      /providers\.0\.kind/,
    );
  });
});
