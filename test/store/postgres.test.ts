/**
 * The store conformance suite on PostgreSQL: the real server, a new schema per test, dropped after it.
 * Without a server every test fails, each with the reason; none is skipped.
 */
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';
import { storeConformance } from './conformance.ts';
import { closeAdmin, createSchema, dropSchema, requirePostgres, urlWithSchema } from './postgres-server.ts';

afterAll(closeAdmin);

describe('PostgreSQL backend', () => {
  it('reaches the test server', async () => {
    await expect(requirePostgres()).resolves.toBeUndefined();
  });

  it('reports an unreachable server as SY_STORE_UNAVAILABLE, naming it without the password', async () => {
    const opening = openStore({
      databaseUrl: 'postgres://someone:s3cret@127.0.0.1:1/nowhere',
      dataDir: tmpdir(),
    });
    await expect(opening).rejects.toMatchObject({ code: 'SY_STORE_UNAVAILABLE' });
    await expect(opening).rejects.toThrow(/127\.0\.0\.1:1/);
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });

  it('refuses a search_path that names no existing schema', async () => {
    const opening = openStore({ databaseUrl: urlWithSchema('sy_test_does_not_exist'), dataDir: tmpdir() });
    await expect(opening).rejects.toMatchObject({ code: 'SY_STORE_UNAVAILABLE' });
  });
});

storeConformance('postgres', {
  shared: true,
  async fresh() {
    const schema = await createSchema();
    return {
      config: { databaseUrl: urlWithSchema(schema), dataDir: tmpdir() },
      dispose: () => dropSchema(schema),
    };
  },
});
