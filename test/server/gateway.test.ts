/**
 * The LLM gateway over real HTTP: the official `openai` client calls /v1 with a Switchyard API key;
 * upstream is the local server speaking the OpenAI and Anthropic protocols, scripted per test.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseLlmConfig } from '../../src/llm/config/load-llm-config.ts';
import { type MockLlmServer, startMockLlmServer } from '../../src/llm/mock/mock-llm-server.ts';
import { call, published, startServer, type TestServer, until } from './fixture.ts';

let upstream: MockLlmServer;
let server: TestServer;
let client: OpenAI;
let key: string;

beforeAll(async () => {
  upstream = await startMockLlmServer();
  const llm = parseLlmConfig(
    {
      providers: [
        { id: 'local', kind: 'openai-compatible', baseUrl: `${upstream.url}/v1` },
        {
          id: 'claude',
          kind: 'anthropic',
          baseUrl: `${upstream.url}/v1`,
          apiKeyEnv: 'SWITCHYARD_TEST_ANTHROPIC_KEY',
        },
      ],
      models: [
        {
          id: 'primary',
          provider: 'local',
          model: 'mock-primary',
          price: { inputPerMTok: 1, outputPerMTok: 2 },
        },
        {
          id: 'backup',
          provider: 'claude',
          model: 'mock-claude',
          price: { inputPerMTok: 3, outputPerMTok: 15 },
        },
        {
          id: 'on-prem',
          provider: 'local',
          model: 'mock-onprem',
          local: true,
          price: { inputPerMTok: 0, outputPerMTok: 0 },
        },
        { id: 'embed', provider: 'local', model: 'mock-embed', embedding: true, classes: ['embedding'] },
      ],
      routes: [
        { id: 'default', candidates: ['primary', 'backup'] },
        { id: 'private', select: { class: 'chat', privacy: 'private' } },
      ],
      retry: { maxAttempts: 2, baseMs: 10, maxMs: 50 },
      timeouts: { firstTokenMs: 2000, idleMs: 2000, totalMs: 10_000 },
    },
    'test',
  );
  process.env.SWITCHYARD_TEST_ANTHROPIC_KEY = 'upstream-key';
  server = await startServer({ maxWaitMs: 10_000 }, { llm });
  const created = await call(server, 'POST', '/api/v1/api-keys', {
    name: 'gateway',
    scopes: ['read', 'run'],
  });
  key = created.body.key;
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});
beforeEach(() => upstream.setScript({ rules: [] }));

const ledger = async () => {
  await server.deps.llm?.ledgerWritten();
  return (await server.deps.store.ledger.list('default', { limit: 500 })).items;
};

describe('the OpenAI-compatible endpoint', () => {
  it('answers a completion, accounts it in the ledger and says what it cost', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'primary', messages: [{ role: 'user', content: 'hello gateway' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Echo: hello gateway');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-model')).toBe('local/primary');
    const row = (await ledger()).find((entry) => entry.model === 'primary');
    expect(row).toMatchObject({ provider: 'local', status: 'succeeded', cacheHit: false });
    // 1 $/MTok in, 2 $/MTok out: exact integer micro-dollars.
    expect(row?.costMicros).toBe(row!.inputTokens * 1 + row!.outputTokens * 2);
    expect(Number(response.headers.get('x-switchyard-cost-usd'))).toBeCloseTo(row!.costMicros / 1e6, 9);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['primary', 'backup', 'on-prem', 'embed']);
  });

  it('streams, with the usage chunk, the same text the non-streamed call gives', async () => {
    upstream.setScript({
      rules: [{ reply: { text: 'A streamed answer in several pieces.', chunkSize: 3 } }],
    });
    const stream = await client.chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: unknown;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('A streamed answer in several pieces.');
    expect(chunks).toBeGreaterThan(5);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });
  });

  it('sends the first token at once, though the upstream sent the whole answer in one piece', async () => {
    upstream.setScript({ rules: [{ reply: { text: 'first second third fourth', chunkSize: 6 } }] });
    // Each write of the response, with what was still held in the process (not yet handed to the
    // kernel) when it was made.
    const writes: { readonly text: string; readonly heldBefore: number }[] = [];
    const spy = (request: IncomingMessage, response: ServerResponse) => {
      if (request.url !== '/v1/chat/completions') return;
      const write = response.write.bind(response) as (chunk: unknown, ...rest: unknown[]) => boolean;
      response.write = ((chunk: unknown, ...rest: unknown[]) => {
        writes.push({ text: String(chunk), heldBefore: response.socket?.writableLength ?? -1 });
        return write(chunk, ...rest);
      }) as typeof response.write;
    };
    server.app.server.prependListener('request', spy);
    try {
      const stream = await client.chat.completions.create({
        model: 'primary',
        messages: [{ role: 'user', content: 'one piece' }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('first second third fourth');
    } finally {
      server.app.server.off('request', spy);
    }
    // The first write holds the opening chunk and the first delta only, and had left the process
    // before the rest of the burst was written.
    expect(writes[0]?.text).toContain('"content":"first "');
    expect(writes[0]?.text).not.toContain('second');
    expect(writes[1]?.heldBefore).toBe(0);
    expect(writes.map((w) => w.text).join('')).toContain('data: [DONE]');
  });

  it('retries a 429 after Retry-After, then falls back to the next model when the first keeps failing', async () => {
    upstream.setScript({
      rules: [{ model: 'mock-primary', times: 1, reply: { error: { status: 429, retryAfterSeconds: 0 } } }],
    });
    const retried = await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'r1' }],
    });
    expect(retried.model).toBe('primary');

    upstream.setScript({ rules: [{ model: 'mock-primary', reply: { error: { status: 500 } } }] });
    const before = upstream.requests.length;
    const fell = await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'r2' }],
    });
    expect(fell.model).toBe('backup');
    expect(fell.choices[0]?.message.content).toBe('Echo: r2');
    const sent = upstream.requests.slice(before);
    expect(sent.map((r) => r.protocol)).toEqual(['openai', 'openai', 'anthropic']);
    expect(sent[2]?.headers['x-api-key']).toBe('upstream-key');
  });

  it('never passes off a stream that broke mid-way: the client gets an error, not a finish', async () => {
    upstream.setScript({ rules: [{ reply: { drop: 'mid-stream' } }] });
    const stream = await client.chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'cut' }],
      stream: true,
    });
    let finish: string | null = null;
    await expect(
      (async () => {
        for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
      })(),
    ).rejects.toThrow();
    expect(finish).toBeNull();
  });

  it('answers deterministic repeats from the cache, priced at zero', async () => {
    const ask = () =>
      client.chat.completions
        .create({ model: 'primary', temperature: 0, messages: [{ role: 'user', content: 'cache me' }] })
        .withResponse();
    const before = upstream.requests.length;
    const first = await ask();
    const second = await ask();
    expect(first.response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(second.response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect(upstream.requests.length - before).toBe(1);
    const hits = (await ledger()).filter((entry) => entry.cacheHit);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((entry) => entry.costMicros === 0)).toBe(true);
  });

  it('refuses a call that could break a budget, and lets no concurrent call slip past it', async () => {
    // Each call may cost 8 prompt tokens × 1 $/MTok + 40 output tokens × 2 $/MTok = 88 micro-dollars:
    // with the budget's 500 minus what is spent already, at most five calls can be in flight at once.
    const spentBefore = (await ledger()).reduce((sum, entry) => sum + entry.costMicros, 0);
    const budget = await call(server, 'PUT', '/api/v1/budgets', {
      period: 'day',
      limitUsd: (spentBefore + 500) / 1e6,
    });
    expect(budget.status).toBe(200);
    // Slow answers keep every call in flight together: settled spend cannot make room meanwhile.
    upstream.setScript({ rules: [{ reply: { text: 'ok', firstTokenDelayMs: 300 } }] });
    try {
      const attempts = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          client.chat.completions.create({
            model: 'primary',
            max_tokens: 40,
            messages: [{ role: 'user', content: `b${i}` }],
          }),
        ),
      );
      const refused = attempts.filter((a) => a.status === 'rejected');
      expect(attempts.length - refused.length).toBe(5);
      for (const failure of refused) {
        expect((failure as PromiseRejectedResult).reason).toMatchObject({ status: 402 });
      }
      const spent = (await ledger()).reduce((sum, entry) => sum + entry.costMicros, 0);
      expect(spent - spentBefore).toBeLessThanOrEqual(500);
      const problem = await call(server, 'POST', '/v1/chat/completions', {
        model: 'primary',
        max_tokens: 100_000,
        messages: [{ role: 'user', content: 'too dear' }],
      });
      expect(problem.status).toBe(402);
      expect(problem.body).toMatchObject({
        code: 'SY_LLM_BUDGET_EXCEEDED',
        error: { type: 'SY_LLM_BUDGET_EXCEEDED' },
      });
    } finally {
      await call(server, 'DELETE', `/api/v1/budgets/${budget.body.id}`);
    }
  });

  it('sends private data only to local models, and redacts PII on request', async () => {
    const before = upstream.requests.length;
    const answer = await client.chat.completions.create({
      model: 'private',
      messages: [{ role: 'user', content: 'my card is 4111 1111 1111 1111' }],
    });
    expect(answer.model).toBe('on-prem');
    expect(upstream.requests.slice(before).map((r) => r.model)).toEqual(['mock-onprem']);
  });

  it('refuses what it would silently ignore, and callers without the run permission', async () => {
    const n = await call(server, 'POST', '/v1/chat/completions', {
      model: 'primary',
      n: 2,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(n.status).toBe(400);
    expect(n.body.error.message).toBeTruthy();
    const readOnly = await call(server, 'POST', '/api/v1/api-keys', { name: 'ro', scopes: ['read'] });
    const refused = await call(
      server,
      'POST',
      '/v1/chat/completions',
      { model: 'primary', messages: [{ role: 'user', content: 'x' }] },
      { token: readOnly.body.key },
    );
    expect(refused.status).toBe(403);
    const anonymous = await call(server, 'GET', '/v1/models', undefined, { token: null });
    expect(anonymous.status).toBe(401);
  });

  it('carries a client-side tool loop: tool calls out, tool results back in', async () => {
    upstream.setScript({
      rules: [{ times: 1, reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] } }],
    });
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          description: 'Weather now',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const question = { role: 'user' as const, content: 'weather in Oslo?' };
    const first = await client.chat.completions.create({ model: 'primary', messages: [question], tools });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toEqual({
      city: 'Oslo',
    });

    const before = upstream.requests.length;
    const second = await client.chat.completions.create({
      model: 'primary',
      tools,
      messages: [
        question,
        { role: 'assistant', content: null, tool_calls: first.choices[0]!.message.tool_calls! },
        { role: 'tool', tool_call_id: call!.id, content: '{"celsius": 7}' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('Tool result: {"celsius": 7}');
    // Upstream saw the whole turn: the assistant's call and its result, tied by the call id.
    const sent = JSON.stringify(upstream.requests[before]?.body);
    expect(sent).toContain(`"tool_call_id":"${call!.id}"`);
    expect(sent).toContain('get_weather');
  });

  it('embeds through the configured embedding model', async () => {
    const result = await client.embeddings.create({ model: 'embed', input: ['one', 'two'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding.length).toBeGreaterThan(10);
  });
});

describe('the llm node', () => {
  it('streams tokens as events, records the decisions, and outputs answer, usage and cost', async () => {
    upstream.setScript({
      rules: [
        { model: 'mock-primary', times: 1, reply: { error: { status: 503 } } },
        { reply: { text: 'Paris is the capital of France.', chunkSize: 2 } },
      ],
    });
    const workflowId = await published(server, {
      format: 'switchyard/v1',
      name: 'ask',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'ask',
          type: 'llm',
          params: {
            route: 'default',
            system: 'Be brief.',
            prompt: 'Capital of {{ country }}?',
            pii: { input: ['email'] },
          },
        },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'ask' },
        { from: 'ask', to: 'done' },
      ],
    });
    const before = upstream.requests.length;
    const run = await call(server, 'POST', `/api/v1/workflows/${workflowId}/executions?wait=true`, {
      input: { country: 'France (ask ada@example.com)' },
    });
    expect(run.body.error ?? null).toBeNull();
    expect(run.body.status).toBe('succeeded');
    expect(run.body.output).toMatchObject({
      text: 'Paris is the capital of France.',
      model: 'primary',
      route: 'default',
      cached: false,
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
    });
    expect(run.body.output.decisions.map((d: { type: string }) => d.type)).toEqual([
      'attempt',
      'failed',
      'retry',
      'attempt',
      'succeeded',
    ]);
    const sent = JSON.stringify(upstream.requests.slice(before).map((r) => r.body));
    expect(sent).toContain('[EMAIL]');
    expect(sent).not.toContain('ada@example.com');

    const events = await until(async () => {
      const answer = await call(server, 'GET', `/api/v1/executions/${run.body.id}/events`);
      return typeof answer.body === 'string' && answer.body.includes('execution.finished')
        ? answer.body
        : undefined;
    });
    const deltas = [...events.matchAll(/"delta":"([^"]*)"/g)].map((m) => m[1]).join('');
    expect(deltas).toBe('Paris is the capital of France.');

    expect(events).toContain('"decision":{"type":"retry"');

    const usage = await call(server, 'GET', '/api/v1/usage?by=workflow');
    expect(usage.body.items.find((item: { key: string }) => item.key === workflowId)).toMatchObject({
      calls: 1,
    });
  });

  const single = (params: Record<string, unknown>) => ({
    format: 'switchyard/v1',
    name: 'single',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'ask', type: 'llm', params: { model: 'primary', ...params } },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'ask' },
      { from: 'ask', to: 'done' },
    ],
  });
  const runOnce = async (params: Record<string, unknown>) => {
    const workflowId = await published(server, single(params));
    return (await call(server, 'POST', `/api/v1/workflows/${workflowId}/executions?wait=true`, {})).body;
  };

  it('validates structured output against the schema, and fails clearly when the model cannot comply', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, population: { type: 'number' } },
      required: ['city', 'population'],
      additionalProperties: false,
    };
    upstream.setScript({ rules: [{ reply: { json: { city: 'Paris', population: 2_100_000 } } }] });
    const good = await runOnce({ prompt: 'facts', responseSchema: schema });
    expect(good.status).toBe('succeeded');
    expect(good.output.object).toEqual({ city: 'Paris', population: 2_100_000 });

    upstream.setScript({ rules: [{ reply: { text: 'I would rather not say.' } }] });
    const bad = await runOnce({ prompt: 'facts', responseSchema: schema });
    expect(bad.status).toBe('failed');
    expect(JSON.stringify(bad.error)).toContain('SY_LLM_OUTPUT_INVALID');
  });

  it('returns the tool calls the model asks for, with their parsed input', async () => {
    upstream.setScript({
      rules: [{ reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] } }],
    });
    // Through the Anthropic protocol this time (the earlier tests' failures have opened primary's circuit).
    const run = await runOnce({
      model: 'backup',
      prompt: 'weather in Oslo?',
      tools: [
        {
          name: 'get_weather',
          description: 'Weather now',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
    });
    expect(run.error ?? null).toBeNull();
    expect(run.output.finishReason).toBe('tool-calls');
    expect(run.output.toolCalls).toEqual([
      { id: expect.any(String), name: 'get_weather', input: { city: 'Oslo' } },
    ]);
  });
});
