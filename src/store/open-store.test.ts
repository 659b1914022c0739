import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, storeConfigFromEnv } from './open-store.ts';

describe('storeConfigFromEnv', () => {
  it('defaults to SQLite in ~/.switchyard', () => {
    expect(storeConfigFromEnv({})).toEqual({ dataDir: join(homedir(), '.switchyard') });
    expect(storeConfigFromEnv({ SWITCHYARD_DATABASE_URL: '  ', SWITCHYARD_DATA_DIR: '' })).toEqual({
      dataDir: join(homedir(), '.switchyard'),
    });
  });

  it('reads the URL and the data directory, expanding a leading ~', () => {
    expect(
      storeConfigFromEnv({ SWITCHYARD_DATABASE_URL: 'postgres://u@h/db', SWITCHYARD_DATA_DIR: '~/sy' }),
    ).toEqual({
      databaseUrl: 'postgres://u@h/db',
      dataDir: join(homedir(), 'sy'),
    });
    expect(storeConfigFromEnv({ SWITCHYARD_DATA_DIR: '/srv/~x' }).dataDir).toBe('/srv/~x');
  });
});

describe('openStore', () => {
  it('refuses a URL for a backend it does not have, without echoing the password', async () => {
    const opening = openStore({ databaseUrl: 'mysql://me:pw@localhost/db', dataDir: tmpdir() });
    await expect(opening).rejects.toMatchObject({ code: 'SY_STORE_UNAVAILABLE' });
    await expect(opening).rejects.not.toThrow(/:pw@/);
  });

  it('says which data directory it cannot create', async () => {
    // Not under /proc: Node's recursive mkdir spins there forever instead of failing.
    const parent = await mkdtemp(join(tmpdir(), 'sy-open-'));
    try {
      await writeFile(join(parent, 'a-file'), '');
      const dataDir = join(parent, 'a-file', 'data');
      await expect(openStore({ dataDir })).rejects.toMatchObject({
        code: 'SY_STORE_UNAVAILABLE',
        details: { dataDir },
      });
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
