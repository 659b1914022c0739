/** `switchyard serve` as a user starts it: a child process on a fresh data directory that answers and stops cleanly. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { slowHookWorkflow } from './fixture.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function serve(
  args: string[],
  command: 'node' | 'npm start' = 'node',
  dataDir = freshDir(),
  nodeArgs: string[] = [],
) {
  const env = {
    ...process.env,
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_DATABASE_URL: '',
    SWITCHYARD_MASTER_KEY: '',
    SWITCHYARD_MASTER_KEYS: '',
    SWITCHYARD_MASTER_KEY_FILE: '',
    PORT: '',
  };
  // `npm start` is the README's main command: npm runs it in its own process group, killed whole.
  const child =
    command === 'node'
      ? spawn(process.execPath, [...nodeArgs, 'bin/switchyard.js', 'serve', ...args], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn('npm', ['start', '--', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 15_000);
    child.stdout?.on('data', () => {
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, listening, exited, output: () => output };
}

function freshDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-serve-'));
  dirs.push(dataDir);
  return dataDir;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them.
async function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('switchyard serve', () => {
  it('creates the master key beside the database (0600), says so once, and opens the vault after a restart', async () => {
    const dataDir = freshDir();
    const first = serve(['--port', '0'], 'node', dataDir);
    const url = await first.listening;
    expect(first.output()).toContain(
      `created a master key for the credential vault at ${join(dataDir, 'master.key')}`,
    );
    expect(first.output()).toContain('no accounts yet');
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    const credentials = { email: 'owner@example.com', password: 'owner passphrase long' };
    const signup = await post(`${url}/api/v1/auth/signup`, credentials);
    expect(signup.status).toBe(201);
    const created = await post(
      `${url}/api/v1/credentials`,
      { name: 'kept', type: 'bearer', data: { token: 'survives-restarts' } },
      signup.body.accessToken,
    );
    expect(created.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = serve(['--port', '0'], 'node', dataDir);
    const again = await second.listening;
    expect(second.output()).not.toContain('created a master key');
    expect(second.output()).not.toContain('no accounts yet');
    const login = await post(`${again}/api/v1/auth/login`, credentials);
    expect(login.status).toBe(200);
    const listed = await fetch(`${again}/api/v1/credentials`, {
      headers: { authorization: `Bearer ${login.body.accessToken}` },
    });
    expect(
      ((await listed.json()) as { items: { name: string }[] }).items.map((c: { name: string }) => c.name),
    ).toEqual(['kept']);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('starts on a free port, answers /healthz and /readyz, prints the docs URL, and stops on SIGTERM', async () => {
    const server = serve(['--port', '0']);
    const url = await server.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).toContain(`docs ${url}/api/v1/docs`);
    expect(server.output()).toMatch(/ready in \d+ ms/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', backend: 'sqlite' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it("the README's main command, `npm start`, answers /readyz", async () => {
    const server = serve(['--port', '0'], 'npm start');
    const url = await server.listening;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', backend: 'sqlite' });
    process.kill(-server.child.pid!, 'SIGTERM');
    await server.exited;
  });

  it("stops loudly, exit 69, when the store's thread dies, so that a supervisor starts it again", async () => {
    const server = serve(['--port', '0'], 'node', freshDir(), ['--inspect=127.0.0.1:0']);
    await server.listening;
    const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(server.output())?.[1];
    expect(inspector).toBeDefined();
    await exitStoreThread(inspector as string, 3);
    expect(await server.exited).toBe(69);
    expect(server.output()).toContain("switchyard: the store's thread has stopped (exit 3); stopping");
  });

  it('stops at once on SIGTERM when a webhook caller that was waiting for its answer has gone', async () => {
    const server = serve(['--port', '0']);
    const url = await server.listening;
    await slowWebhookWorkflow(url);
    const caller = new AbortController();
    const call = fetch(`${url}/hooks/slow-answer/slow`, { ...SLOW_CALL, signal: caller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    caller.abort();
    await expect(call).rejects.toThrow();
    const stopping = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // Before: the process stayed until the webhook's timeout (here 120 s) gave up on the answer.
    expect(performance.now() - stopping).toBeLessThan(5_000);
  });

  it('tells a webhook caller still waiting at a stop its execution, which goes on after a restart', async () => {
    const dataDir = freshDir();
    const server = serve(['--port', '0'], 'node', dataDir);
    const url = await server.listening;
    await slowWebhookWorkflow(url);
    const call = fetch(`${url}/hooks/slow-answer/slow`, SLOW_CALL);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopping = performance.now();
    server.child.kill('SIGTERM');
    const answer = await call;
    expect(answer.status).toBe(503);
    const problem = (await answer.json()) as { code: string; executionId: string };
    expect(problem.code).toBe('SY_SERVER_STOPPING');
    expect(answer.headers.get('location')).toBe(`/api/v1/executions/${problem.executionId}`);
    expect(await server.exited).toBe(0);
    // Half the stop's grace for the workflow to answer, then the caller is let go.
    expect(performance.now() - stopping).toBeLessThan(9_000);

    const again = serve(['--port', '0'], 'node', dataDir);
    const restarted = await again.listening;
    const login = await post(`${restarted}/api/v1/auth/login`, OWNER);
    const execution = await fetch(`${restarted}/api/v1/executions/${problem.executionId}`, {
      headers: { authorization: `Bearer ${login.body.accessToken}` },
    });
    expect(((await execution.json()) as { status: string }).status).toBe('running');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('stops at once on SIGTERM while a client holds a connection it has sent nothing on', async () => {
    const server = serve(['--port', '0']);
    const { port } = new URL(await server.listening);
    // What a browser's speculative connection looks like to the server.
    const silent = connect(Number(port), '127.0.0.1');
    await once(silent, 'connect');
    const closedByServer = once(silent, 'close');
    const stopping = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await closedByServer;
    // Before: Node's close waited for the connection's headers timeout (a minute) to end it.
    expect(performance.now() - stopping).toBeLessThan(5_000);
  });

  it('refuses a port that is not a number', async () => {
    const server = serve(['--port', 'eighty']);
    await expect(server.listening).rejects.toThrow(/exited with 64/);
    expect(server.output()).toContain('SY_CLI_USAGE');
  });
});

const OWNER = { email: 'owner@example.com', password: 'owner passphrase long' };
const SLOW_CALL = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };

/** Signs up and publishes a webhook workflow that answers only after two minutes. */
async function slowWebhookWorkflow(url: string): Promise<void> {
  const token = (await post(`${url}/api/v1/auth/signup`, OWNER)).body.accessToken;
  const definition = slowHookWorkflow(120_000, 120_000);
  expect((await post(`${url}/api/v1/workflows`, { id: 'slow-answer', definition }, token)).status).toBe(201);
  expect((await post(`${url}/api/v1/workflows/slow-answer/versions`, {}, token)).status).toBe(201);
}

/** Ends the store's thread of a process from inside, as a crash would, through its inspector. */
async function exitStoreThread(inspectorUrl: string, code: number): Promise<void> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  const detached = new Promise<void>((resolve) => {
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      if (message.method === 'NodeWorker.detachedFromWorker') resolve();
      if (message.method !== 'NodeWorker.attachedToWorker') return;
      if (!message.params.workerInfo.url.includes('store-thread')) return;
      const evaluate = { id: 1, method: 'Runtime.evaluate', params: { expression: `process.exit(${code})` } };
      const params = { sessionId: message.params.sessionId, message: JSON.stringify(evaluate) };
      socket.send(JSON.stringify({ id: 2, method: 'NodeWorker.sendMessageToWorker', params }));
    };
  });
  socket.send(
    JSON.stringify({ id: 1, method: 'NodeWorker.enable', params: { waitForDebuggerOnStart: false } }),
  );
  await detached;
  // A process being inspected waits for its debugger to leave before it exits.
  socket.close();
}
