/** Scripted faults and pacing as real clients meet them: error statuses, slow and stalled streams, resets. */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockLlmServer, startMockLlmServer } from './mock-llm-server.ts';

let server: MockLlmServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startMockLlmServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.setScript({ rules: [] }));

const request = { model: 'mock-small', messages: [{ role: 'user' as const, content: 'hi' }] };

async function collect(
  stream: AsyncIterable<OpenAI.ChatCompletionChunk>,
  seen: OpenAI.ChatCompletionChunk[],
) {
  for await (const chunk of stream) seen.push(chunk);
}

const textOf = (chunks: readonly OpenAI.ChatCompletionChunk[]) =>
  chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

describe('error statuses', () => {
  it('answers 429 with Retry-After in OpenAI shape; with `times`, only the first requests', async () => {
    server.setScript({ rules: [{ times: 2, reply: { error: { status: 429, retryAfterSeconds: 7 } } }] });
    for (let i = 0; i < 2; i++) {
      const error: unknown = await client.chat.completions.create(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
      expect(rateLimit.status).toBe(429);
      expect(rateLimit.headers?.get('retry-after')).toBe('7');
      expect(rateLimit.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    }
    const third = await client.chat.completions.create(request);
    expect(third.choices[0]?.message.content).toBe('Echo: hi');
  });

  it('answers 500 and custom errors in each protocol shape', async () => {
    server.setScript({
      rules: [
        { protocol: 'openai', reply: { error: { status: 500 } } },
        { protocol: 'anthropic', reply: { error: { status: 529, message: 'busy', retryAfterSeconds: 1 } } },
      ],
    });
    await expect(client.chat.completions.create(request)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'mock-claude', max_tokens: 10, messages: request.messages }),
    });
    expect(response.status).toBe(529);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'busy' },
    });
  });
});

describe('pacing', () => {
  it('delays the first token, after the headers', async () => {
    server.setScript({ rules: [{ reply: { text: 'slow start', firstTokenDelayMs: 150 } }] });
    const started = performance.now();
    const stream = await client.chat.completions.create({ ...request, stream: true });
    const headersAt = performance.now() - started;
    let firstTokenAt = 0;
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      if (firstTokenAt === 0 && chunk.choices[0]?.delta.content) firstTokenAt = performance.now() - started;
      chunks.push(chunk);
    }
    expect(textOf(chunks)).toBe('slow start');
    expect(firstTokenAt).toBeGreaterThanOrEqual(145);
    expect(headersAt).toBeLessThan(firstTokenAt);

    const wholeStarted = performance.now();
    await client.chat.completions.create(request);
    expect(performance.now() - wholeStarted).toBeGreaterThanOrEqual(145);
  });

  it('spaces deltas by chunkDelayMs and resumes after a bounded stall', async () => {
    server.setScript({
      rules: [
        { reply: { text: 'abcdefgh', chunkSize: 2, chunkDelayMs: 20, stallAfterChunks: 2, stallMs: 100 } },
      ],
    });
    const started = performance.now();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    await collect(await client.chat.completions.create({ ...request, stream: true }), chunks);
    expect(textOf(chunks)).toBe('abcdefgh');
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 20 + 100 - 5);
  });

  it('stalls mid-stream until the client gives up, and serves on', async () => {
    server.setScript({
      rules: [{ times: 1, reply: { text: 'abcdefghijkl', chunkSize: 2, stallAfterChunks: 2 } }],
    });
    const controller = new AbortController();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    const stream = await client.chat.completions.create(
      { ...request, stream: true },
      { signal: controller.signal },
    );
    const started = performance.now();
    setTimeout(() => controller.abort(), 200);
    // The client ends its iteration quietly on abort: what tells is the time it took and the missing finish.
    await collect(stream, chunks).catch(() => undefined);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(textOf(chunks)).toBe('abcd');
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    expect((await client.chat.completions.create(request)).choices[0]?.message.content).toBe('Echo: hi');
  });
});

describe('dropped connections', () => {
  it('drops a stream midway: part of the text, then an error, never a finish', async () => {
    server.setScript({ rules: [{ reply: { drop: 'mid-stream', chunkSize: 1 } }] });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    await expect(
      collect(await client.chat.completions.create({ ...request, stream: true }), chunks),
    ).rejects.toThrow();
    expect(textOf(chunks).length).toBeGreaterThan(0);
    expect(textOf(chunks).length).toBeLessThan('Echo: hi'.length);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
  });

  it('drops a non-streamed answer midway, and a request before any header', async () => {
    server.setScript({
      rules: [{ times: 1, reply: { drop: 'mid-stream' } }, { reply: { drop: 'before-headers' } }],
    });
    await expect(client.chat.completions.create(request)).rejects.toThrow();
    await expect(client.chat.completions.create(request)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    await expect(client.embeddings.create({ model: 'mock-embed', input: 'x' })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
  });

  it('close() ends streams that stall forever', async () => {
    const other = await startMockLlmServer({
      script: { rules: [{ reply: { text: 'abc', stallAfterChunks: 0 } }] },
    });
    const stalled = new OpenAI({ baseURL: `${other.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    const reading = collect(await stalled.chat.completions.create({ ...request, stream: true }), chunks);
    await other.close();
    await expect(reading).rejects.toThrow();
  });
});
