import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { keyIdFor, loadKeyRing } from './master-keys.ts';

const posix = process.platform !== 'win32';
let dir: string;
let keyFileDefault: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-keys-'));
  keyFileDefault = join(dir, 'data', 'master.key');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function load(env: Record<string, string | undefined>) {
  return loadKeyRing({ env, keyFileDefault });
}

function failure(action: () => unknown): SwitchyardError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return error as SwitchyardError;
  }
  throw new Error('expected a SwitchyardError, but nothing was thrown');
}

const sha = (key: Buffer) => createHash('sha256').update(key).digest('hex');

describe('keys from the environment', () => {
  it('reads SWITCHYARD_MASTER_KEYS, first key current, base64 or base64url', () => {
    const current = randomBytes(32);
    const old = randomBytes(32);
    const loaded = load({
      SWITCHYARD_MASTER_KEYS: ` new:${current.toString('base64')} , old-1:${old.toString('base64url')},`,
    });
    expect(loaded.source).toBe('env');
    expect(loaded.path).toBeUndefined();
    expect(loaded.ring.ids).toEqual(['new', 'old-1']);
    expect(loaded.ring.current.key.equals(current)).toBe(true);
    expect(loaded.ring.get('old-1')?.key.equals(old)).toBe(true);
  });

  it('reads SWITCHYARD_MASTER_KEY with a stable id derived from the key', () => {
    const key = randomBytes(32);
    const first = load({ SWITCHYARD_MASTER_KEY: `${key.toString('base64')}\n` });
    const again = load({ SWITCHYARD_MASTER_KEY: key.toString('base64url') });
    expect(first.ring.ids).toEqual([`k${sha(key).slice(0, 8)}`]);
    expect(again.ring.ids).toEqual(first.ring.ids);
    expect(keyIdFor(key)).toBe(first.ring.current.id);
    expect(first.ring.current.key.equals(key)).toBe(true);
  });

  it('reads SWITCHYARD_MASTER_KEY_FILE in either format, trimming whitespace', () => {
    const key = randomBytes(32);
    const single = join(dir, 'single.key');
    writeFileSync(single, `\n  ${key.toString('base64')}  \r\n`);
    const list = join(dir, 'list.key');
    writeFileSync(list, `b:${key.toString('base64')},a:${randomBytes(32).toString('base64')}\n`);
    const fromSingle = load({ SWITCHYARD_MASTER_KEY_FILE: single });
    expect(fromSingle).toMatchObject({ source: 'file', path: single });
    expect(fromSingle.ring.current.key.equals(key)).toBe(true);
    expect(load({ SWITCHYARD_MASTER_KEY_FILE: list }).ring.ids).toEqual(['b', 'a']);
  });

  it('refuses more than one way of giving keys, and treats blank variables as unset', () => {
    const key = randomBytes(32).toString('base64');
    const error = failure(() => load({ SWITCHYARD_MASTER_KEY: key, SWITCHYARD_MASTER_KEYS: `a:${key}` }));
    expect(error.code).toBe('SY_CONFIG_INVALID');
    expect(error.message).not.toContain(key);
    expect(failure(() => load({ SWITCHYARD_MASTER_KEY: key, SWITCHYARD_MASTER_KEY_FILE: '/x' })).code).toBe(
      'SY_CONFIG_INVALID',
    );
    expect(load({ SWITCHYARD_MASTER_KEY: key, SWITCHYARD_MASTER_KEYS: '  ' }).source).toBe('env');
  });

  it('refuses malformed keys without echoing them', () => {
    const cases: Record<string, string>[] = [
      { SWITCHYARD_MASTER_KEY: randomBytes(16).toString('base64') },
      { SWITCHYARD_MASTER_KEY: randomBytes(33).toString('base64') },
      { SWITCHYARD_MASTER_KEY: `${randomBytes(32).toString('hex')}` },
      { SWITCHYARD_MASTER_KEY: 'not base64 at all!!' },
      { SWITCHYARD_MASTER_KEY: `a:${randomBytes(32).toString('base64')}` },
      { SWITCHYARD_MASTER_KEYS: randomBytes(32).toString('base64') },
      { SWITCHYARD_MASTER_KEYS: `bad.id:${randomBytes(32).toString('base64')}` },
      { SWITCHYARD_MASTER_KEYS: `:${randomBytes(32).toString('base64')}` },
      { SWITCHYARD_MASTER_KEYS: `${'x'.repeat(33)}:${randomBytes(32).toString('base64')}` },
      {
        SWITCHYARD_MASTER_KEYS: `a:${randomBytes(32).toString('base64')},a:${randomBytes(32).toString('base64')}`,
      },
      {
        SWITCHYARD_MASTER_KEYS: `a:${randomBytes(32).toString('base64')},b:${randomBytes(31).toString('base64')}`,
      },
    ];
    for (const env of cases) {
      const error = failure(() => load(env));
      expect(error.code, JSON.stringify(env)).toBe('SY_VAULT_MASTER_KEY_INVALID');
      const text = `${error.message} ${error.hint}`;
      for (const value of Object.values(env)) {
        for (const piece of value.split(/[,:]/).filter((part) => part.length > 8))
          expect(text).not.toContain(piece);
      }
    }
    expect(failure(() => load(cases[0]!)).hint).toContain('openssl rand -base64 32');
  });

  it('refuses a key file that cannot be read', () => {
    expect(failure(() => load({ SWITCHYARD_MASTER_KEY_FILE: join(dir, 'nope.key') })).code).toBe(
      'SY_CONFIG_INVALID',
    );
  });

  it('creates no key file when a key is configured', () => {
    load({ SWITCHYARD_MASTER_KEY: randomBytes(32).toString('base64') });
    expect(() => statSync(keyFileDefault)).toThrow();
  });
});

