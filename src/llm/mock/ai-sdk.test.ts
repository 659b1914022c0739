/** The mock through the Vercel AI SDK's OpenAI and Anthropic providers: text, streams, usage and tool calls. */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type MockLlmServer, startMockLlmServer } from './mock-llm-server.ts';

let server: MockLlmServer;

beforeAll(async () => {
  // The SDK warns that it does not know the mock's models; that is expected here.
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  server = await startMockLlmServer();
});
afterAll(() => server.close());
beforeEach(() => server.setScript({ rules: [] }));

const openai = () => createOpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x' }).chat('mock-small');
const claude = () => createAnthropic({ baseURL: `${server.url}/v1`, apiKey: 'x' })('mock-claude');

const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string(), days: z.number().int() }),
  execute: ({ city }) => `sunny in ${city}`,
});

describe('AI SDK, OpenAI chat provider', () => {
  it('generates text with usage', async () => {
    const result = await generateText({ model: openai(), prompt: 'hello there', maxRetries: 0 });
    expect(result.text).toBe('Echo: hello there');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(3);
    expect(result.usage.outputTokens).toBe(5);
  });

  it('streams text with usage', async () => {
    server.setScript({ rules: [{ reply: { text: 'Streaming works fine.', chunkSize: 2 } }] });
    const result = streamText({ model: openai(), prompt: 'stream please', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join('')).toBe('Streaming works fine.');
    expect(deltas.length).toBeGreaterThan(5);
    expect((await result.usage).outputTokens).toBe(6);
    expect(server.requests.at(-1)?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('sees a tool call with its parsed input', async () => {
    server.setScript({
      rules: [{ reply: { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo', days: 2 } }] } }],
    });
    const result = await generateText({
      model: openai(),
      prompt: 'weather?',
      tools: { weather },
      maxRetries: 0,
    });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toEqual([
      expect.objectContaining({ toolName: 'weather', input: { city: 'Oslo', days: 2 } }),
    ]);
  });
});

describe('AI SDK, Anthropic provider', () => {
  it('generates text with usage, sending the Anthropic headers', async () => {
    const result = await generateText({ model: claude(), prompt: 'hello there', maxRetries: 0 });
    expect(result.text).toBe('Echo: hello there');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(3);
    expect(result.usage.outputTokens).toBe(5);
    const recorded = server.requests.at(-1);
    expect(recorded).toMatchObject({ path: '/v1/messages', protocol: 'anthropic', model: 'mock-claude' });
    expect(recorded?.headers['x-api-key']).toBe('x');
    expect(recorded?.headers['anthropic-version']).toEqual(expect.any(String));
  });

  it('streams text with usage, and stops at max_tokens', async () => {
    server.setScript({
      rules: [{ protocol: 'anthropic', reply: { text: 'Claude streams too.', chunkSize: 3 } }],
    });
    const result = streamText({ model: claude(), prompt: 'stream please', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join('')).toBe('Claude streams too.');
    expect(deltas.length).toBe(7);
    expect(await result.usage).toMatchObject({ inputTokens: 4, outputTokens: 5 });

    const cut = streamText({ model: claude(), prompt: 'stream please', maxOutputTokens: 2, maxRetries: 0 });
    expect(await cut.text).toBe('Claude s');
    expect(await cut.finishReason).toBe('length');
  });

  it('sees streamed and non-streamed tool calls with their parsed input', async () => {
    server.setScript({
      rules: [
        { reply: { toolCalls: [{ name: 'weather', arguments: { city: 'Lima', days: 5 } }], chunkSize: 5 } },
      ],
    });
    const streamed = streamText({ model: claude(), prompt: 'weather?', tools: { weather }, maxRetries: 0 });
    expect(await streamed.toolCalls).toEqual([
      expect.objectContaining({ toolName: 'weather', input: { city: 'Lima', days: 5 } }),
    ]);
    expect(await streamed.finishReason).toBe('tool-calls');

    const whole = await generateText({
      model: claude(),
      prompt: 'weather?',
      tools: { weather },
      maxRetries: 0,
    });
    expect(whole.toolCalls).toEqual([
      expect.objectContaining({ toolName: 'weather', input: { city: 'Lima', days: 5 } }),
    ]);
  });

  it('runs a scripted agent loop: a tool call, the tool, then an answer from its result', async () => {
    server.setScript({
      rules: [
        { times: 1, reply: { toolCalls: [{ name: 'weather', arguments: { city: 'Rome', days: 1 } }] } },
      ],
    });
    const result = await generateText({
      model: claude(),
      prompt: 'weather in Rome?',
      tools: { weather },
      stopWhen: ({ steps }) => steps.length >= 3,
      maxRetries: 0,
    });
    expect(result.steps).toHaveLength(2);
    expect(result.text).toBe('Tool result: sunny in Rome');
  });
});
