/** The mock's OpenAI protocol as the official `openai` client sees it, over real HTTP. */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embed } from './embeddings.ts';
import { type MockLlmServer, startMockLlmServer } from './mock-llm-server.ts';

let server: MockLlmServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startMockLlmServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.setScript({ rules: [] }));

const ask = (content: string) => [{ role: 'user' as const, content }];

describe('chat completions', () => {
  it('answers deterministically by default, with usage, and records the request', async () => {
    const completion = await client.chat.completions.create({
      model: 'mock-small',
      messages: ask('hello there'),
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Echo: hello there' });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 });
    expect(server.requests.at(-1)).toMatchObject({
      path: '/v1/chat/completions',
      model: 'mock-small',
      protocol: 'openai',
      stream: false,
      body: { messages: [{ role: 'user', content: 'hello there' }] },
    });
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer x');
  });

  it('streams deltas, a finish reason, a usage chunk and [DONE], counting as the non-streamed answer does', async () => {
    server.setScript({
      rules: [{ contains: 'story', reply: { text: 'Once upon a time, a mock.', chunkSize: 3 } }],
    });
    const stream = await client.chat.completions.create({
      model: 'mock-large',
      messages: ask('tell a story'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Once upon a time, a mock.');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBe(9);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    const whole = await client.chat.completions.create({
      model: 'mock-large',
      messages: ask('tell a story'),
    });
    expect(last?.usage).toEqual(whole.usage);
    expect(last?.usage?.completion_tokens).toBe(7);
  });

  it('streams tool calls whose arguments assemble into JSON', async () => {
    server.setScript({
      rules: [
        {
          model: 'mock-*',
          reply: {
            toolCalls: [
              { name: 'get_weather', arguments: { city: 'Paris', units: 'celsius' } },
              { name: 'get_time', arguments: { zone: 'Europe/Paris' } },
            ],
          },
        },
      ],
    });
    const stream = await client.chat.completions.create({
      model: 'mock-small',
      messages: ask('weather?'),
      stream: true,
    });
    const calls: Array<{ id: string; name: string; arguments: string }> = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      finish = chunk.choices[0]?.finish_reason ?? finish;
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        calls[delta.index] ??= { id: '', name: '', arguments: '' };
        const call = calls[delta.index]!;
        call.id += delta.id ?? '';
        call.name += delta.function?.name ?? '';
        call.arguments += delta.function?.arguments ?? '';
      }
    }
    expect(finish).toBe('tool_calls');
    expect(calls.map((call) => [call.name, JSON.parse(call.arguments)])).toEqual([
      ['get_weather', { city: 'Paris', units: 'celsius' }],
      ['get_time', { zone: 'Europe/Paris' }],
    ]);
    expect(calls[0]?.id).toMatch(/^call_/);
    expect(calls[0]?.id).not.toBe(calls[1]?.id);

    const whole = await client.chat.completions.create({ model: 'mock-small', messages: ask('weather?') });
    expect(whole.choices[0]?.finish_reason).toBe('tool_calls');
    const toolCall = whole.choices[0]?.message.tool_calls?.[0];
    expect(toolCall?.type === 'function' && JSON.parse(toolCall.function.arguments)).toEqual({
      city: 'Paris',
      units: 'celsius',
    });
  });

  it('truncates at max_tokens with finish reason length', async () => {
    const completion = await client.chat.completions.create({
      model: 'mock-small',
      messages: ask('a rather long question'),
      max_completion_tokens: 2,
    });
    expect(completion.choices[0]?.message.content).toBe('Echo: a ');
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(2);
  });

  it('answers structured-output requests with JSON: the scripted value, else one fitting the schema', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' }, tags: { type: 'array' } },
      required: ['name', 'age', 'tags'],
      additionalProperties: false,
    };
    const request = {
      model: 'mock-small',
      messages: ask('extract'),
      response_format: {
        type: 'json_schema' as const,
        json_schema: { name: 'person', schema, strict: true },
      },
    };
    const sampled = await client.chat.completions.create(request);
    expect(JSON.parse(sampled.choices[0]?.message.content ?? '')).toEqual({ name: 'mock', age: 0, tags: [] });
    server.setScript({ rules: [{ reply: { json: { name: 'Ada', age: 36, tags: ['math'] } } }] });
    const scripted = await client.chat.completions.create(request);
    expect(JSON.parse(scripted.choices[0]?.message.content ?? '')).toEqual({
      name: 'Ada',
      age: 36,
      tags: ['math'],
    });
  });

  it('answers a conversation ending in tool results from those results', async () => {
    const completion = await client.chat.completions.create({
      model: 'mock-small',
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '21°C' },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('Tool result: 21°C');
  });

  it('rejects malformed JSON with 400 and unknown paths with 404, in OpenAI error shape', async () => {
    const malformed = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{"model":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.any(String) },
    });
    const missing = await fetch(`${server.url}/v1/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: { message: expect.stringContaining('/v1/nowhere') },
    });
    await expect(
      client.chat.completions.create({ model: 'mock-small', messages: 'no' as never }),
    ).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('embeddings and models', () => {
  it('embeds deterministically into unit vectors, as base64 (the client default) or floats', async () => {
    const result = await client.embeddings.create({ model: 'mock-embed', input: ['alpha', 'beta', 'alpha'] });
    expect(result.object).toBe('list');
    expect(result.data.map((item) => item.index)).toEqual([0, 1, 2]);
    const [alpha, beta, again] = result.data.map((item) => item.embedding);
    expect(alpha).toHaveLength(256);
    expect(again).toEqual(alpha);
    expect(beta).not.toEqual(alpha);
    expect(Math.hypot(...(alpha ?? []))).toBeCloseTo(1, 5);
    expect(alpha).toEqual(Array.from(embed('alpha')));
    expect(result.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });

    const floats = await client.embeddings.create({
      model: 'mock-embed',
      input: 'alpha',
      dimensions: 8,
      encoding_format: 'float',
    });
    expect(floats.data[0]?.embedding).toEqual(Array.from(embed('alpha', 8)));
  });

  it('lists the default models and those the script names', async () => {
    server.setScript({
      rules: [
        { model: 'gpt-scripted', reply: { text: 'hi' } },
        { model: 'mock-*', reply: { echo: true } },
      ],
    });
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['mock-small', 'mock-large', 'gpt-scripted']));
    expect(ids).not.toContain('mock-*');
  });
});
