import { describe, expect, it } from 'vitest';
import type { ProviderModel } from '../providers/model-factory.ts';
import { ProviderFailure } from '../reliability/retry-policy.ts';
import { type Attempt, callModel } from './call-model.ts';
import type { CallOptions } from './model-call-options.ts';
import type { LlmRequest } from './types.ts';

type Generated = Awaited<ReturnType<ProviderModel['doGenerate']>>;
type StreamPart =
  Awaited<ReturnType<ProviderModel['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;

const USAGE = {
  inputTokens: { total: 12, noCache: 10, cacheRead: 2, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
} as Generated['usage'];
const STOP = { unified: 'stop', raw: 'stop' } as const;
const TIMEOUTS = { firstTokenMs: 50, idleMs: 50, totalMs: 100 };

/** A provider model answering with `generate` (plain calls) or the parts of `stream`; it records the options it got. */
function fakeModel(behaviour: {
  generate?: (options: CallOptions) => Promise<Partial<Generated>>;
  stream?: (options: CallOptions) => Promise<StreamPart[]>;
}) {
  const calls: CallOptions[] = [];
  const model = {
    specificationVersion: 'v4',
    provider: 'fake',
    modelId: 'fake-model',
    supportedUrls: {},
    doGenerate: async (options: CallOptions) => {
      calls.push(options);
      return {
        content: [],
        finishReason: STOP,
        usage: USAGE,
        warnings: [],
        ...(await behaviour.generate!(options)),
      };
    },
    doStream: async (options: CallOptions) => {
      calls.push(options);
      const parts = await behaviour.stream!(options);
      return {
        stream: new ReadableStream<StreamPart>({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  } as unknown as ProviderModel;
  return { model, calls };
}

const never = (options: CallOptions) =>
  new Promise<never>((_resolve, reject) => {
    options.abortSignal?.addEventListener('abort', () => reject(options.abortSignal?.reason));
  });

function call(
  model: ProviderModel,
  request: Partial<LlmRequest> = {},
  extra: { onDelta?: (text: string) => void; signal?: AbortSignal } = {},
): Promise<Attempt> {
  return callModel({
    model,
    request: { messages: [{ role: 'user', content: 'hi' }], ...request },
    messages: request.messages ?? [{ role: 'user', content: 'hi' }],
    maxOutputTokens: 64,
    timeouts: TIMEOUTS,
    signal: extra.signal ?? new AbortController().signal,
    ...(extra.onDelta ? { onDelta: extra.onDelta } : {}),
  });
}

describe('a plain call', () => {
  it('joins the text, parses tool inputs (keeping what is not JSON as text) and maps usage', async () => {
    const { model } = fakeModel({
      generate: async () => ({
        content: [
          { type: 'reasoning', text: 'hidden' },
          { type: 'text', text: 'Hello, ' },
          { type: 'text', text: 'world' },
          { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Oslo"}' },
          { type: 'tool-call', toolCallId: 'c2', toolName: 'noop', input: '' },
          { type: 'tool-call', toolCallId: 'c3', toolName: 'broken', input: '{"city":' },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      }),
    });
    expect(await call(model)).toEqual({
      text: 'Hello, world',
      toolCalls: [
        { id: 'c1', name: 'weather', input: { city: 'Oslo' } },
        { id: 'c2', name: 'noop', input: {} },
        { id: 'c3', name: 'broken', input: '{"city":' },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 12, outputTokens: 5, cachedInputTokens: 2 },
    });
  });

  it('is a failure, never an answer, when the model did not say it finished', async () => {
    const { model } = fakeModel({
      generate: async () => ({ finishReason: { unified: 'other', raw: undefined } }),
    });
    await expect(call(model)).rejects.toBeInstanceOf(ProviderFailure);
  });

  it('parses the structured output, refusing text that is not JSON and prototype keys', async () => {
    let text = '{"city":"Paris"}';
    const { model, calls } = fakeModel({ generate: async () => ({ content: [{ type: 'text', text }] }) });
    const schema = { type: 'object' };
    expect((await call(model, { responseSchema: schema })).object).toEqual({ city: 'Paris' });
    expect(calls[0]?.responseFormat).toEqual({ type: 'json', schema });
    for (text of ['not JSON', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}']) {
      await expect(call(model, { responseSchema: schema })).rejects.toMatchObject({
        code: 'SY_LLM_OUTPUT_INVALID',
      });
    }
  });

  it('checks the structured output against the schema, naming what does not fit', async () => {
    let text = '{"city":"Paris","population":2100000}';
    const { model } = fakeModel({ generate: async () => ({ content: [{ type: 'text', text }] }) });
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, population: { type: 'integer', minimum: 0 } },
      required: ['city', 'population'],
      additionalProperties: false,
    };
    expect((await call(model, { responseSchema: schema })).object).toEqual({
      city: 'Paris',
      population: 2_100_000,
    });
    for (const wrong of [
      '{"city":5,"population":1}',
      '{"city":"Paris"}',
      '{"city":"Paris","population":1,"mayor":"x"}',
    ]) {
      text = wrong;
      const error = await call(model, { responseSchema: schema }).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'SY_LLM_OUTPUT_INVALID', retryable: true });
      expect((error as Error).message).toMatch(/does not fit the schema: answer/);
    }
  });

  it('times out after totalMs, and a cancelled caller cancels the upstream request', async () => {
    const { model, calls } = fakeModel({ generate: never });
    await expect(call(model)).rejects.toMatchObject({ code: 'SY_LLM_TIMEOUT' });
    const caller = new AbortController();
    const pending = call(model, {}, { signal: caller.signal });
    caller.abort(new Error('the client went away'));
    await expect(pending).rejects.toThrow('the client went away');
    expect(calls[1]?.abortSignal?.aborted).toBe(true);
  });
});

describe('a streamed call', () => {
  it('forwards the non-empty deltas and answers with their text, tool calls and usage', async () => {
    const { model } = fakeModel({
      stream: async () => [
        { type: 'stream-start', warnings: [] },
        { type: 'text-delta', id: 't', delta: 'Hel' },
        { type: 'text-delta', id: 't', delta: '' },
        { type: 'text-delta', id: 't', delta: 'lo' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Oslo"}' },
        { type: 'finish', finishReason: STOP, usage: USAGE },
      ],
    });
    const deltas: string[] = [];
    const attempt = await call(model, {}, { onDelta: (text) => deltas.push(text) });
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(attempt).toMatchObject({
      text: 'Hello',
      toolCalls: [{ id: 'c1', name: 'weather', input: { city: 'Oslo' } }],
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 5, cachedInputTokens: 2 },
    });
  });

  it('fails on an error part, and on a stream that ends without its finish', async () => {
    const failing = fakeModel({
      stream: async () => [{ type: 'error', error: new Error('upstream broke') }],
    });
    await expect(call(failing.model, {}, { onDelta: () => {} })).rejects.toThrow('upstream broke');
    const cut = fakeModel({ stream: async () => [{ type: 'text-delta', id: 't', delta: 'Hel' }] });
    await expect(call(cut.model, {}, { onDelta: () => {} })).rejects.toBeInstanceOf(ProviderFailure);
  });

  it('counts the wait for the response headers in the first-token timeout, and cancels the request', async () => {
    const { model, calls } = fakeModel({ stream: never });
    await expect(call(model, {}, { onDelta: () => {} })).rejects.toMatchObject({
      code: 'SY_LLM_TIMEOUT',
      details: { timeout: 'first-chunk' },
    });
    expect(calls[0]?.abortSignal?.aborted).toBe(true);
  });
});
