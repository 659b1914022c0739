/**
 * @module Where the master keys come from: SWITCHYARD_MASTER_KEYS (`id:base64,…`, first is current),
 * SWITCHYARD_MASTER_KEY (one base64 key) or SWITCHYARD_MASTER_KEY_FILE (a file holding either).
 * With none of them, the embedded default keeps one key in a 0600 file beside the database,
 * creating it on first start; the caller says so in its start-up log.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { KEY_ID, KeyRing, MASTER_KEY_BYTES, type MasterKey } from './key-ring.ts';

export interface LoadedKeyRing {
  readonly ring: KeyRing;
  readonly source: 'env' | 'file' | 'generated';
  /** The key file, for 'file' and 'generated'. */
  readonly path?: string;
}

export interface LoadKeyRingOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Used when no variable names a key, e.g. `<dataDir>/master.key`: beside the database, never inside it. */
  readonly keyFileDefault: string;
}

const VARIABLES = ['SWITCHYARD_MASTER_KEYS', 'SWITCHYARD_MASTER_KEY', 'SWITCHYARD_MASTER_KEY_FILE'] as const;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const KEY_HINT =
  'Give 32 random bytes in base64, e.g. from `openssl rand -base64 32`, as `keyId:base64` to rotate.';
/** How long a start that lost the race to create the key file waits for the winner to finish writing it. */
const WRITER_WAIT_MS = 2_000;

export function loadKeyRing(options: LoadKeyRingOptions): LoadedKeyRing {
  const given = VARIABLES.filter((name) => options.env[name]?.trim());
  if (given.length > 1) {
    throw new SwitchyardError('SY_CONFIG_INVALID', `set only one of ${given.join(', ')}`, {
      hint: 'SWITCHYARD_MASTER_KEYS holds several keys for rotation; it replaces the other two.',
    });
  }
  const keys = options.env.SWITCHYARD_MASTER_KEYS?.trim();
  if (keys) return { ring: new KeyRing(parseKeyList(keys, 'SWITCHYARD_MASTER_KEYS')), source: 'env' };
  const key = options.env.SWITCHYARD_MASTER_KEY?.trim();
  if (key) return { ring: new KeyRing([parseSingleKey(key, 'SWITCHYARD_MASTER_KEY')]), source: 'env' };
  const file = options.env.SWITCHYARD_MASTER_KEY_FILE?.trim();
  // Mounted secrets (Docker, Kubernetes) are often group-readable by design, so only the default file's mode is policed.
  if (file)
    return {
      ring: parseKeyText(readKeyFile(file), file),
      source: 'file',
      path: file,
    };
  return loadDefaultFile(options.keyFileDefault);
}

/** The id a lone key gets: stable across restarts, and different for different keys. */
export function keyIdFor(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

function loadDefaultFile(path: string): LoadedKeyRing {
  if (!exists(path)) {
    const generated = createKeyFile(path);
    if (generated !== undefined) return { ring: new KeyRing([generated]), source: 'generated', path };
    return { ring: parseKeyText(readDefaultFile(path, true), path), source: 'file', path };
  }
  return { ring: parseKeyText(readDefaultFile(path, false), path), source: 'file', path };
}

/** Creates the key file exclusively; undefined when another start created it first. */
function createKeyFile(path: string): MasterKey | undefined {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return undefined;
    throw keyFileError(path, 'could not be created', error);
  }
  const key = randomBytes(MASTER_KEY_BYTES);
  const id = keyIdFor(key);
  try {
    // One write, ending in a newline: the mark a concurrent reader waits for.
    writeSync(fd, `${id}:${key.toString('base64')}\n`);
    fsyncSync(fd);
    closeSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(path);
    throw keyFileError(path, 'could not be written', error);
  }
  syncDirectory(dirname(path));
  return { id, key };
}

function readDefaultFile(path: string, waitForWriter: boolean): string {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    throw keyFileError(path, 'could not be read', error);
  }
  if (!stat.isFile()) throw keyFileError(path, 'is not a regular file');
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new SwitchyardError(
      'SY_CONFIG_INVALID',
      `the master key file ${path} is accessible by group or others (mode ${(stat.mode & 0o777).toString(8)})`,
      { hint: `Run \`chmod 600 ${path}\` so that only the user running Switchyard can read it.` },
    );
  }
  let text = readKeyFile(path);
  const deadline = Date.now() + WRITER_WAIT_MS;
  // An empty file is one another start has just created and not yet written: wait for it too.
  while ((text === '' || (waitForWriter && !text.endsWith('\n'))) && Date.now() < deadline) {
    sleep(10);
    text = readKeyFile(path);
  }
  return text;
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw keyFileError(path, 'could not be read', error);
  }
}

/** A file holds either format: `id:base64` entries, or one bare key. */
function parseKeyText(text: string, path: string): KeyRing {
  const trimmed = text.trim();
  const origin = `the key file ${path}`;
  if (trimmed === '') {
    throw new SwitchyardError('SY_VAULT_MASTER_KEY_INVALID', `${origin} is empty`, {
      hint: 'Restore the key from a backup; only if nothing was ever encrypted under it, delete the file and restart.',
    });
  }
  return new KeyRing(
    trimmed.includes(':') ? parseKeyList(trimmed, origin) : [parseSingleKey(trimmed, origin)],
  );
}

function parseKeyList(text: string, origin: string): MasterKey[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    if (colon < 0 || !KEY_ID.test(id)) {
      throw invalidKey(
        `entry #${index + 1} of ${origin} is not keyId:base64 with a key id of [A-Za-z0-9_-]{1,32}`,
      );
    }
    return { id, key: decodeKey(entry.slice(colon + 1), `key "${id}" in ${origin}`) };
  });
}

function parseSingleKey(text: string, origin: string): MasterKey {
  const key = decodeKey(text, origin);
  return { id: keyIdFor(key), key };
}

// The messages name where the key came from, never any part of it.
function decodeKey(text: string, origin: string): Buffer {
  const key = BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (key === undefined) throw invalidKey(`${origin} is not base64`);
  if (key.length !== MASTER_KEY_BYTES)
    throw invalidKey(`${origin} decodes to ${key.length} bytes, not ${MASTER_KEY_BYTES}`);
  return key;
}

function invalidKey(message: string): SwitchyardError {
  return new SwitchyardError('SY_VAULT_MASTER_KEY_INVALID', message, { hint: KEY_HINT });
}

function keyFileError(path: string, what: string, cause?: unknown): SwitchyardError {
  const code = errnoOf(cause);
  return new SwitchyardError(
    'SY_CONFIG_INVALID',
    `the master key file ${path} ${what}${code ? ` (${code})` : ''}`,
    {
      hint: 'Check the path and that the user running Switchyard owns it.',
    },
  );
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw keyFileError(path, 'could not be checked', error);
  }
}

/** Makes the new directory entry durable too: a key lost to a crash would orphan every credential. */
function syncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory; the file itself is already synced.
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function errnoOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
