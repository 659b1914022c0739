/** `switchyard mock-llm` as a user runs it: a child process that announces its URL, serves, and stops on SIGTERM. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../..', import.meta.url).pathname;

describe('switchyard mock-llm', () => {
  it('serves a scripted answer on a free port and exits 0 on SIGTERM', async () => {
    const script = join(mkdtempSync(join(tmpdir(), 'switchyard-mock-')), 'script.yaml');
    writeFileSync(script, 'rules:\n  - contains: ping\n    reply: { text: pong }\n');
    const child = spawn(
      process.execPath,
      ['bin/switchyard.js', 'mock-llm', '--port', '0', '--script', script],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = once(child, 'exit');
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data;
    });
    for await (const data of child.stdout) {
      stdout += data;
      if (stdout.includes('\n')) break;
    }
    const url = /mock LLM listening on (http:\/\/\S+) \(OpenAI: \/v1, Anthropic: \/v1\/messages\)/.exec(
      stdout,
    )?.[1];
    expect(url, stderr).toBeDefined();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'mock-small', messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(await response.json()).toMatchObject({ choices: [{ message: { content: 'pong' } }] });
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('refuses an invalid script with exit code 64', async () => {
    const script = join(mkdtempSync(join(tmpdir(), 'switchyard-mock-')), 'bad.yaml');
    writeFileSync(script, 'rules: [{ reply: { nonsense: 1 } }]\n');
    const child = spawn(
      process.execPath,
      ['bin/switchyard.js', 'mock-llm', '--port', '0', '--script', script],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(64);
    expect(stderr).toContain('invalid mock LLM script');
  });
});
