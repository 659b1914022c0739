/**
 * @module The durable tier of the LLM response cache in Redis, when SWITCHYARD_REDIS_URL is set:
 * entries expire by Redis's own TTL, so several Switchyard processes share one cache without a
 * pruning job. Keys are namespaced, values JSON. Hits are counted in the ledger, not here.
 */
import type { Redis } from 'ioredis';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { CacheRepository } from '../llm-ports.ts';

const PREFIX = 'switchyard:llm-cache:';

export interface RedisCache extends CacheRepository {
  close(): Promise<void>;
}

export function redisLlmCache(url: string): RedisCache {
  // ioredis is loaded only where Redis is configured.
  const connecting: Promise<Redis> = import('ioredis').then(({ Redis }) => {
    const client = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      // A cache must never hold a model call up for long: fail fast and let the call go through.
      connectTimeout: 2_000,
      commandTimeout: 1_000,
    });
    client.on('error', () => {
      // Reported by the command that fails; ioredis reconnects on its own.
    });
    return client;
  });
  const unavailable = (error: unknown) =>
    new SwitchyardError('SY_STORE_UNAVAILABLE', `the Redis cache at ${new URL(url).host} did not answer`, {
      cause: error,
    });
  return {
    async get(key, now) {
      try {
        const value = await (await connecting).get(PREFIX + key);
        if (value === null) return undefined;
        const entry = JSON.parse(value) as { response: unknown; expiresAt: number };
        return entry.expiresAt > now ? entry.response : undefined;
      } catch (error) {
        throw unavailable(error);
      }
    },
    async put(entry) {
      const ttl = Math.max(1, entry.expiresAt - entry.now);
      try {
        await (await connecting).set(
          PREFIX + entry.key,
          JSON.stringify({ response: entry.response, expiresAt: entry.expiresAt }),
          'PX',
          ttl,
        );
      } catch (error) {
        throw unavailable(error);
      }
    },
    // Redis expires entries itself.
    prune: async () => 0,
    async close() {
      await (await connecting).quit();
    },
  };
}
