/**
 * An agent killed mid-loop (SIGKILL of `switchyard serve`) resumes in a new process without
 * repeating a finished model call or tool call: only the call that was in flight runs again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockLlmServer, startMockLlmServer } from '../../src/llm/mock/mock-llm-server.ts';

let upstream: MockLlmServer;
let tools: Server;
let toolUrl: string;
const toolCalls: string[] = [];
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  upstream = await startMockLlmServer();
  // The first "Slow" lookup never answers: the process making it is killed meanwhile.
  tools = createServer((request, response) => {
    const city = new URL(request.url ?? '/', 'http://x').searchParams.get('city') ?? '';
    toolCalls.push(city);
    if (city === 'Slow' && toolCalls.filter((c) => c === 'Slow').length === 1) return;
    response.end(JSON.stringify({ city, ok: true }));
  });
  await new Promise<void>((resolve) => tools.listen(0, '127.0.0.1', resolve));
  toolUrl = `http://127.0.0.1:${(tools.address() as AddressInfo).port}/weather`;
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-agent-kill-'));
  writeFileSync(
    join(dataDir, 'llm.yaml'),
    `providers:\n  - { id: local, kind: openai-compatible, baseUrl: "${upstream.url}/v1" }\n` +
      'models:\n  - { id: thinker, provider: local, model: mock-thinker, local: true }\n',
  );
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  tools.closeAllConnections();
  await new Promise<void>((resolve) => tools.close(() => resolve()));
  await upstream.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function serve(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/switchyard.js', 'serve', '--port', '0'], {
    env: {
      ...process.env,
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_DATABASE_URL: '',
      SWITCHYARD_LLM_CONFIG: '',
      SWITCHYARD_LOG_LEVEL: 'warn',
      SWITCHYARD_RATE_LIMIT_API: '0',
      SWITCHYARD_SQLITE_SYNC: 'full',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 15_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)));
  });
  return { child, url };
}

async function api(url: string, token: string | null, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads answers field by field.
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

const until = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('an agent killed mid-loop', () => {
  it('resumes in a new process without repeating a finished model call or tool call', async () => {
    upstream.setScript({
      rules: [
        { times: 1, reply: { toolCalls: [{ name: 'lookup', arguments: { city: 'Fast' } }] } },
        { times: 1, reply: { toolCalls: [{ name: 'lookup', arguments: { city: 'Slow' } }] } },
      ],
    });
    const credentials = { email: 'owner@example.com', password: 'owner passphrase long' };
    const first = await serve();
    const token = (await api(first.url, null, 'POST', '/api/v1/auth/signup', credentials)).body.accessToken;
    await api(first.url, token, 'PATCH', '/api/v1/workspace', { outboundAllow: ['127.0.0.1'] });
    const definition = {
      format: 'switchyard/v1',
      name: 'agent',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'agent',
          type: 'agent',
          params: {
            model: 'thinker',
            prompt: 'Look both up.',
            maxSteps: 5,
            tools: [
              {
                kind: 'http',
                name: 'lookup',
                description: 'Look a city up.',
                parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
                url: toolUrl,
                timeoutMs: 60_000,
              },
            ],
          },
        },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'agent' },
        { from: 'agent', to: 'done' },
      ],
    };
    const created = await api(first.url, token, 'POST', '/api/v1/workflows', {
      id: 'killed-agent',
      definition,
    });
    expect(created.status).toBe(201);
    await api(first.url, token, 'POST', '/api/v1/workflows/killed-agent/versions', {});
    const modelCallsBefore = upstream.requests.length;
    const started = await api(first.url, token, 'POST', '/api/v1/workflows/killed-agent/executions', {
      input: {},
    });
    expect(started.status).toBe(202);

    await until(async () => (toolCalls.includes('Slow') ? true : undefined));
    expect(upstream.requests.length - modelCallsBefore).toBe(2);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await serve();
    const again = (await api(second.url, null, 'POST', '/api/v1/auth/login', credentials)).body.accessToken;
    const done = await until(async () => {
      const answer = await api(second.url, again, 'GET', `/api/v1/executions/${started.body.id}`);
      return ['succeeded', 'failed'].includes(answer.body.status) ? answer.body : undefined;
    });
    expect(done.error ?? null).toBeNull();
    expect(done.output).toMatchObject({ steps: 3 });
    expect(toolCalls).toEqual(['Fast', 'Slow', 'Slow']);
    expect(upstream.requests.length - modelCallsBefore).toBe(3);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }, 60_000);
});
