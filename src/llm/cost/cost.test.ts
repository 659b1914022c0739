import fc from 'fast-check';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { costUsd, estimateCallCost } from './cost.ts';
import { BUILTIN_PRICES, PriceTable } from './prices.ts';
import { type ChatMessageLike, countPromptTokens, countTextTokens, promptTokensAtMost } from './tokens.ts';

describe('token counts', () => {
  it('counts text with the model’s encoding, and measures the first (loading) count', () => {
    const started = performance.now();
    expect(countTextTokens('Hello, world!', 'gpt-4o')).toBe(4);
    const firstCountMs = performance.now() - started;
    console.info(`first o200k_base count took ${firstCountMs.toFixed(0)} ms`);
    expect(countTextTokens('Hello, world!', 'gpt-4-0613')).toBe(4);
    expect(countTextTokens('', 'gpt-4o')).toBe(0);
  });

  it('counts special-token text as plain text instead of throwing', () => {
    expect(countTextTokens('<|endoftext|>', 'gpt-4o')).toBeGreaterThan(1);
  });

  const chat: ChatMessageLike[] = [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: [{ type: 'text', text: 'Hello, world!' }] },
  ];

  it('adds OpenAI’s chat framing: 3 per message and 3 to prime the reply', () => {
    // system 1 + 6, user 1 + 4, framing 2 × 3, priming 3
    expect(countPromptTokens(chat, 'gpt-4o')).toEqual({ tokens: 21, exact: true, encoding: 'o200k_base' });
    const asStrings = [chat[0]!, { role: 'user', content: 'Hello, world!' }];
    expect(
      encodeChat(
        asStrings.map((m) => ({ role: m.role, content: String(m.content) })),
        'gpt-4o',
      ),
    ).toHaveLength(21);
  });

  it('picks cl100k_base for GPT-4 and GPT-3.5, and estimates other vendors with o200k_base', () => {
    expect(countPromptTokens(chat, 'gpt-3.5-turbo').encoding).toBe('cl100k_base');
    expect(countPromptTokens(chat, 'openai/gpt-4.1-mini')).toMatchObject({
      encoding: 'o200k_base',
      exact: true,
    });
    expect(countPromptTokens(chat, 'claude-sonnet-4-5')).toMatchObject({
      encoding: 'o200k_base',
      exact: false,
    });
    expect(countPromptTokens(chat, 'ollama/llama3.1').exact).toBe(false);
  });

  it('adds tool definitions and marks counts with tools or non-text parts inexact', () => {
    const tools = { get_weather: { description: 'Weather for a city', parameters: { city: 'string' } } };
    const withTools = countPromptTokens(chat, 'gpt-4o', tools);
    expect(withTools.tokens).toBe(21 + countTextTokens(JSON.stringify(tools), 'gpt-4o'));
    expect(withTools.exact).toBe(false);
    const image: ChatMessageLike = { role: 'user', content: [{ type: 'image' }] };
    expect(countPromptTokens([image], 'gpt-4o')).toMatchObject({ tokens: 7, exact: false });
  });

  it('bounds the count from above without tokenizing, for any text in either encoding', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('<|endoftext|>', '日本語のテキスト', '👩‍👩‍👧‍👦🏳️‍🌈', ' '.repeat(300), 'a'.repeat(500)),
    );
    const message = fc.record({
      role: fc.constantFrom('system', 'user', 'assistant'),
      content: fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 3 })),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 4 }), (messages) => {
        const bound = promptTokensAtMost(messages);
        for (const model of ['gpt-4o', 'gpt-4-0613']) {
          expect(countPromptTokens(messages, model).tokens).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 300 },
    );
    // Not a loose bound for ordinary text: bytes, against 21 tokens.
    expect(promptTokensAtMost(chat)).toBe(3 + (3 + 6 + 28) + (3 + 4 + 13));
  });
});

