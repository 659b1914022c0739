/**
 * Chat over real HTTP: conversations with a workflow whose entry is a `chat` node, messages stored
 * with their order and accounting, replies answered whole or streamed as Server-Sent Events. The
 * workflows answer without a model, except one that calls the local mock LLM through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLlmConfig } from '../../src/llm/config/load-llm-config.ts';
import { type MockLlmServer, startMockLlmServer } from '../../src/llm/mock/mock-llm-server.ts';
import { call, failing, hello, published, startServer, type TestServer } from './fixture.ts';

let upstream: MockLlmServer;
let server: TestServer;

beforeAll(async () => {
  upstream = await startMockLlmServer();
  const llm = parseLlmConfig(
    {
      providers: [{ id: 'local', kind: 'openai-compatible', baseUrl: `${upstream.url}/v1` }],
      models: [
        {
          id: 'talker',
          provider: 'local',
          model: 'mock-talker',
          price: { inputPerMTok: 1, outputPerMTok: 2 },
        },
      ],
      retry: { maxAttempts: 1, baseMs: 1, maxMs: 1 },
    },
    'test',
  );
  server = await startServer({ maxWaitMs: 10_000 }, { llm, settings: { signup: 'open' } });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

/** chat → transform: echoes the message, and says how much history came along. */
const echo = (params: Record<string, unknown> = {}) => ({
  format: 'switchyard/v1',
  name: 'echo',
  nodes: [
    { id: 'chat', type: 'chat', params },
    {
      id: 'answer',
      type: 'transform',
      params: { value: { text: 'You said: {{ message }}', history: '{{ history }}' } },
    },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'chat', to: 'answer' },
    { from: 'answer', to: 'done' },
  ],
});

/** chat → llm: the model sees the history, then the new message. */
const assistant = {
  format: 'switchyard/v1',
  name: 'assistant',
  nodes: [
    { id: 'chat', type: 'chat' },
    {
      id: 'ask',
      type: 'llm',
      params: {
        model: 'talker',
        system: 'Be kind.',
        messages: "{{ $append(history, [{ 'role': 'user', 'content': message }]) }}",
      },
    },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'chat', to: 'ask' },
    { from: 'ask', to: 'done' },
  ],
};

