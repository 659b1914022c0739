/**
 * `npm install` warms Node's compile cache (scripts/warm-compile-cache.js), so that the first
 * `npm start` after it compiles no TypeScript from source: Node's own compile-cache trace
 * (NODE_DEBUG_NATIVE=COMPILE_CACHE) tells every module's hit or miss, in every thread.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { START_FLAGS } from '../../bench/serve-helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-compile-cache-'));
  dirs.push(dir);
  return dir;
}

/** Starts serve as `npm start` does, signs up (which loads more modules), stops; Node's trace. */
async function traceOfFirstStart(cacheDir: string): Promise<string> {
  const env = {
    ...process.env,
    NODE_COMPILE_CACHE: cacheDir,
    NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
    SWITCHYARD_DATA_DIR: freshDir(),
    SWITCHYARD_DATABASE_URL: '',
  };
  const child = spawn(process.execPath, [...START_FLAGS, 'bin/switchyard.js', 'serve', '--port', '0'], {
    env,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let tries = 0; !/listening on (http:\/\/\S+)/.test(output); tries++) {
    if (tries > 300) throw new Error(`serve did not start:\n${output.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
  const signup = await fetch(`${url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'owner@example.com', password: 'owner passphrase long' }),
  });
  expect(signup.status).toBe(201);
  child.kill('SIGTERM');
  await exited;
  return output;
}

const compiledFromSource = (trace: string) =>
  trace.match(/no transpile cache for StrippedTypeScript/g)?.length ?? 0;
const takenFromCache = (trace: string) =>
  trace.match(/retrieving transpile cache for StrippedTypeScript \S+\.\.\.success/g)?.length ?? 0;

describe('the compile cache warmed at install', () => {
  it('leaves the first start nothing to compile from TypeScript, in any thread', async () => {
    const cacheDir = freshDir();
    const warm = spawnSync(process.execPath, ['scripts/warm-compile-cache.js'], {
      env: { ...process.env, NODE_COMPILE_CACHE: cacheDir },
      encoding: 'utf8',
    });
    expect(warm.status).toBe(0);
    expect(warm.stdout).toMatch(/compiled \d+ modules into Node's compile cache/);
    const trace = await traceOfFirstStart(cacheDir);
    expect(compiledFromSource(trace)).toBe(0);
    expect(takenFromCache(trace)).toBeGreaterThan(100);
  });

  it('(the trace tells: without it, the first start compiles its modules from source)', async () => {
    const trace = await traceOfFirstStart(freshDir());
    expect(compiledFromSource(trace)).toBeGreaterThan(100);
  });
});