describe('PriceTable', () => {
  const table = new PriceTable();

  it('has built-in prices for the common models', () => {
    expect(Object.keys(BUILTIN_PRICES).length).toBeGreaterThanOrEqual(25);
    expect(table.priceOf('gpt-4o-mini')).toEqual(BUILTIN_PRICES['gpt-4o-mini']);
  });

  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['gemini-2.5-flash-lite-preview-06-17', 'gemini-2.5-flash-lite'],
    ['GPT-5-MINI', 'gpt-5-mini'],
    ['ollama/llama3.1:8b', 'ollama'],
  ])('prices %s as %s', (model, known) => {
    expect(table.priceOf(model)).toEqual(BUILTIN_PRICES[known]);
  });

  it('does not take a prefix that stops mid-word or before a dot', () => {
    expect(table.priceOf('gpt-4.5-preview')).toBeUndefined();
    expect(table.priceOf('o3x')).toBeUndefined();
    expect(table.priceOf('mistral-large')).toBeUndefined();
  });

  it('lets overrides replace and add prices, and validates them', () => {
    const custom = new PriceTable({
      'gpt-4o': { inputPerMTok: 1, outputPerMTok: 2 },
      'my-llm': { inputPerMTok: 0, outputPerMTok: 0 },
    });
    expect(custom.priceOf('gpt-4o-2024-11-20')).toEqual({ inputPerMTok: 1, outputPerMTok: 2 });
    expect(custom.priceOf('my-llm')).toEqual({ inputPerMTok: 0, outputPerMTok: 0 });
    expect(() => new PriceTable({ bad: { inputPerMTok: -1, outputPerMTok: 0 } })).toThrow(
      /"bad".*inputPerMTok/,
    );
    expect(() => new PriceTable({ bad: { inputPerMTok: 1, outputPerMTok: Number.NaN } })).toThrow(
      /outputPerMTok/,
    );
  });
});

describe('costUsd', () => {
  const mini = BUILTIN_PRICES['gpt-4o-mini']!;

  it('is exact to the micro-dollar', () => {
    // 1,234 × $0.15/M + 567 × $0.60/M = 185.1 + 340.2 micro-dollars
    expect(costUsd(mini, { inputTokens: 1234, outputTokens: 567 })).toBe(0.000525);
    expect(costUsd(BUILTIN_PRICES['gpt-4o']!, { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(
      12.5,
    );
    expect(costUsd(BUILTIN_PRICES['claude-opus-4-1']!, { inputTokens: 3, outputTokens: 7 })).toBe(0.00057);
  });

  it('charges cached input at the cached price, as part of the input count', () => {
    expect(costUsd(mini, { inputTokens: 10_000, outputTokens: 0, cachedInputTokens: 8_000 })).toBe(0.0009);
    expect(
      costUsd(
        { inputPerMTok: 1, outputPerMTok: 1 },
        { inputTokens: 10, outputTokens: 0, cachedInputTokens: 10 },
      ),
    ).toBe(0.00001);
  });

  it('adds without float dust', () => {
    const sum = Array.from({ length: 10 }, () => costUsd(mini, { inputTokens: 1, outputTokens: 1 })).reduce(
      (a, b) => a + b,
    );
    expect(costUsd(mini, { inputTokens: 1, outputTokens: 1 })).toBe(0.000001);
    expect(Math.round(sum * 1e6) / 1e6).toBe(0.00001);
  });

  it('refuses impossible usage', () => {
    expect(() => costUsd(mini, { inputTokens: 1, outputTokens: 0, cachedInputTokens: 2 })).toThrow(/exceed/);
    expect(() => costUsd(mini, { inputTokens: -1, outputTokens: 0 })).toThrow(/non-negative integer/);
  });
});

describe('estimateCallCost', () => {
  const prices = new PriceTable();

  it('reports an unknown model as unpriced', () => {
    const estimate = estimateCallCost(
      { messages: [{ role: 'user', content: 'hi' }], model: 'acme-1', maxOutputTokens: 100 },
      prices,
    );
    expect(estimate).toMatchObject({
      priced: false,
      maxCostUsd: 0,
      maxOutputTokens: 100,
      exactTokens: false,
    });
  });

  const message = fc.record({
    role: fc.constantFrom('system', 'user', 'assistant'),
    content: fc.string({ maxLength: 200 }),
  });
  const model = fc.constantFrom('gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4-5', 'gemini-2.5-flash', 'o4-mini');

  it('is never below the cost of a call that stays within its output cap', () => {
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 6 }),
        model,
        fc.nat(4096),
        fc.nat(4096),
        fc.nat(),
        (messages, id, cap, out, cachedSeed) => {
          const estimate = estimateCallCost({ messages, model: id, maxOutputTokens: cap }, prices);
          const inputTokens = estimate.inputTokens;
          const usage = {
            inputTokens,
            outputTokens: Math.min(out, cap),
            cachedInputTokens: cachedSeed % (inputTokens + 1),
          };
          expect(estimate.priced).toBe(true);
          expect(estimate.maxCostUsd).toBeGreaterThanOrEqual(costUsd(prices.priceOf(id)!, usage));
        },
      ),
      { numRuns: 300 },
    );
  });
});