async function conversationWith(definition: unknown, title?: string): Promise<string> {
  const workflowId = await published(server, definition);
  const created = await call(server, 'POST', '/api/v1/conversations', {
    workflowId,
    ...(title ? { title } : {}),
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

const say = (conversationId: string, content: string, token?: string) =>
  call(
    server,
    'POST',
    `/api/v1/conversations/${conversationId}/messages`,
    { content },
    token ? { token } : {},
  );

interface SseEvent {
  readonly event: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read events field by field and assert on them.
  readonly data: any;
}

/** Posts with `?stream=true` and reads the whole stream (it ends after `done` or `error`). */
async function sayStreaming(conversationId: string, content: string): Promise<SseEvent[]> {
  const response = await fetch(`${server.url}/api/v1/conversations/${conversationId}/messages?stream=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [event, data] = block.split('\n');
      return { event: event!.slice('event: '.length), data: JSON.parse(data!.slice('data: '.length)) };
    });
}

const messagesOf = async (conversationId: string) =>
  (await call(server, 'GET', `/api/v1/conversations/${conversationId}/messages`)).body.items;

describe('conversations', () => {
  it('starts one only with a published workflow that has a chat trigger', async () => {
    const id = await conversationWith(echo(), 'Greetings');
    const got = await call(server, 'GET', `/api/v1/conversations/${id}`);
    expect(got.body).toMatchObject({ id, title: 'Greetings', createdBy: `user:${server.admin.userId}` });

    const noChat = await call(server, 'POST', '/api/v1/conversations', {
      workflowId: await published(server, hello),
    });
    expect(noChat.status).toBe(422);
    expect(noChat.body.code).toBe('SY_CHAT_NOT_ENABLED');
    const draft = await call(server, 'POST', '/api/v1/workflows', { definition: echo() });
    const unpublished = await call(server, 'POST', '/api/v1/conversations', { workflowId: draft.body.id });
    expect(unpublished.body.code).toBe('SY_WORKFLOW_NOT_PUBLISHED');
    const unknown = await call(server, 'POST', '/api/v1/conversations', { workflowId: 'nope' });
    expect(unknown.status).toBe(404);

    const newer = await conversationWith(echo());
    const listed = await call(server, 'GET', '/api/v1/conversations?limit=1');
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([newer]);
    const next = await call(server, 'GET', `/api/v1/conversations?limit=1&after=${listed.body.next}`);
    expect(next.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
  });

  it('answers a message with the reply, and gives the next message the exchange as history', async () => {
    const id = await conversationWith(echo({ historyMessages: 2 }));
    const first = await say(id, 'hello');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      executionId: expect.any(String),
      message: { seq: 1, role: 'user', content: 'hello', executionId: first.body.executionId },
      reply: {
        seq: 2,
        role: 'assistant',
        content: 'You said: hello',
        executionId: first.body.executionId,
        model: null,
        inputTokens: 0,
        costUsd: 0,
      },
    });
    const execution = await call(server, 'GET', `/api/v1/executions/${first.body.executionId}`);
    expect(execution.body.trigger).toEqual({ kind: 'chat', conversationId: id });

    const second = await say(id, 'again');
    expect(second.body.reply.content).toBe('You said: again');
    const run = await call(server, 'GET', `/api/v1/executions/${second.body.executionId}`);
    expect(run.body.output.history).toEqual([
      { role: 'user', content: 'hello', seq: 1 },
      { role: 'assistant', content: 'You said: hello', seq: 2 },
    ]);
    // The window is two messages: the third sees only the second exchange.
    const third = await say(id, 'once more');
    const later = await call(server, 'GET', `/api/v1/executions/${third.body.executionId}`);
    expect(later.body.output.history.map((m: { content: string }) => m.content)).toEqual([
      'again',
      'You said: again',
    ]);

    const page = await call(server, 'GET', `/api/v1/conversations/${id}/messages?limit=4`);
    expect(page.body.items.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4]);
    const rest = await call(server, 'GET', `/api/v1/conversations/${id}/messages?after=${page.body.next}`);
    expect(rest.body.items.map((m: { content: string }) => m.content)).toEqual([
      'once more',
      'You said: once more',
    ]);
    expect(rest.body.next).toBeUndefined();
  });

  it('streams a reply: started with the execution id, then the stored message, then done', async () => {
    const id = await conversationWith(echo());
    const events = await sayStreaming(id, 'stream me');
    expect(events.map((e) => e.event)).toEqual(['started', 'message', 'done']);
    expect(events[0]?.data).toMatchObject({
      executionId: expect.any(String),
      message: { seq: 1, content: 'stream me' },
    });
    expect(events[1]?.data).toMatchObject({ seq: 2, role: 'assistant', content: 'You said: stream me' });
    expect(await messagesOf(id)).toHaveLength(2);
  });

  it('stores no reply when the workflow fails, and says why', async () => {
    const broken = {
      ...failing,
      nodes: [{ id: 'chat', type: 'chat' }, failing.nodes[1]],
      edges: [{ from: 'chat', to: 'boom' }],
    };
    const id = await conversationWith(broken);
    const answer = await say(id, 'hello?');
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ code: 'SY_CHAT_REPLY_FAILED', executionId: expect.any(String) });
    expect(answer.body.detail).toContain('on purpose');
    const events = await sayStreaming(id, 'anyone?');
    expect(events.map((e) => e.event)).toEqual(['started', 'error']);
    expect(events[1]?.data).toMatchObject({ code: 'SY_CHAT_REPLY_FAILED' });
    expect((await messagesOf(id)).map((m: { role: string }) => m.role)).toEqual(['user', 'user']);
  });

  it("keeps another workspace's conversations out of reach", async () => {
    const id = await conversationWith(echo());
    await say(id, 'mine');
    const other = await call(
      server,
      'POST',
      '/api/v1/auth/signup',
      { email: 'other@example.com', password: 'another long passphrase' },
      { token: null },
    );
    const token = other.body.accessToken as string;
    const as = (method: string, path: string, body?: unknown) => call(server, method, path, body, { token });
    expect((await as('GET', '/api/v1/conversations')).body.items).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `/api/v1/conversations/${id}`],
      ['GET', `/api/v1/conversations/${id}/messages`],
      ['POST', `/api/v1/conversations/${id}/messages`, { content: 'hi' }],
      ['DELETE', `/api/v1/conversations/${id}`],
    ] as const) {
      const answer = await as(method, path, body);
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('SY_CONVERSATION_NOT_FOUND');
    }
    expect(await messagesOf(id)).toHaveLength(2);
  });

  it('deletes a conversation with its messages', async () => {
    const id = await conversationWith(echo());
    await say(id, 'forget me');
    expect((await call(server, 'DELETE', `/api/v1/conversations/${id}`)).status).toBe(204);
    expect((await call(server, 'GET', `/api/v1/conversations/${id}`)).status).toBe(404);
    expect((await call(server, 'GET', `/api/v1/conversations/${id}/messages`)).status).toBe(404);
    expect((await server.deps.store.conversations.messages('default', id, { limit: 10 })).items).toEqual([]);
  });
});

describe('a chat with a model', () => {
  it('streams the answer as deltas, stores it with tokens and model, and sends the history next time', async () => {
    upstream.setScript({
      rules: [
        { contains: 'again', reply: { text: 'Still here, still listening.', chunkSize: 4 } },
        { reply: { text: 'Hello there, it is good to meet you.', chunkSize: 3 } },
      ],
    });
    const id = await conversationWith(assistant);
    const events = await sayStreaming(id, 'hi model');
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('started');
    expect(names.slice(-2)).toEqual(['message', 'done']);
    expect(names.filter((n) => n === 'delta').length).toBeGreaterThan(0);
    const streamed = events
      .filter((e) => e.event === 'delta')
      .map((e) => e.data.text)
      .join('');
    const stored = events.find((e) => e.event === 'message')?.data;
    expect(streamed).toBe('Hello there, it is good to meet you.');
    expect(stored).toMatchObject({
      role: 'assistant',
      content: streamed,
      model: 'talker',
      inputTokens: expect.any(Number),
      outputTokens: expect.any(Number),
    });
    expect(stored.inputTokens).toBeGreaterThan(0);
    expect(stored.outputTokens).toBeGreaterThan(0);
    expect(stored.costUsd).toBeGreaterThan(0);

    const before = upstream.requests.length;
    const second = await say(id, 'hi again');
    expect(second.body.reply).toMatchObject({ content: 'Still here, still listening.', model: 'talker' });
    const sent = upstream.requests.slice(before).map((r) => r.body as { messages: unknown[] });
    expect(sent[0]?.messages).toEqual([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'hi model' },
      { role: 'assistant', content: 'Hello there, it is good to meet you.' },
      { role: 'user', content: 'hi again' },
    ]);
  });

  it('keeps a running summary with the conversation: what falls out of the window is folded in once', async () => {
    upstream.setScript({ rules: [] });
    const remembering = {
      format: 'switchyard/v1',
      name: 'remembering',
      nodes: [
        { id: 'chat', type: 'chat', params: { historyMessages: 2 } },
        {
          id: 'agent',
          type: 'agent',
          params: {
            model: 'talker',
            prompt: '{{ message }}',
            memory: {
              history: '{{ history }}',
              summary: '{{ summary }}',
              earlier: '{{ earlier }}',
              conversationId: '{{ conversationId }}',
              summarize: true,
            },
          },
        },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'chat', to: 'agent' },
        { from: 'agent', to: 'done' },
      ],
    };
    const id = await conversationWith(remembering);
    await say(id, 'one');
    await say(id, 'two');
    expect((await call(server, 'GET', `/api/v1/conversations/${id}`)).body.summary ?? null).toBeNull();

    // Four messages stored, the window holds two: the first exchange is summarised and kept.
    const before = upstream.requests.length;
    await say(id, 'three');
    const summarised = upstream.requests.slice(before).map((r) => JSON.stringify(r.body));
    expect(summarised[0]).toContain('user: one');
    const stored = (await call(server, 'GET', `/api/v1/conversations/${id}`)).body.summary;
    expect(stored).toMatchObject({ throughSeq: 2, text: expect.stringContaining('Echo:') });

    // The next turn folds in only what is new (messages 3 and 4), on top of the stored summary.
    const next = upstream.requests.length;
    await say(id, 'four');
    const folded = upstream.requests.slice(next).map((r) => JSON.stringify(r.body));
    expect(folded[0]).toContain('Summary so far:');
    expect(folded[0]).toContain('user: two');
    // The first exchange only inside the stored summary (the scripted model echoes), not again.
    expect(folded[0]?.split('user: one').length).toBe(2);
    expect((await server.deps.store.conversations.get('default', id))?.summaryThroughSeq).toBe(4);
  });
});
