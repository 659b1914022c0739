/** The script format: what it accepts, what it refuses, and which rule answers a request. */
import { describe, expect, it } from 'vitest';
import { parseMockScript, ScriptMatcher } from './script.ts';

const request = { model: 'gpt-4o-mini', protocol: 'openai' as const, lastUserText: 'What is the weather?' };

describe('mock LLM script', () => {
  it('loads from YAML', () => {
    const script = parseMockScript(
      [
        'rules:',
        '  - model: "gpt-*"',
        '    contains: weather',
        '    times: 1',
        '    reply: { toolCalls: [{ name: get_weather, arguments: { city: Paris } }], chunkDelayMs: 5 }',
        '  - reply: { error: { status: 429, retryAfterSeconds: 2 } }',
      ].join('\n'),
    );
    expect(script.rules).toHaveLength(2);
    expect(script.rules[0]?.reply).toEqual({
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
      chunkDelayMs: 5,
    });
  });

  it('refuses unknown keys, bad statuses and replies that are two things at once, saying where', () => {
    expect(() => parseMockScript('rules: [{ reply: { txt: hi } }]')).toThrow(/rules/);
    expect(() => parseMockScript('rules: [{ reply: { error: { status: 200 } } }]')).toThrow(
      /invalid mock LLM script/,
    );
    expect(() => parseMockScript('rules: [{ reply: { text: a, echo: true } }]')).toThrow();
    expect(() => parseMockScript('rules: [{ reply: { drop: later } }]')).toThrow();
    expect(() => parseMockScript('rules: [{ model: m, reply: { text: a }, extra: 1 }]')).toThrow();
  });

  it('picks the first matching rule by model (exact or prefix), message substring and protocol', () => {
    const matcher = new ScriptMatcher({
      rules: [
        { protocol: 'anthropic', reply: { text: 'anthropic' } },
        { model: 'gpt-4o', reply: { text: 'exact' } },
        { model: 'gpt-*', contains: 'weather', reply: { text: 'prefix' } },
        { reply: { text: 'any' } },
      ],
    });
    expect(matcher.match(request)).toEqual({ text: 'prefix' });
    expect(matcher.match({ ...request, model: 'gpt-4o' })).toEqual({ text: 'exact' });
    expect(matcher.match({ ...request, lastUserText: 'hello' })).toEqual({ text: 'any' });
    expect(matcher.match({ ...request, protocol: 'anthropic' })).toEqual({ text: 'anthropic' });
    expect(matcher.modelNames()).toEqual(['gpt-4o']);
  });

  it('stops matching a rule once its `times` are used up, and starts over with a new matcher', () => {
    const script = { rules: [{ times: 2, reply: { error: { status: 500 } } }] };
    const matcher = new ScriptMatcher(script);
    expect(matcher.match(request)).toBeDefined();
    expect(matcher.match(request)).toBeDefined();
    expect(matcher.match(request)).toBeUndefined();
    expect(new ScriptMatcher(script).match(request)).toBeDefined();
  });
});
