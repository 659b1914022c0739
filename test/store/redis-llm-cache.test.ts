/**
 * The LLM cache's Redis tier against the real Redis server (127.0.0.1:6379, or
 * SWITCHYARD_TEST_REDIS_URL): shared between clients, expired by Redis itself. Fails loudly when
 * Redis is not reachable: it never skips.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisCache, redisLlmCache } from '../../src/store/redis/redis-llm-cache.ts';

const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let one: RedisCache;
let two: RedisCache;
beforeAll(async () => {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (${String(error)}); these tests need it`);
  } finally {
    probe.disconnect();
  }
  one = redisLlmCache(REDIS_URL);
  two = redisLlmCache(REDIS_URL);
});
afterAll(async () => {
  await one.close();
  await two.close();
});

describe('the Redis tier of the LLM cache', () => {
  it('shares entries between clients (processes) and forgets them when they expire', async () => {
    const key = `test-${randomUUID()}`;
    const now = Date.now();
    expect(await two.get(key, now)).toBeUndefined();
    await one.put({ key, workspaceId: 'ws', response: { text: 'cached once' }, now, expiresAt: now + 150 });
    expect(await two.get(key, now + 1)).toEqual({ text: 'cached once' });
    // Past its time it is gone, whether the clock or Redis's own TTL decides first.
    expect(await two.get(key, now + 151)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await one.get(key, now)).toBeUndefined();
  });

  it('reports an unreachable Redis as SY_STORE_UNAVAILABLE, quickly', async () => {
    const dead = redisLlmCache('redis://127.0.0.1:1');
    const started = Date.now();
    await expect(dead.get('k', started)).rejects.toMatchObject({ code: 'SY_STORE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(5000);
    await dead.close().catch(() => {});
  });
});