describe('the default key file', () => {
  it('is generated on first start with mode 0600 in a 0700 directory, and reused after', () => {
    const first = loadKeyRing({ env: {}, keyFileDefault });
    expect(first).toMatchObject({ source: 'generated', path: keyFileDefault });
    if (posix) {
      expect(statSync(keyFileDefault).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    }
    const line = readFileSync(keyFileDefault, 'utf8');
    expect(line).toBe(`${first.ring.current.id}:${first.ring.current.key.toString('base64')}\n`);
    expect(first.ring.current.id).toBe(keyIdFor(first.ring.current.key));

    const second = loadKeyRing({ env: {}, keyFileDefault });
    expect(second).toMatchObject({ source: 'file', path: keyFileDefault });
    expect(second.ring.current.key.equals(first.ring.current.key)).toBe(true);
  });

  it.skipIf(!posix)('is refused when group or others may read or write it, like ssh does', () => {
    loadKeyRing({ env: {}, keyFileDefault });
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o622]) {
      chmodSync(keyFileDefault, mode);
      const error = failure(() => loadKeyRing({ env: {}, keyFileDefault }));
      expect(error.code, mode.toString(8)).toBe('SY_CONFIG_INVALID');
      expect(error.hint).toContain('chmod 600');
    }
    chmodSync(keyFileDefault, 0o400);
    expect(loadKeyRing({ env: {}, keyFileDefault }).source).toBe('file');
  });

  it('is refused when empty rather than silently replaced', () => {
    loadKeyRing({ env: {}, keyFileDefault });
    writeFileSync(keyFileDefault, '');
    expect(failure(() => loadKeyRing({ env: {}, keyFileDefault })).code).toBe('SY_VAULT_MASTER_KEY_INVALID');
  });

  it('is created once when several processes start together on a fresh directory', async () => {
    const moduleUrl = new URL('./master-keys.ts', import.meta.url).href;
    const script = `
      const { createHash } = await import('node:crypto');
      const { loadKeyRing } = await import(${JSON.stringify(moduleUrl)});
      const { ring, source } = loadKeyRing({ env: {}, keyFileDefault: process.argv[1] });
      process.stdout.write(JSON.stringify({ source, id: ring.current.id, sha: createHash('sha256').update(ring.current.key).digest('hex') }));
    `;
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => runNode(['--input-type=module', '-e', script, keyFileDefault])),
    );
    const results = runs.map((output) => JSON.parse(output) as { source: string; id: string; sha: string });
    expect(new Set(results.map(({ sha }) => sha)).size).toBe(1);
    expect(new Set(results.map(({ id }) => id)).size).toBe(1);
    expect(results.filter(({ source }) => source === 'generated')).toHaveLength(1);
    expect(sha(loadKeyRing({ env: {}, keyFileDefault }).ring.current.key)).toBe(results[0]!.sha);
  });
});

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stderr}`)),
    );
  });
}
