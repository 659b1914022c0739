/** @module The durable tier of the LLM response cache: entries by key until they expire. */
import type { Kysely } from 'kysely';
import { fromJson, toJson } from '../json-column.ts';
import type { CacheRepository } from '../llm-ports.ts';
import type { Database } from '../schema.ts';

export function cacheRepository(db: Kysely<Database>): CacheRepository {
  return {
    async get(key, now) {
      const row = await db
        .updateTable('llm_cache')
        .set((eb) => ({ hits: eb('hits', '+', 1) }))
        .where('key', '=', key)
        .where('expires_at', '>', now)
        .returning('response')
        .executeTakeFirst();
      return row === undefined ? undefined : fromJson(row.response);
    },

    async put(entry) {
      const values = {
        key: entry.key,
        workspace_id: entry.workspaceId,
        response: toJson(entry.response),
        hits: 0,
        created_at: entry.now,
        expires_at: entry.expiresAt,
      };
      await db
        .insertInto('llm_cache')
        .values(values)
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ response: values.response, created_at: entry.now, expires_at: entry.expiresAt }),
        )
        .execute();
    },

    async prune(now) {
      const result = await db.deleteFrom('llm_cache').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
